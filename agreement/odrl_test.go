package agreement

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestExportODRLGolden(t *testing.T) {
	got, err := ExportODRL(mustParse(t, "example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "example.odrl.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := readTestdata(t, "example.odrl.json")
	if !bytes.Equal(got, want) {
		t.Fatalf("ODRL export differs from %s (run go test -run ODRL -update after checking the change):\n%s", golden, got)
	}
}

func TestExportODRLShape(t *testing.T) {
	out, err := ExportODRL(mustParse(t, "example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	ctx := doc["@context"].([]any)
	if ctx[0] != "http://www.w3.org/ns/odrl.jsonld" || ctx[1].(map[string]any)["dpv"] != "https://w3id.org/dpv#" {
		t.Fatalf("context %v", ctx)
	}
	if doc["@type"] != "Agreement" {
		t.Fatalf("type %v", doc["@type"])
	}
	// An ODRL Agreement needs an assigner and an assignee in each rule.
	for _, kind := range []string{"permission", "prohibition"} {
		rules := doc[kind].([]any)
		if len(rules) == 0 {
			t.Fatalf("no %s", kind)
		}
		for _, r := range rules {
			m := r.(map[string]any)
			if m["assigner"] == nil || len(m["assignee"].([]any)) == 0 || m["action"] == "" || m["target"] == nil {
				t.Fatalf("incomplete %s: %v", kind, m)
			}
		}
	}
	s := string(out)
	for _, want := range []string{`"dpv:AcademicResearch"`, `"action": "extract"`, `"action": "distribute"`, `"action": "inform"`,
		`"PT72H"`, `"leftOperand": "purpose"`, `"accord:re-identify"`} {
		if !strings.Contains(s, want) {
			t.Errorf("export lacks %s", want)
		}
	}
}
