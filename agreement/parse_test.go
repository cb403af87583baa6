package agreement

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accord-coalition/accord"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The documented example must parse and lint without a single finding.
func TestParseExample(t *testing.T) {
	src := readTestdata(t, "example.yaml")
	a, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "survey-share" || a.Version != 2 || len(a.Parties) != 3 || len(a.Datasets[0].Columns) != 7 {
		t.Fatalf("unexpected agreement: %+v", a)
	}
	if d := Lint(src, Catalog{}); len(d) != 0 {
		t.Fatalf("example has findings: %v", d)
	}
}

func TestParseMalformed(t *testing.T) {
	base := "id: survey-share\nversion: 1\ntitle: Survey\n"
	cases := []struct {
		name      string
		src       string
		code      string
		line, col int
		msg       string
	}{
		{"syntax: unclosed list", base + "tier: [internal\n", "syntax", 4, 1, "YAML syntax error"},
		{"syntax: tab indentation", base + "validity:\n\tfrom: 2025-01-01\n", "syntax", 5, 2, "YAML syntax error"},
		{"syntax: bad indentation", base + "validity:\n  from: 2025-01-01\n until: 2026-01-01\n", "syntax", 6, 2, "YAML syntax error"},
		{"empty document", "", "empty", 1, 1, "empty"},
		{"only a comment", "# nothing\n", "empty", 1, 1, "empty"},
		{"not a mapping", "- a\n- b\n", "type", 1, 1, "mapping"},
		{"unknown top-level field", base + "titel: Survey again\n", "unknown-field", 4, 1, "unknown field `titel`"},
		{"unknown nested field", base + "parties:\n  - organisation: a1\n    signer:\n      member: m\n      kee: x\n", "unknown-field", 8, 7, "unknown field `kee` in `parties[0].signer`"},
		{"duplicate top-level key", base + "title: Other\n", "duplicate-key", 4, 1, "key `title` appears twice"},
		{"duplicate nested key", base + "privacy:\n  min_cell_size: 5\n  min_cell_size: 10\n", "duplicate-key", 6, 3, "appears twice"},
		{"duplicate schema column", base + "datasets:\n  - id: d1\n    schema:\n      age: quasi\n      age: sensitive\n", "duplicate-key", 8, 7, "key `age` appears twice"},
		{"version not a number", "id: x1\nversion: two\n", "type", 2, 10, "whole number"},
		{"version a fraction", "id: x1\nversion: 1.5\n", "type", 2, 10, "whole number"},
		{"epsilon not a number", base + "privacy:\n  epsilon:\n    budget: lots\n", "type", 6, 13, "number"},
		{"epsilon infinite", base + "privacy:\n  epsilon:\n    budget: .inf\n", "type", 6, 13, "number"},
		{"parties not a list", base + "parties: everyone\n", "type", 4, 10, "must be a list"},
		{"title is a list", "title: [a, b]\n", "type", 1, 8, "single value"},
		{"unknown tier", base + "tier: secret\n", "unknown-tier", 4, 7, "unknown tier `secret`"},
		{"unknown use", base + "datasets:\n  - id: d1\n    columns:\n      - {name: a, use: aggregate}\n", "unknown-use", 7, 24, "unknown use `aggregate`"},
		{"unknown action", base + "permissions:\n  - actions: [query, delete]\n", "unknown-action", 5, 22, "unknown action `delete`"},
		{"unknown party role", base + "parties:\n  - organisation: a1\n    roles: [custodain]\n", "unknown-party role", 6, 13, "did you mean"},
		{"bad key", base + "parties:\n  - signer: {key: 'ed25519:AAAA'}\n", "key", 5, 19, "32 bytes"},
		{"key without algorithm", base + "parties:\n  - signer: {key: 'AAAA'}\n", "key", 5, 19, "ed25519:"},
		{"bad date", base + "validity:\n  from: 2025-13-01\n", "type", 5, 9, "not a date"},
		{"bad duration", base + "retention: 1 year\n", "type", 4, 12, "ISO 8601"},
		{"bad deletion moment", base + "obligations:\n  - {duty: deletion, at: tomorrow}\n", "unknown-moment", 5, 26, "deletion moment"},
		{"anchor and alias", base + "purposes:\n  - &p {id: a.b, description: x}\n  - *p\n", "alias", 5, 5, "anchors and aliases"},
		{"merge key", base + "privacy:\n  <<: {k: 1}\n", "unknown-field", 5, 3, "unknown field `<<`"},
		{"second document", base + "---\nid: other\n", "multiple-documents", 4, 1, "only one YAML document"},
		{"custom tag", base + "tier: !secret internal\n", "tag", 4, 7, "custom tag"},
		{"empty list item", base + "purposes:\n  -\n  - id: a.b\n", "type", 5, 4, "is empty"},
		{"complex key", base + "? [a, b]\n: c\n", "key", 4, 3, "plain words"},
		{"syntax: block sequence in mapping", base + "- x\n", "syntax", 4, 1, "did not find expected key"},
		{"syntax: unclosed quote", base + "tier: \"internal\n", "syntax", 4, 1, "end of stream"},
		{"syntax: unknown alias", base + "\ntier: *t\n", "syntax", 5, 1, "unknown anchor"},
		{"missing required field", "version: 1\ntitle: T\n", "required", 1, 1, "needs an id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.src))
			if accord.ErrorCode(err) != accord.EINVALID {
				t.Fatalf("want EINVALID, got %v", err)
			}
			pe, ok := AsParseError(err)
			if !ok {
				t.Fatalf("no ParseError in %v", err)
			}
			for _, d := range pe.Diagnostics {
				if d.Code == c.code && d.Line == c.line && d.Column == c.col && strings.Contains(d.Message+" "+d.Hint, c.msg) {
					return
				}
			}
			t.Fatalf("want %s at %d:%d with %q, got:\n%s", c.code, c.line, c.col, c.msg, diagList(pe.Diagnostics))
		})
	}
}

