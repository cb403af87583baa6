package http_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accord-coalition/accord"
)

const surveyCSV = "name;email;age;sex;postcode;diagnosis\n" +
	"Ama Owusu;ama@example.org;34;F;E1 6AN;asthma\n" +
	"Ben Cole;ben@example.org;34;M;E1 6AN;diabetes\n" +
	"Cy Diaz;cy@example.org;51;M;N4 2DE;asthma\n" +
	"Di Evans;di@example.org;29;F;N4 2DE;none\n"

// upload posts a CSV to the import endpoint.
func (n *testNode) upload(t *testing.T, token, query, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", n.URL+"/api/v1/datasets?"+query, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	if err := jsonUnmarshal(b, &out); err != nil {
		t.Fatalf("reply: %s", b)
	}
	return resp.StatusCode, out
}

func TestDatasetImportClassifyRiskDelete(t *testing.T) {
	backends(t, func(t *testing.T, n *testNode) {
		cust := n.roleToken("custodian")
		s, d := n.upload(t, cust, "organisation=riverside-tenants&id=survey&name=Health+survey", surveyCSV)
		if s != 201 || d["rows"].(float64) != 4 {
			t.Fatalf("import = %d %v", s, d)
		}
		classes := map[string]string{}
		for _, c := range d["columns"].([]any) {
			c := c.(map[string]any)
			classes[c["name"].(string)] = c["suggested_class"].(string)
		}
		if classes["email"] != accord.ClassIdentifier || classes["name"] != accord.ClassIdentifier {
			t.Errorf("suggested classes = %v", classes)
		}
		// Risk before confirmation needs explicit quasi-identifiers.
		if s, body := n.call(t, cust, "GET", "/api/v1/datasets/survey/risk?purpose=governance.risk-assessment", nil); s != 400 || !strings.Contains(fmt.Sprint(body), "confirm") {
			t.Errorf("risk without classification = %d %v", s, body)
		}
		confirm := map[string]any{"columns": map[string]string{"name": "identifier", "email": "identifier", "age": "quasi", "sex": "quasi", "postcode": "quasi", "diagnosis": "sensitive"}}
		if s, body := n.call(t, cust, "PUT", "/api/v1/datasets/survey/classification", map[string]any{"columns": map[string]string{"age": "quasi"}}); s != 400 || !strings.Contains(fmt.Sprint(body), "missing") {
			t.Errorf("partial classification = %d %v", s, body)
		}
		if s, body := n.call(t, cust, "PUT", "/api/v1/datasets/survey/classification", map[string]any{"columns": map[string]string{"age": "secret"}}); s != 400 {
			t.Errorf("unknown class = %d %v", s, body)
		}
		if s, body := n.call(t, cust, "PUT", "/api/v1/datasets/survey/classification", confirm); s != 200 || body["confirmed_by"] != "riverside-tenants-custodian" {
			t.Fatalf("classify = %d %v", s, body)
		}
		s, risk := n.call(t, cust, "GET", "/api/v1/datasets/survey/risk?purpose=governance.risk-assessment", nil)
		if s != 200 || risk["records"].(float64) != 4 || risk["sample_uniques"].(float64) != 4 {
			t.Fatalf("risk = %d %v", s, risk)
		}
		if s, risk := n.call(t, cust, "GET", "/api/v1/datasets/survey/risk?qi=sex&purpose=governance.risk-assessment", nil); s != 200 || risk["classes"].(float64) != 2 {
			t.Fatalf("risk on sex = %d %v", s, risk)
		}
		// The rows are stored encrypted: no plaintext value is in the database.
		if n.DatabaseURL == "" {
			for _, f := range []string{"accord.db", "accord.db-wal"} {
				b, _ := os.ReadFile(filepath.Join(n.DataDir, f))
				if bytes.Contains(b, []byte("ama@example.org")) || bytes.Contains(b, []byte("diabetes")) {
					t.Fatalf("%s holds a plaintext value", f)
				}
			}
		}
		if s, _ := n.call(t, n.roleToken("analyst"), "DELETE", "/api/v1/datasets/survey", nil); s != 403 {
			t.Fatalf("analyst delete = %d", s)
		}
		if s, _ := n.call(t, cust, "DELETE", "/api/v1/datasets/survey", nil); s != 200 {
			t.Fatalf("delete = %d", s)
		}
		if _, err := n.Keyring.Open(context.Background(), "dataset:survey", []byte("x"), nil); accord.ErrorCode(err) != accord.ENOTFOUND {
			t.Fatalf("data key survived deletion: %v", err)
		}
		if s, _ := n.call(t, cust, "GET", "/api/v1/datasets/survey", nil); s != 404 {
			t.Fatalf("deleted dataset = %d", s)
		}
	})
}

