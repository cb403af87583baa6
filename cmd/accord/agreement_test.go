package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const agreementYAML = `id: health-share
version: 1
title: Eastside survey shared with Riverside
tier: controlled
validity:
  from: 2025-01-01
  until: 2030-12-31
retention: P1Y
parties:
  - organisation: eastside-health
    roles: [custodian]
    signer: {member: eastside-health-steward, key: KEY_EAST}
  - organisation: riverside-tenants
    roles: [recipient]
    signer: {member: riverside-tenants-steward, key: KEY_RIVER}
datasets:
  - id: survey
    custodian: eastside-health
    columns:
      - {name: age, use: aggregate-only}
      - {name: sex, use: aggregate-only}
      - {name: postcode, use: aggregate-only}
purposes:
  - id: advocacy.report
    description: Evidence for the joint report.
permissions:
  - actions: [query, assess-risk]
    purposes: [advocacy.report]
    datasets: [survey]
    recipients: [riverside-tenants]
prohibitions:
  - actions: [re-identify, share, link, profile]
obligations:
  - duty: breach-notification
    within_hours: 48
privacy:
  min_cell_size: 10
  epsilon: {budget: 1.0, period: month}
  release: {k: 5, l: 2, max_risk: 0.03, community_signoffs: 1}
`

func TestAgreementLifecycleGovernsDataAccess(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	s := startServer(t, data, "--demo")
	var tokens map[string]struct{ Token string }
	b, _ := os.ReadFile(filepath.Join(data, "demo-tokens.json"))
	json.Unmarshal(b, &tokens)
	as := func(member string) []string {
		return []string{"ACCORD_NODE=" + s.URL, "ACCORD_TOKEN=" + tokens[member].Token}
	}
	eastSteward, riverSteward := as("eastside-health-steward"), as("riverside-tenants-steward")
	riverAnalyst, eastCust := as("riverside-tenants-analyst"), as("eastside-health-custodian")

	// The custodian imports and classifies its survey.
	csv := filepath.Join(dir, "survey.csv")
	os.WriteFile(csv, []byte(surveyRows), 0o600)
	mustRun(t, eastCust, "dataset", "import", "--org", "eastside-health", "--id", "survey", csv)
	mustRun(t, eastCust, "dataset", "classify", "survey", "name=identifier", "email=identifier", "age=quasi", "sex=quasi", "postcode=quasi", "diagnosis=sensitive")

	// Each steward makes a key; the public keys go into the agreement.
	keyRe := regexp.MustCompile(`key: (ed25519:\S+)`)
	yaml := agreementYAML
	for _, k := range []struct{ file, placeholder string }{{"east.key", "KEY_EAST"}, {"river.key", "KEY_RIVER"}} {
		out := mustRun(t, nil, "agreement", "keygen", "--out", filepath.Join(dir, k.file))
		yaml = strings.Replace(yaml, k.placeholder, keyRe.FindStringSubmatch(out)[1], 1)
	}
	file := filepath.Join(dir, "health-share.yaml")
	os.WriteFile(file, []byte(yaml), 0o600)
	if out := mustRun(t, nil, "agreement", "lint", file); strings.Contains(out, ": error:") {
		t.Fatalf("lint: %s", out)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte(strings.Replace(yaml, "budget: 1.0", "budget: -1", 1)), 0o600)
	if out, _, code := run(t, nil, "agreement", "lint", bad); code != 1 || !regexp.MustCompile(`bad.yaml:\d+:\d+: error`).MatchString(out) {
		t.Fatalf("lint of a bad agreement: exit %d\n%s", code, out)
	}

	risk := []string{"dataset", "risk", "--qi", "age,sex", "--purpose", "advocacy.report", "--format", "json", "survey"}
	// Before any agreement, the recipient's analyst is refused by default.
	if out, errOut, code := run(t, riverAnalyst, risk...); code != 1 || !strings.Contains(errOut, "default deny") {
		t.Fatalf("risk before agreement: exit %d %s%s", code, out, errOut)
	}
	mustRun(t, eastSteward, "agreement", "submit", file)
	mustRun(t, eastSteward, "agreement", "propose", "health-share", "1")
	out := mustRun(t, eastSteward, "agreement", "sign", "--key", filepath.Join(dir, "east.key"), "health-share", "1")
	if !strings.Contains(out, "Still to sign: riverside-tenants") {
		t.Fatalf("after one signature: %s", out)
	}
	// Not in force until every party signs.
	if _, _, code := run(t, riverAnalyst, risk...); code != 1 {
		t.Fatal("risk allowed before every party signed")
	}
	// A signature with the wrong party's key is refused.
	if out, errOut, code := run(t, riverSteward, "agreement", "sign", "--key", filepath.Join(dir, "east.key"), "health-share", "1"); code != 1 {
		t.Fatalf("signature with another party's key accepted: %s%s", out, errOut)
	}
	out = mustRun(t, riverSteward, "agreement", "sign", "--key", filepath.Join(dir, "river.key"), "health-share", "1")
	if !strings.Contains(out, "active") {
		t.Fatalf("after all signatures: %s", out)
	}
	if out := mustRun(t, riverAnalyst, risk...); !strings.Contains(out, `"records": 4`) {
		t.Fatalf("risk under the agreement: %s", out)
	}
	// A purpose or column outside the agreement is refused, naming the clause.
	if _, errOut, code := run(t, riverAnalyst, "dataset", "risk", "--qi", "age,diagnosis", "--purpose", "advocacy.report", "survey"); code != 1 || !strings.Contains(errOut, "diagnosis") {
		t.Fatalf("column outside scope: %d %s", code, errOut)
	}
	if _, errOut, code := run(t, riverAnalyst, "dataset", "risk", "--qi", "age", "--purpose", "marketing", "survey"); code != 1 {
		t.Fatalf("undeclared purpose allowed: %s", errOut)
	}
	// Suspension takes effect at once.
	mustRun(t, eastSteward, "agreement", "suspend", "--reason", "suspected breach", "health-share", "1")
	if _, _, code := run(t, riverAnalyst, risk...); code != 1 {
		t.Fatal("risk allowed while suspended")
	}
	mustRun(t, eastSteward, "agreement", "resume", "health-share", "1")
	mustRun(t, riverAnalyst, risk...)

	show := mustRun(t, riverSteward, "agreement", "show", "health-share", "1")
	for _, want := range []string{"active", "suspend", "suspected breach"} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
	drift := mustRun(t, eastSteward, "agreement", "drift", "--json", "health-share", "1")
	if !strings.Contains(drift, "diagnosis") || !strings.Contains(drift, `"denied"`) {
		t.Errorf("drift does not report the refused column:\n%s", drift)
	}
	odrl := mustRun(t, riverSteward, "agreement", "export", "--odrl", "health-share", "1")
	if !strings.Contains(odrl, "odrl") || !strings.Contains(odrl, "advocacy.report") {
		t.Errorf("odrl export:\n%s", odrl)
	}
	// An amendment is a new version referencing the old; diff says what changed.
	v2 := strings.Replace(strings.Replace(yaml, "version: 1", "version: 2\nprevious: {id: health-share, version: 1, digest: DIGEST}", 1), "budget: 1.0", "budget: 0.5", 1)
	var detail struct{ Digest string }
	json.Unmarshal([]byte(mustRun(t, riverSteward, "agreement", "show", "--json", "health-share", "1")), &detail)
	v2 = strings.Replace(v2, "DIGEST", detail.Digest, 1)
	file2 := filepath.Join(dir, "health-share-2.yaml")
	os.WriteFile(file2, []byte(v2), 0o600)
	mustRun(t, eastSteward, "agreement", "submit", file2)
	if out := mustRun(t, eastSteward, "agreement", "diff", "health-share", "1", "2"); !strings.Contains(out, "0.5") {
		t.Errorf("diff: %s", out)
	}
	// Version 1 stays in force until version 2 is signed by all.
	mustRun(t, riverAnalyst, risk...)
	// Nobody outside the parties sees the agreement.
	if _, _, code := run(t, as("north-legal-aid-steward"), "agreement", "show", "health-share", "1"); code != 1 {
		t.Error("a non-party read the agreement")
	}
	s.stop(t)
}

const surveyRows = "name;email;age;sex;postcode;diagnosis\n" +
	"Ama Owusu;ama@example.org;34;F;E1 6AN;asthma\n" +
	"Ben Cole;ben@example.org;34;M;E1 6AN;diabetes\n" +
	"Cy Diaz;cy@example.org;51;M;N4 2DE;asthma\n" +
	"Di Evans;di@example.org;29;F;N4 2DE;none\n"