func TestParseErrorMessageHasPosition(t *testing.T) {
	_, err := Parse([]byte("id: x1\nversion: 1\nfoo: bar\n"))
	msg := accord.ErrorMessage(err)
	if !strings.Contains(msg, "line 3, column 1") || !strings.Contains(msg, "unknown field `foo`") {
		t.Fatalf("message %q lacks position or cause", msg)
	}
	pe, _ := AsParseError(err)
	if pe.Line() != 3 || pe.Column() != 1 {
		t.Fatalf("position %d:%d", pe.Line(), pe.Column())
	}
}

func TestUnknownFieldSuggests(t *testing.T) {
	d := Lint([]byte("id: x1\nretension: P1Y\n"), Catalog{})
	if len(d) == 0 || d[0].Hint != "did you mean `retention`?" {
		t.Fatalf("got %v", d)
	}
}

func TestDateOnlyUntilMeansEndOfDay(t *testing.T) {
	a := mustParse(t, "example.yaml")
	if !a.Validity.Until.Equal(date(2027, 1, 1)) || !a.Validity.From.Equal(date(2025, 1, 1)) {
		t.Fatalf("validity %v", a.Validity)
	}
}

func TestExampleAmendsV1(t *testing.T) {
	if err := CheckAmendment(mustParse(t, "example-v1.yaml"), mustParse(t, "example.yaml")); err != nil {
		t.Fatal(err)
	}
}

func TestDuration(t *testing.T) {
	for in, want := range map[string]Duration{"P1Y": {Years: 1}, "P18M": {Months: 18}, "P2W": {Weeks: 2},
		"PT72H": {Hours: 72}, "P1Y2M3DT4H5M6S": {1, 2, 0, 3, 4, 5, 6}} {
		got, err := ParseDuration(in)
		if err != nil || got != want || got.String() != in {
			t.Errorf("%s: %+v %v %s", in, got, err, got.String())
		}
	}
	for _, bad := range []string{"", "P", "PT", "1Y", "P1.5Y", "P-1D", "P1H", "PT1D", "P1Y1Y", "P1YT", "PTT1H", "P9999999D"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The documentation shows the complete example; it must not drift from
// the file the tests parse.
func TestDocsShowTheExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "agreement.md"))
	if err != nil {
		t.Skip("docs not present:", err)
	}
	if !strings.Contains(string(doc), "```yaml\n"+string(readTestdata(t, "example.yaml"))+"```") {
		t.Fatal("docs/agreement.md does not contain testdata/example.yaml verbatim")
	}
}
