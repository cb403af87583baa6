package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestTablesUpToDate fails when adult_tables.go no longer matches what the
// generator makes from the test data: run go generate in synth.
func TestTablesUpToDate(t *testing.T) {
	in := filepath.Join("..", "..", "..", "anon", "testdata", "adult", "adult.csv")
	if _, err := os.Stat(in); err != nil {
		t.Skipf("Adult test data not available: %v", err)
	}
	out := filepath.Join(t.TempDir(), "adult_tables.go")
	if err := run(in, out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "adult_tables.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("synth/adult_tables.go is stale: run go generate ./synth")
	}
}
