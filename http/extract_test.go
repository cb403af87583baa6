package http_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accord-coalition/accord/agreement"
	"github.com/accord-coalition/accord/anon"
	"github.com/accord-coalition/accord/client"
	"github.com/accord-coalition/accord/dataset"
	"github.com/accord-coalition/accord/envelope"
	accordhttp "github.com/accord-coalition/accord/http"
	"github.com/accord-coalition/accord/node"
)

const extractCSV = "respondent;name;age;sex;ward\n" +
	"r1;Ama Owusu;34;F;north\n" +
	"r2;Ben Cole;34;M;south\n" +
	"r3;Cy Diaz;51;M;north\n" +
	"r4;Di Evans;29;F;east\n"

var extractClasses = map[string]string{"respondent": "subject", "name": "identifier", "age": "quasi", "sex": "quasi", "ward": "quasi"}

// extractAgreementYAML lets recipient take pseudonymised extracts of
// respondent, age and sex of riverside-tenants' dataset "survey" for
// advocacy.report; ward is for aggregates only.
const extractAgreementYAML = `id: AGREEMENT
version: 1
title: Extracts for RECIPIENT
tier: controlled
validity: {from: 2025-01-01, until: 2035-01-01}
retention: P1Y
parties:
  - organisation: riverside-tenants
    roles: [custodian]
    signer: {member: riverside-tenants-steward, key: KEY_C}
  - organisation: RECIPIENT
    roles: [recipient]
    signer: {member: RECIPIENT-steward, key: KEY_R}
datasets:
  - id: survey
    custodian: riverside-tenants
    columns:
      - {name: respondent, use: pseudonymised-extract}
      - {name: age, use: pseudonymised-extract}
      - {name: sex, use: pseudonymised-extract}
      - {name: ward, use: aggregate-only}
purposes:
  - {id: advocacy.report, description: Joint report.}
  - {id: research.academic, description: Research on housing.}
permissions:
  - {actions: [extract], purposes: [advocacy.report], datasets: [survey], recipients: [RECIPIENT], tier: controlled}
  - {actions: [query], purposes: [research.academic], datasets: [survey], recipients: [RECIPIENT]}
obligations:
  - {duty: breach-notification, within_hours: 72}
  - {duty: deletion, at: end-of-retention, parties: [RECIPIENT]}
privacy:
  min_cell_size: 10
  epsilon: {budget: 1.0, period: month}
`

// enforceExtractAgreement brings an extract agreement with recipient into force.
func (n *testNode) enforceExtractAgreement(t *testing.T, id, recipient string) {
	t.Helper()
	yaml, keys := withPartyKeys(strings.NewReplacer("AGREEMENT", id, "RECIPIENT", recipient).Replace(extractAgreementYAML),
		map[string]string{"KEY_C": "riverside-tenants", "KEY_R": recipient})
	if s := n.postYAML(t, n.roleToken("steward"), "/api/v1/agreements", yaml); s != 201 {
		t.Fatalf("submit %s = %d", id, s)
	}
	n.signAll(t, yaml, keys)
}

// extractSetup imports and classifies "survey" and brings extract-east
// (eastside-health) and extract-north (north-legal-aid) into force.
func extractSetup(t *testing.T, n *testNode) {
	t.Helper()
	if s, body := n.upload(t, n.roleToken("custodian"), "organisation=riverside-tenants&id=survey", extractCSV); s != 201 {
		t.Fatalf("import = %d %v", s, body)
	}
	if s, body := n.call(t, n.roleToken("custodian"), "PUT", "/api/v1/datasets/survey/classification", map[string]any{"columns": extractClasses}); s != 200 {
		t.Fatalf("classify = %d %v", s, body)
	}
	n.enforceExtractAgreement(t, "extract-east", "eastside-health")
	n.enforceExtractAgreement(t, "extract-north", "north-legal-aid")
}

// extractReply is what an extract call returned.
type extractReply struct {
	status int
	header http.Header
	rows   [][]string // the CSV, header row first, on success
	err    map[string]any
}

func (e extractReply) message() string {
	m, _ := e.err["error"].(map[string]any)
	s, _ := m["message"].(string)
	return s
}

