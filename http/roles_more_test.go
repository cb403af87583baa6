package http_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/agreement"
)

// demoAgreement is an agreement between two demo partners whose signers are
// their stewards; riverside-tenants holds the dataset.
func demoAgreement(t *testing.T) (string, map[string]ed25519.PrivateKey) {
	yaml := `id: demo-share
version: 1
title: Demo sharing
tier: controlled
validity: {from: 2025-01-01, until: 2035-01-01}
retention: P1Y
parties:
  - organisation: riverside-tenants
    roles: [custodian]
    signer: {member: riverside-tenants-steward, key: KEY_R}
  - organisation: eastside-health
    roles: [recipient]
    signer: {member: eastside-health-steward, key: KEY_E}
datasets:
  - id: base
    custodian: riverside-tenants
    columns:
      - {name: age, use: aggregate-only}
      - {name: sex, use: aggregate-only}
purposes:
  - {id: advocacy.report, description: Joint report.}
permissions:
  - {actions: [query, assess-risk], purposes: [advocacy.report], datasets: [base], recipients: [eastside-health]}
obligations:
  - {duty: breach-notification, within_hours: 72}
privacy:
  min_cell_size: 10
  epsilon: {budget: 1.0, period: month}
  release: {k: 5, l: 2, max_risk: 0.03, community_signoffs: 1}
`
	return withPartyKeys(yaml, map[string]string{"KEY_R": "riverside-tenants", "KEY_E": "eastside-health"})
}

// withPartyKeys puts a new public key for each party in place of its
// placeholder (placeholder → organisation) and returns the private keys.
func withPartyKeys(yaml string, parties map[string]string) (string, map[string]ed25519.PrivateKey) {
	keys := map[string]ed25519.PrivateKey{}
	for ph, org := range parties {
		pub, priv, _ := ed25519.GenerateKey(nil)
		keys[org] = priv
		yaml = strings.Replace(yaml, ph, agreement.PublicKey(pub).String(), 1)
	}
	return yaml, keys
}

