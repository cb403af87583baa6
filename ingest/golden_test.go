package ingest

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden is what a file reads as: its records and the suggestions.
type golden struct {
	Header      []string           `json:"header"`
	Records     [][]string         `json:"records"`
	Suggestions []ColumnSuggestion `json:"suggestions"`
}

func TestGolden(t *testing.T) {
	defer func(f func() time.Time) { now = f }(now)
	now = func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		file string
		opts Options
	}{
		{"adult_head.csv", Options{}},
		{"messy.csv", Options{}},
		{"latin1.csv", Options{Encoding: "latin-1"}},
		{"kobo.jsonl", Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r, err := OpenFile(filepath.Join("testdata", tt.file), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			recs, err := readAll(r)
			if err != nil {
				t.Fatal(err)
			}
			g := golden{Header: recs[0], Records: recs[1:], Suggestions: Suggest(recs[0], recs[1:])}
			if len(g.Records) > 5 {
				g.Records = g.Records[:5] // the suggestions cover the rest
			}
			got, err := json.MarshalIndent(g, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", tt.file+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("%s differs from %s; run with -update and review the diff:\n%s", tt.file, path, got)
			}
		})
	}
}