// extract posts body (a value, or a raw string) to the extract endpoint.
func (n *testNode) extract(t *testing.T, token, dataset string, body any) extractReply {
	t.Helper()
	raw, ok := body.(string)
	if !ok {
		enc, _ := json.Marshal(body)
		raw = string(enc)
	}
	status, b, hdr := n.send(t, token, "POST", "/api/v1/datasets/"+dataset+"/extracts", "application/json", strings.NewReader(raw))
	out := extractReply{status: status, header: hdr}
	if status != 200 {
		if err := json.Unmarshal(b, &out.err); err != nil {
			t.Fatalf("error reply is not JSON: %s", b)
		}
		return out
	}
	if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("extract Content-Type = %q", ct)
	}
	var err error
	if out.rows, err = csv.NewReader(bytes.NewReader(b)).ReadAll(); err != nil {
		t.Fatalf("extract is not CSV: %v\n%s", err, b)
	}
	return out
}

// derivationCount counts the derivations recorded for a dataset and purpose,
// straight from the database, so refusals can be shown to record none.
func derivationCount(t *testing.T, n *testNode, dataset, purpose string) int {
	t.Helper()
	var c int
	q := n.Store.Rebind("SELECT count(*) FROM derivations WHERE dataset_id = ? AND purpose = ?")
	if err := n.Store.QueryRowContext(context.Background(), q, dataset, purpose).Scan(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

// pseudonymsUnder computes the pseudonyms the node gives r1…r4 in scope.
func pseudonymsUnder(t *testing.T, n *testNode, scope string) map[string]string {
	t.Helper()
	master, err := envelope.LoadOrCreateMasterKey(filepath.Join(n.DataDir, node.MasterKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	key, err := anon.AgreementKey(master, scope)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, s := range []string{"r1", "r2", "r3", "r4"} {
		out[anon.Pseudonym(key, s)] = s
	}
	return out
}

var hexPseudonym = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestExtractUnderAgreement(t *testing.T) {
	backends(t, func(t *testing.T, n *testNode) {
		extractSetup(t, n)
		east := n.Tokens["eastside-health-analyst"].Token
		req := map[string]any{"purpose": "advocacy.report", "columns": []string{"sex", "respondent", "age"}}
		got := n.extract(t, east, "survey", req)
		if got.status != 200 {
			t.Fatalf("extract = %d %v", got.status, got.err)
		}
		want := [][]string{{"sex", "respondent", "age"}, {"F", "r1", "34"}, {"M", "r2", "34"}, {"M", "r3", "51"}, {"F", "r4", "29"}}
		if len(got.rows) != len(want) || !slices.Equal(got.rows[0], want[0]) {
			t.Fatalf("extract = %v, want the columns in the order asked and 4 rows", got.rows)
		}
		eastKeys := pseudonymsUnder(t, n, "extract-east")
		for i, row := range got.rows[1:] {
			if row[0] != want[i+1][0] || row[2] != want[i+1][2] {
				t.Errorf("row %d = %v, want %v apart from the subject", i+1, row, want[i+1])
			}
			if !hexPseudonym.MatchString(row[1]) || eastKeys[row[1]] != want[i+1][1] {
				t.Errorf("row %d subject %q is not the pseudonym of %s under extract-east", i+1, row[1], want[i+1][1])
			}
		}
		if h := got.header; h.Get("Accord-Withheld-Rows") != "0" || !strings.HasPrefix(h.Get("Accord-Derivation"), "der_") ||
			h.Get("Accord-Clause") != "agreement extract-east v1 permission #1" {
			t.Errorf("headers = %v", h)
		}
		// One agreement, one pseudonym per subject across extracts.
		again := n.extract(t, east, "survey", map[string]any{"purpose": "advocacy.report", "columns": []string{"respondent"}, "tier": "controlled"})
		if again.status != 200 || again.rows[1][0] != got.rows[1][1] {
			t.Errorf("second extract under extract-east: %d %v, want r1 as %s", again.status, again.rows, got.rows[1][1])
		}
		if again.header.Get("Accord-Derivation") == got.header.Get("Accord-Derivation") {
			t.Error("two extracts share a derivation")
		}
		// Another agreement, unrelated pseudonyms: the two copies cannot be joined.
		north := n.extract(t, n.Tokens["north-legal-aid-analyst"].Token, "survey", map[string]any{"purpose": "advocacy.report", "columns": []string{"respondent"}})
		if north.status != 200 || len(north.rows) != 5 {
			t.Fatalf("extract under extract-north = %d %v", north.status, north.err)
		}
		northKeys := pseudonymsUnder(t, n, "extract-north")
		for i, row := range north.rows[1:] {
			if row[0] == got.rows[i+1][1] || northKeys[row[0]] != want[i+1][1] {
				t.Errorf("north row %d subject %q: want the extract-north pseudonym of %s, unlike %s", i+1, row[0], want[i+1][1], got.rows[i+1][1])
			}
		}
		// The custodian's internal extract has pseudonyms of its own.
		own := n.extract(t, n.roleToken("custodian"), "survey", map[string]any{"purpose": "advocacy.report", "columns": []string{"respondent", "ward"}, "tier": "internal"})
		if own.status != 200 || own.header.Get("Accord-Clause") != "custodian of dataset `survey`" {
			t.Fatalf("custodian's internal extract = %d %v %v", own.status, own.err, own.header)
		}
		if r1 := own.rows[1][0]; r1 == got.rows[1][1] || r1 == north.rows[1][0] || !hexPseudonym.MatchString(r1) {
			t.Errorf("custodian's pseudonym of r1 %q repeats a partner's", r1)
		}
		if c := derivationCount(t, n, "survey", "advocacy.report"); c != 4 {
			t.Errorf("%d derivations recorded for 4 extracts", c)
		}
	})
}

func TestExtractRefusals(t *testing.T) {
	backends(t, func(t *testing.T, n *testNode) {
		extractSetup(t, n)
		cust := n.roleToken("custodian")
		if s, body := n.upload(t, cust, "organisation=riverside-tenants&id=raw", extractCSV); s != 201 {
			t.Fatalf("import raw = %d %v", s, body)
		}
		if s, body := n.upload(t, cust, "organisation=riverside-tenants&id=unshared", extractCSV); s != 201 {
			t.Fatalf("import unshared = %d %v", s, body)
		}
		if s, body := n.call(t, cust, "PUT", "/api/v1/datasets/unshared/classification", map[string]any{"columns": extractClasses}); s != 200 {
			t.Fatalf("classify = %d %v", s, body)
		}
		east := n.Tokens["eastside-health-analyst"].Token
		ok := map[string]any{"purpose": "advocacy.report", "columns": []string{"age", "sex"}}
		with := func(k string, v any) map[string]any {
			m := map[string]any{"purpose": ok["purpose"], "columns": ok["columns"]}
			m[k] = v
			return m
		}
		cases := []struct {
			name, token, dataset string
			body                 any
			status               int
			want                 string
		}{
			{"column outside the permission", east, "survey", with("columns", []string{"age", "ward"}), 403, "Column `ward` of dataset `survey`"},
			{"purpose not permitted", east, "survey", with("purpose", "research.academic"), 403, "extract-east"},
			{"no agreement covers the dataset", east, "unshared", ok, 403, "default deny"},
			{"identifier column, custodian", cust, "survey", map[string]any{"purpose": "advocacy.report", "columns": []string{"respondent", "name"}, "tier": "internal"}, 403, `column "name" of dataset survey is a direct identifier and is never extracted: drop it, or pseudonymise it`},
			{"identifier column before confirmation", cust, "raw", map[string]any{"purpose": "advocacy.report", "columns": []string{"name"}, "tier": "internal"}, 403, `column "name"`},
			{"custodian sharing beyond itself without a permission", cust, "survey", ok, 403, ""},
			{"unconfirmed classification", east, "raw", ok, 403, "confirms its classification"},
			{"unknown dataset", east, "nowhere", ok, 404, `dataset "nowhere" not found`},
			{"malformed body", east, "survey", `{"purpose":`, 400, "invalid request body"},
			{"unknown field", east, "survey", with("rows", 10), 400, `unknown field "rows"`},
			{"empty columns", east, "survey", with("columns", []string{}), 400, "name the columns"},
			{"no columns", east, "survey", map[string]any{"purpose": "advocacy.report"}, 400, "name the columns"},
			{"unknown column", east, "survey", with("columns", []string{"age", "income"}), 400, `no column "income"`},
			{"column twice", east, "survey", with("columns", []string{"age", "age"}), 400, "twice"},
			{"public tier", east, "survey", with("tier", "public"), 400, "never public"},
			{"unknown tier", east, "survey", with("tier", "everyone"), 400, "tier must be"},
			{"bad purpose", east, "survey", with("purpose", "Advocacy"), 400, "purpose"},
			{"steward", n.Tokens["eastside-health-steward"].Token, "survey", ok, 403, ""},
			{"no token", "", "survey", ok, 401, ""},
		}
		for _, c := range cases {
			got := n.extract(t, c.token, c.dataset, c.body)
			if got.status != c.status || !strings.Contains(got.message(), c.want) {
				t.Errorf("%s: %d %q, want %d mentioning %q", c.name, got.status, got.message(), c.status, c.want)
			}
		}
		for _, ds := range []string{"survey", "raw", "unshared"} {
			for _, p := range []string{"advocacy.report", "research.academic"} {
				if c := derivationCount(t, n, ds, p); c != 0 {
					t.Errorf("refused extracts recorded %d derivations of %s for %s", c, ds, p)
				}
			}
		}
		// Refusals by the agreements are kept with the decisions, for drift.
		decisions, err := n.Store.Decisions(context.Background(), time.Time{}, "survey")
		if err != nil {
			t.Fatal(err)
		}
		refused := 0
		for _, d := range decisions {
			if d.Action == string(agreement.ActionExtract) && !d.Allowed && d.OrganisationID == "eastside-health" {
				refused++
			}
		}
		if refused == 0 {
			t.Errorf("no refused extract decision kept: %v", decisions)
		}
	})
}

func TestExtractLeavesOutWithdrawnSubjectsAndIsFlagged(t *testing.T) {
	backends(t, func(t *testing.T, n *testNode) {
		extractSetup(t, n)
		cust := n.roleToken("custodian")
		east := n.Tokens["eastside-health-analyst"].Token
		if s, body := n.call(t, cust, "POST", "/api/v1/consent/subjects/register", map[string]any{"dataset": "survey"}); s != 200 && s != 201 {
			t.Fatalf("register = %d %v", s, body)
		}
		record := func(subject, state string) {
			t.Helper()
			if s, body := n.call(t, cust, "POST", "/api/v1/consent/events", map[string]any{"dataset": "survey", "subject": subject,
				"purpose": "advocacy.report", "state": state, "agreement": "extract-east@1"}); s != 200 && s != 201 {
				t.Fatalf("%s for %s = %d %v", state, subject, s, body)
			}
		}
		for _, s := range []string{"r1", "r2", "r3"} {
			record(s, "given")
		}
		req := map[string]any{"purpose": "advocacy.report", "columns": []string{"respondent", "age"}}
		// r4 never consented: left out, for the partner and for the custodian alike.
		first := n.extract(t, east, "survey", req)
		if first.status != 200 || len(first.rows) != 4 || first.header.Get("Accord-Withheld-Rows") != "1" {
			t.Fatalf("extract with r4 not consenting = %d %v %v", first.status, first.rows, first.header)
		}
		own := n.extract(t, cust, "survey", map[string]any{"purpose": "advocacy.report", "columns": []string{"age"}, "tier": "internal"})
		if own.status != 200 || len(own.rows) != 4 || own.header.Get("Accord-Withheld-Rows") != "1" {
			t.Fatalf("custodian's extract with r4 not consenting = %d %v %v", own.status, own.rows, own.header)
		}
		keys := pseudonymsUnder(t, n, "extract-east")
		var r2 string
		for _, row := range first.rows[1:] {
			if keys[row[0]] == "r2" {
				r2 = row[0]
			}
		}
		if r2 == "" {
			t.Fatal("r2 missing from the first extract")
		}
		if _, flags := n.call(t, cust, "GET", "/api/v1/consent/flags?dataset=survey", nil); len(flags["flags"].([]any)) != 0 {
			t.Fatalf("flags before any withdrawal: %v", flags)
		}
		record("r2", "withdrawn")
		// The extracts made before the withdrawal are flagged for regeneration.
		_, flags := n.call(t, cust, "GET", "/api/v1/consent/flags?dataset=survey", nil)
		ids := map[string]string{}
		for _, f := range flags["flags"].([]any) {
			d := f.(map[string]any)["derivation"].(map[string]any)
			ids[d["id"].(string)] = fmt.Sprint(d["description"])
			if d["kind"] != "extract" || d["organisation"] != "riverside-tenants" || d["purpose"] != "advocacy.report" || d["created_by"] == "" {
				t.Errorf("flagged derivation = %v", d)
			}
		}
		desc, ok := ids[first.header.Get("Accord-Derivation")]
		if !ok || len(ids) != 2 {
			t.Fatalf("flags after the withdrawal = %v, want the two extracts", flags)
		}
		for _, w := range []string{"eastside-health", "respondent, age", "agreement extract-east v1 permission #1"} {
			if !strings.Contains(desc, w) {
				t.Errorf("derivation description %q lacks %q", desc, w)
			}
		}
		second := n.extract(t, east, "survey", req)
		if second.status != 200 || len(second.rows) != 3 || second.header.Get("Accord-Withheld-Rows") != "2" {
			t.Fatalf("extract after r2 withdrew = %d %v %v", second.status, second.rows, second.header)
		}
		for _, row := range second.rows[1:] {
			if row[0] == r2 {
				t.Errorf("withdrawn subject r2 is still in the extract: %v", second.rows)
			}
		}
	})
}

// Before its classification is confirmed, a custodian's extract treats a
// column suggested as the subject key as one: it never leaves raw.
func TestExtractPseudonymisesSuggestedSubject(t *testing.T) {
	n := startNode(t, "")
	cust := n.roleToken("custodian")
	rows := "id;age\n" +
		"0b6f8f2e-7c4e-4f8e-9a51-3c1d2e4f5a61;34\n" +
		"5d2c1a9b-3e4f-4a6b-8c7d-9e0f1a2b3c4d;51\n" +
		"9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f;29\n"
	s, d := n.upload(t, cust, "organisation=riverside-tenants&id=keys", rows)
	if s != 201 {
		t.Fatalf("import = %d %v", s, d)
	}
	if c := d["columns"].([]any)[0].(map[string]any)["suggested_class"]; c != "subject" {
		t.Fatalf("id suggested as %v", c)
	}
	got := n.extract(t, cust, "keys", map[string]any{"purpose": "advocacy.report", "columns": []string{"id", "age"}, "tier": "internal"})
	if got.status != 200 || len(got.rows) != 4 {
		t.Fatalf("extract = %d %v", got.status, got.err)
	}
	for _, row := range got.rows[1:] {
		if !hexPseudonym.MatchString(row[0]) || strings.Contains(rows, row[0]) {
			t.Errorf("subject key %q left raw", row[0])
		}
	}
}

// TestExtractCutShortIsDetected: an extract streams, so a chunk that fails
// to open after rows have gone out cannot change the status; the missing
// trailers tell the client, which fails the read instead of passing a
// partial file off as whole. A failure before any row went out gets its
// own error status.
func TestExtractCutShortIsDetected(t *testing.T) {
	backends(t, func(t *testing.T, n *testNode) {
		cust := n.roleToken("custodian")
		var b strings.Builder
		b.WriteString("member,age\n")
		for i := range dataset.DefaultChunkRows + 500 { // two chunks
			fmt.Fprintf(&b, "m-%05d,%d\n", i, 20+i%50)
		}
		if s, body := n.upload(t, cust, "organisation=riverside-tenants&id=big", b.String()); s != 201 {
			t.Fatalf("import = %d %v", s, body)
		}
		if s, body := n.call(t, cust, "PUT", "/api/v1/datasets/big/classification", map[string]any{"columns": map[string]string{"member": "subject", "age": "quasi"}}); s != 200 {
			t.Fatalf("classify = %d %v", s, body)
		}
		req := accordhttp.ExtractRequest{Purpose: "advocacy.report", Columns: []string{"member", "age"}, Tier: agreement.TierInternal}
		cl := client.New(n.URL, cust)
		read := func() (int, []byte, error) {
			t.Helper()
			x, err := cl.Extract(context.Background(), "big", req)
			if err != nil {
				return 0, nil, err
			}
			defer x.Close()
			body, err := io.ReadAll(x)
			return x.Rows, body, err
		}
		rows, body, err := read()
		if err != nil || rows != dataset.DefaultChunkRows+500 || bytes.Count(body, []byte("\n")) != rows+1 {
			t.Fatalf("whole extract: %v, %d rows counted, %d lines", err, rows, bytes.Count(body, []byte("\n")))
		}
		tamper := func(idx int) {
			t.Helper()
			if _, err := n.Store.ExecContext(context.Background(), n.Store.Rebind(`UPDATE dataset_chunks SET data = ? WHERE dataset_id = ? AND idx = ?`),
				bytes.Repeat([]byte{7}, 64), "big", idx); err != nil {
				t.Fatal(err)
			}
		}
		tamper(1)
		_, body, err = read()
		if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "cut short") {
			t.Fatalf("extract whose second chunk fails: %v after %d bytes", err, len(body))
		}
		if len(body) == 0 {
			t.Fatal("nothing went out before the failing chunk: the test does not test streaming")
		}
		tamper(0)
		if _, _, err := read(); err == nil || errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("extract whose first chunk fails: %v, want an error status", err)
		}
		failed := n.extract(t, cust, "big", req)
		if failed.status < 500 || failed.header.Get("Content-Disposition") != "" || failed.header.Get("Trailer") != "" {
			t.Fatalf("extract whose first chunk fails = %d %v", failed.status, failed.header)
		}
	})
}
