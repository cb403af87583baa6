package agreement

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input makes the parser panic and that every
// problem it reports has a position a person can go to. Seeds are the
// documented examples (several kilobytes each), so keep minimisation short
// or the fuzzer spends its time shrinking them:
//
//	go test ./agreement -run XXX -fuzz FuzzParse -fuzztime 30s -fuzzminimizetime 3s
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"", "---", "~", "[]", "{}", "id: x\n", "id: [\n", "a: &a [*a]\n", "id: x1\nid: x2\n",
		"version: 99999999999999999999\n", "privacy: {epsilon: {budget: .nan}}\n",
		"parties:\n  - signer: {key: 'ed25519:'}\n", "retention: P1Y2M3W4DT5H6M7S\n",
		"validity: {from: 2025-02-30, until: 2025-01-01T25:00:00Z}\n", "? [a]\n: b\n",
		"%YAML 1.2\n---\nid: x1\n", "datasets:\n  - schema: {a: identifier, a: quasi}\n",
		"permissions:\n  - actions: [query]\n    purposes: [a..b]\n", "\xff\xfe", "id: \"\\u0000\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		a, err := Parse(src)
		if err != nil {
			pe, ok := AsParseError(err)
			if !ok || len(pe.Diagnostics) == 0 {
				t.Fatalf("error without diagnostics: %v", err)
			}
			for _, d := range pe.Diagnostics {
				if d.Line < 1 || d.Column < 1 || d.Message == "" {
					t.Fatalf("diagnostic without position or message: %+v", d)
				}
			}
		} else {
			if _, err := Canonical(a); err != nil {
				t.Fatalf("parsed agreement has no canonical form: %v", err)
			}
			if _, err := ExportODRL(a); err != nil {
				t.Fatalf("parsed agreement cannot be exported: %v", err)
			}
			if d := Diff(a, a); len(d) != 0 {
				t.Fatalf("agreement differs from itself: %v", d)
			}
		}
		for _, d := range Lint(src, Catalog{}) {
			if d.Line < 1 || d.Column < 1 {
				t.Fatalf("lint diagnostic without position: %+v", d)
			}
		}
	})
}