func TestDatasetImportBadInputLeavesNothing(t *testing.T) {
	n := startNode(t, "")
	cust := n.roleToken("custodian")
	big := strings.Repeat("a;b\n1;2\n", 20000) // several chunks before the bad row
	cases := []struct{ name, query, body, want string }{
		{"ragged row", "id=ragged", "a;b;c\n1;2;3\n4;5\n", "line 3"},
		{"ragged after many rows", "id=late", "a;b\n" + big[4:] + "1;2;3\n", "line 40001"},
		{"empty file", "id=empty", "", "empty"},
		{"invalid utf-8", "id=utf", "a;b\n\xff\xfe;2\n", "UTF-8"},
		{"bad id", "id=Bad+Id", "a;b\n1;2\n", "lowercase"},
		{"bad format", "id=fmt&format=pdf", "a;b\n1;2\n", "format"},
		{"no organisation", "id=noorg&organisation=", "a;b\n1;2\n", "organisation"},
	}
	for _, c := range cases {
		q := "organisation=riverside-tenants&" + c.query
		if c.name == "no organisation" {
			q = c.query
		}
		s, body := n.upload(t, cust, q, c.body)
		if s != 400 || !strings.Contains(fmt.Sprint(body), c.want) {
			t.Errorf("%s: %d %v, want 400 mentioning %q", c.name, s, body, c.want)
		}
	}
	list, err := n.Store.Datasets(context.Background(), "")
	if err != nil || len(list) != 0 {
		t.Fatalf("failed imports left datasets: %v %v", list, err)
	}
	for _, id := range []string{"ragged", "late"} {
		if _, err := n.Store.Key(context.Background(), "dataset:"+id); accord.ErrorCode(err) != accord.ENOTFOUND {
			t.Errorf("failed import %s left its data key", id)
		}
	}
	// A duplicate id is a conflict and keeps the first dataset intact.
	if s, _ := n.upload(t, cust, "organisation=riverside-tenants&id=dup", "a;b\n1;2\n"); s != 201 {
		t.Fatal("first import failed")
	}
	if s, body := n.upload(t, cust, "organisation=riverside-tenants&id=dup", "a;b\n3;4\n"); s != 409 {
		t.Fatalf("duplicate import = %d %v", s, body)
	}
	if s, d := n.call(t, cust, "GET", "/api/v1/datasets/dup", nil); s != 200 || d["rows"].(float64) != 1 {
		t.Fatalf("first dataset after conflict = %d %v", s, d)
	}
}

func TestDatasetEndpointsForEveryRole(t *testing.T) {
	n := startNode(t, "")
	if s, _ := n.upload(t, n.roleToken("custodian"), "organisation=riverside-tenants&id=base", surveyCSV); s != 201 {
		t.Fatal("seed import failed")
	}
	if s, _ := n.upload(t, n.Tokens["eastside-health-custodian"].Token, "organisation=eastside-health&id=other", surveyCSV); s != 201 {
		t.Fatal("seed import failed")
	}
	classify := map[string]any{"columns": map[string]string{"name": "identifier", "email": "identifier", "age": "quasi", "sex": "quasi", "postcode": "quasi", "diagnosis": "sensitive"}}
	cases := []struct {
		method, path string
		body         any
		allowed      []string
		ok           int
	}{
		{"GET", "/api/v1/datasets?organisation=riverside-tenants", nil, []string{"steward", "custodian", "analyst"}, 200},
		{"GET", "/api/v1/datasets/base", nil, []string{"steward", "custodian", "analyst"}, 200},
		{"GET", "/api/v1/datasets/other", nil, nil, 200},
		{"PUT", "/api/v1/datasets/base/classification", classify, []string{"custodian"}, 200},
		{"GET", "/api/v1/datasets/base/risk?qi=age,sex&purpose=governance.risk-assessment", nil, []string{"steward", "custodian", "analyst"}, 200},
		{"GET", "/api/v1/datasets/other/risk?qi=age,sex&purpose=governance.risk-assessment", nil, nil, 200},
		{"DELETE", "/api/v1/datasets/other", nil, nil, 200},
	}
	for _, c := range cases {
		for _, role := range allRoles {
			s, body := n.call(t, n.roleToken(role), c.method, c.path, c.body)
			want := 403
			if role == "anonymous" {
				want = 401
			}
			for _, a := range c.allowed {
				if a == role {
					want = c.ok
				}
			}
			if s != want {
				t.Errorf("%s %s as %s = %d %v, want %d", c.method, c.path, role, s, body, want)
			}
		}
	}
	for _, role := range allRoles {
		want := 403
		switch role {
		case "anonymous":
			want = 401
		case "custodian":
			want = 201
		}
		if s, body := n.upload(t, n.roleToken(role), "organisation=riverside-tenants&id=by-"+role, "a;b\n1;2\n"); s != want {
			t.Errorf("import as %s = %d %v, want %d", role, s, body, want)
		}
	}
}
