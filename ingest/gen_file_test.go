package ingest

import (
	"flag"
	"os"
	"testing"
)

var genFile = flag.String("gen-file", "", "write a generated Adult-like CSV to this path (with -gen-rows) and exit the test")
var genRows = flag.Int("gen-rows", 1_000_000, "rows for -gen-file")

// TestGenerateFile writes a generated file for command-line timing, e.g.
// go test ./ingest -run TestGenerateFile -gen-file /tmp/adult1m.csv
func TestGenerateFile(t *testing.T) {
	if *genFile == "" {
		t.Skip("no -gen-file")
	}
	if err := os.WriteFile(*genFile, adultCSV(1, *genRows), 0o644); err != nil {
		t.Fatal(err)
	}
}