// signAll proposes version 1 of a submitted agreement and has each party's
// steward sign it, bringing it into force.
func (n *testNode) signAll(t *testing.T, yaml string, keys map[string]ed25519.PrivateKey) {
	t.Helper()
	a, err := agreement.Parse([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	events := "/api/v1/agreements/" + a.ID + "/versions/1/events"
	n.call(t, n.roleToken("steward"), "POST", events, map[string]any{"kind": "propose"})
	for org, key := range keys {
		sig, err := agreement.Sign(a, org, key)
		if err != nil {
			t.Fatal(err)
		}
		if s, body := n.call(t, n.Tokens[org+"-steward"].Token, "POST", events, map[string]any{"kind": "sign", "signature": sig}); s != 200 {
			t.Fatalf("sign %s for %s = %d %v", a.ID, org, s, body)
		}
	}
}

// postYAML sends a YAML body.
func (n *testNode) postYAML(t *testing.T, token, path, body string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", n.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/yaml")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestAuditAndAgreementEndpointsForEveryRole(t *testing.T) {
	n := startNode(t, "")
	if s, _ := n.upload(t, n.roleToken("custodian"), "organisation=riverside-tenants&id=base", surveyCSV); s != 201 {
		t.Fatal("seed import failed")
	}
	yaml, keys := demoAgreement(t)
	if s := n.postYAML(t, n.roleToken("steward"), "/api/v1/agreements", yaml); s != 201 {
		t.Fatalf("submit agreement = %d", s)
	}
	a, _ := agreement.Parse([]byte(yaml))
	// Lint and submit of YAML bodies, by role.
	for _, role := range allRoles {
		want := map[string]int{"anonymous": 401}[role]
		if want == 0 {
			want = 200
		}
		if s := n.postYAML(t, n.roleToken(role), "/api/v1/agreements/lint", yaml); s != want {
			t.Errorf("lint as %s = %d, want %d", role, s, want)
		}
		want = map[string]int{"anonymous": 401, "steward": 409}[role] // steward: already submitted
		if want == 0 {
			want = 403
		}
		if s := n.postYAML(t, n.roleToken(role), "/api/v1/agreements", yaml); s != want {
			t.Errorf("submit as %s = %d, want %d", role, s, want)
		}
	}
	sig, err := agreement.Sign(a, "riverside-tenants", keys["riverside-tenants"])
	if err != nil {
		t.Fatal(err)
	}
	n.call(t, n.roleToken("steward"), "POST", "/api/v1/agreements/demo-share/versions/1/events", map[string]any{"kind": "propose"})
	size, _ := n.Store.AuditStore().Size(context.Background())
	if size < 5 {
		t.Fatalf("audit size %d", size)
	}
	everyone := allRoles[1:]
	parties := []string{"coalition-admin", "steward", "custodian", "analyst", "auditor", "community-rep"} // all riverside members read their agreement
	cases := []struct {
		method, path string
		body         any
		allowed      []string
		ok           int
	}{
		{"GET", "/api/v1/audit/checkpoint", nil, everyone, 200},
		{"GET", "/api/v1/audit/proof/inclusion?index=1&size=3", nil, everyone, 200},
		{"GET", "/api/v1/audit/proof/consistency?from=2&to=4", nil, everyone, 200},
		{"GET", "/api/v1/audit/entries?limit=5", nil, []string{"coalition-admin", "auditor"}, 200},
		{"GET", "/api/v1/audit/anomalies", nil, []string{"coalition-admin", "auditor"}, 200},
		{"GET", "/api/v1/agreements", nil, everyone, 200},
		{"GET", "/api/v1/agreements/demo-share/versions/1", nil, parties, 200},
		{"GET", "/api/v1/agreements/demo-share/versions/1/odrl", nil, parties, 200},
		{"GET", "/api/v1/agreements/demo-share/diff?from=1&to=1", nil, parties, 200},
		{"GET", "/api/v1/agreements/demo-share/versions/1/drift", nil, parties, 200},
		{"POST", "/api/v1/agreements/demo-share/versions/1/events", map[string]any{"kind": "sign", "signature": sig}, []string{"steward"}, 200},
	}
	for _, c := range cases {
		for _, role := range allRoles {
			s, body := n.call(t, n.roleToken(role), c.method, c.path, c.body)
			want := 403
			if role == "anonymous" {
				want = 401
			}
			for _, r := range c.allowed {
				if r == role {
					want = c.ok
				}
			}
			if s != want {
				t.Errorf("%s %s as %s = %d %v, want %d", c.method, c.path, role, s, body, want)
			}
		}
	}
	// A member of an organisation outside the agreement may not read it.
	if s, _ := n.call(t, n.Tokens["north-legal-aid-steward"].Token, "GET", "/api/v1/agreements/demo-share/versions/1", nil); s != 403 {
		t.Errorf("non-party read = %d", s)
	}
	// Entries are visible only for the auditor's own organisation.
	_, page := n.call(t, n.roleToken("auditor"), "GET", "/api/v1/audit/entries?limit=1000", nil)
	for _, e := range page["entries"].([]any) {
		if org := e.(map[string]any)["actor"].(map[string]any)["organisation_id"]; org != "riverside-tenants" {
			t.Fatalf("auditor saw an entry of %v", org)
		}
	}
	if s, _ := n.call(t, n.roleToken("auditor"), "GET", "/api/v1/audit/proof/inclusion?index=5&size=3", nil); s != 400 {
		t.Errorf("index beyond size = %d", s)
	}
	if s, _ := n.call(t, n.roleToken("auditor"), "GET", "/api/v1/audit/proof/consistency?from=1&to=999999", nil); s != 400 {
		t.Errorf("size beyond log = %d", s)
	}
	_ = accord.EFORBIDDEN
}

func TestUnconfirmedDatasetIsNotShared(t *testing.T) {
	n := startNode(t, "")
	if s, _ := n.upload(t, n.roleToken("custodian"), "organisation=riverside-tenants&id=base", surveyCSV); s != 201 {
		t.Fatal("seed import failed")
	}
	yaml, keys := demoAgreement(t)
	if s := n.postYAML(t, n.roleToken("steward"), "/api/v1/agreements", yaml); s != 201 {
		t.Fatalf("submit = %d", s)
	}
	n.signAll(t, yaml, keys)
	analyst := n.Tokens["eastside-health-analyst"].Token
	path := "/api/v1/datasets/base/risk?qi=age,sex&purpose=advocacy.report"
	if s, body := n.call(t, analyst, "GET", path, nil); s != 403 || !strings.Contains(body["error"].(map[string]any)["message"].(string), "confirms its classification") {
		t.Fatalf("risk on an unconfirmed dataset = %d %v", s, body)
	}
	classes := map[string]any{"columns": map[string]string{"name": "identifier", "email": "identifier", "age": "quasi", "sex": "quasi", "postcode": "quasi", "diagnosis": "sensitive"}}
	if s, _ := n.call(t, n.roleToken("custodian"), "PUT", "/api/v1/datasets/base/classification", classes); s != 200 {
		t.Fatal("classify failed")
	}
	if s, body := n.call(t, analyst, "GET", path, nil); s != 200 {
		t.Fatalf("risk under the agreement after confirmation = %d %v", s, body)
	}
	// Another partner, not party to the agreement, is refused by the decision function.
	if s, _ := n.call(t, n.Tokens["north-legal-aid-analyst"].Token, "GET", path, nil); s != 403 {
		t.Fatalf("non-party risk = %d", s)
	}
}

// activeDemoAgreement imports "base" with a subject column, confirms its
// classification and brings demo-share into force.
func activeDemoAgreement(t *testing.T, n *testNode, csv string, classes map[string]string) {
	t.Helper()
	if s, body := n.upload(t, n.roleToken("custodian"), "organisation=riverside-tenants&id=base", csv); s != 201 {
		t.Fatalf("import = %d %v", s, body)
	}
	if s, body := n.call(t, n.roleToken("custodian"), "PUT", "/api/v1/datasets/base/classification", map[string]any{"columns": classes}); s != 200 {
		t.Fatalf("classify = %d %v", s, body)
	}
	yaml, keys := demoAgreement(t)
	if s := n.postYAML(t, n.roleToken("steward"), "/api/v1/agreements", yaml); s != 201 {
		t.Fatalf("submit = %d", s)
	}
	n.signAll(t, yaml, keys)
}

func TestWithdrawnConsentExcludesRowsFromPartnerUse(t *testing.T) {
	n := startNode(t, "")
	activeDemoAgreement(t, n, "respondent;age;sex\nr1;34;F\nr2;34;M\nr3;51;M\nr4;29;F\n",
		map[string]string{"respondent": "subject", "age": "quasi", "sex": "quasi"})
	cust := n.roleToken("custodian")
	risk := func() (float64, string) {
		req, _ := http.NewRequest("GET", n.URL+"/api/v1/datasets/base/risk?qi=age,sex&purpose=advocacy.report", nil)
		req.Header.Set("Authorization", "Bearer "+n.Tokens["eastside-health-analyst"].Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var rep map[string]any
		if err := decodeJSONBody(resp, &rep); err != nil || resp.StatusCode != 200 {
			t.Fatalf("risk = %d %v %v", resp.StatusCode, rep, err)
		}
		return rep["records"].(float64), resp.Header.Get("Accord-Withheld-Rows")
	}
	if recs, withheld := risk(); recs != 4 || withheld != "0" {
		t.Fatalf("before consent management: %v records, %s withheld", recs, withheld)
	}
	if s, body := n.call(t, cust, "POST", "/api/v1/consent/subjects/register", map[string]any{"dataset": "base"}); s != 200 && s != 201 {
		t.Fatalf("register = %d %v", s, body)
	}
	// Registered subjects without a decision are withheld: consent is opt-in.
	if s, body := n.call(t, n.Tokens["eastside-health-analyst"].Token, "GET", "/api/v1/datasets/base/risk?qi=age,sex&purpose=advocacy.report", nil); s != 400 || !strings.Contains(fmt.Sprint(body), "no records") {
		t.Fatalf("registered, no decisions: every row withheld, got %d %v", s, body)
	}
	for _, subj := range []string{"r1", "r2", "r3", "r4"} {
		if s, body := n.call(t, cust, "POST", "/api/v1/consent/events", map[string]any{"dataset": "base", "subject": subj, "purpose": "advocacy.report", "state": "given", "agreement": "demo-share@1"}); s != 201 && s != 200 {
			t.Fatalf("give = %d %v", s, body)
		}
	}
	if recs, _ := risk(); recs != 4 {
		t.Fatalf("all given: %v records", recs)
	}
	// A report built now, on today's consent, is recorded in the lineage.
	if s, body := n.call(t, cust, "POST", "/api/v1/lineage/derivations", map[string]any{"dataset": "base", "kind": accord.DerivationDerivedDataset, "purpose": "advocacy.report", "description": "ward tables"}); s != 201 {
		t.Fatalf("record derivation = %d %v", s, body)
	}
	if s, _ := n.call(t, n.roleToken("analyst"), "POST", "/api/v1/lineage/derivations", map[string]any{"dataset": "base", "kind": accord.DerivationDerivedDataset, "purpose": "advocacy.report"}); s != 403 {
		t.Fatalf("analyst recorded a derivation: %d", s)
	}
	if s, body := n.call(t, cust, "POST", "/api/v1/consent/events", map[string]any{"dataset": "base", "subject": "r2", "purpose": "advocacy.report", "state": "withdrawn", "agreement": "demo-share@1"}); s != 201 && s != 200 {
		t.Fatalf("withdraw = %d %v", s, body)
	}
	if recs, withheld := risk(); recs != 3 || withheld != "1" {
		t.Fatalf("after a withdrawal: %v records, %s withheld", recs, withheld)
	}
	// The report built before the withdrawal is flagged for regeneration.
	_, flags := n.call(t, cust, "GET", "/api/v1/consent/flags?dataset=base", nil)
	if fl, _ := flags["flags"].([]any); len(fl) != 1 || !strings.Contains(fmt.Sprint(fl[0]), "ward tables") {
		t.Fatalf("flags after a withdrawal = %v", flags)
	}
	// The custodian's own work is not a use under the purpose: all rows.
	if s, rep := n.call(t, cust, "GET", "/api/v1/datasets/base/risk?qi=age,sex&purpose=governance.risk-assessment", nil); s != 200 || rep["records"].(float64) != 4 {
		t.Fatalf("custodian's own assessment = %d %v", s, rep)
	}
}

// TestExtractForEveryPartnerRole runs a partner's extract under an agreement
// as every role of the recipient organisation: only the roles that may
// take extracts get one, and refusals record no derivation.
func TestExtractForEveryPartnerRole(t *testing.T) {
	n := startNode(t, "")
	extractSetup(t, n)
	body := map[string]any{"purpose": "advocacy.report", "columns": []string{"respondent", "age"}}
	allowed := 0
	for _, role := range allRoles {
		token := n.Tokens["eastside-health-"+role].Token
		switch role {
		case "anonymous":
			token = ""
		case "coalition-admin":
			token = n.roleToken(role)
		}
		want := map[string]int{"anonymous": 401, "analyst": 200, "custodian": 200}[role]
		if want == 0 {
			want = 403
		}
		got := n.extract(t, token, "survey", body)
		if got.status != want {
			t.Errorf("extract as eastside-health %s = %d %v, want %d", role, got.status, got.err, want)
		}
		if want == 200 {
			allowed++
		}
		if c := derivationCount(t, n, "survey", "advocacy.report"); c != allowed {
			t.Errorf("after the extract as %s: %d derivations, want %d", role, c, allowed)
		}
	}
}
