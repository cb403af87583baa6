package agreement

import (
	"os"
	"path/filepath"
	"testing"
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
