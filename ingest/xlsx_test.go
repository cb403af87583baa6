package ingest

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// odkHeader is shaped like a KoboToolbox / ODK export: form metadata,
// group paths and the server's underscore columns.
var odkHeader = []any{"start", "end", "today", "deviceid", "household/head_name", "household/size",
	"household/phone", "gps", "_id", "_uuid", "_submission_time", "_status"}

// makeXLSX builds a workbook in memory; rows[sheet] are written from A1.
// Rows may be shorter than others to leave trailing cells empty.
func makeXLSX(t testing.TB, sheets []string, rows map[string][][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range rows[name] {
			if row == nil {
				continue // an empty row
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readXLSX(t *testing.T, data []byte, opts Options) ([][]string, error) {
	t.Helper()
	r, err := NewXLSXReader(bytes.NewReader(data), opts)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return readAll(r)
}

func TestXLSXODKExport(t *testing.T) {
	data := makeXLSX(t, []string{"survey", "repeat_members"}, map[string][][]any{
		"survey": {
			odkHeader,
			{"2024-03-01T09:12:00.000+01:00", "2024-03-01T09:30:00.000+01:00", "2024-03-01", "collect:abc123",
				"Amina Yusuf", 5, "+254 712 345 678", "-1.2921 36.8219 1700 5", 1, "5f0c6b1e-8a3e-4f7a-9a63-1b2c3d4e5f60", "2024-03-01T08:31:02", "submitted_via_web"},
			nil, // an empty row in the middle is skipped
			{"2024-03-02T10:00:00.000+01:00", "2024-03-02T10:20:00.000+01:00", "2024-03-02", "collect:def456",
				"Kofi Mensah", 3}, // trailing cells empty
		},
		"repeat_members": {{"name", "age"}, {"Amina", 34}},
	})
	got, err := readXLSX(t, data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d rows with header, want 3: %q", len(got), got)
	}
	wantHeader := []string{"start", "end", "today", "deviceid", "household/head_name", "household/size",
		"household/phone", "gps", "_id", "_uuid", "_submission_time", "_status"}
	if !reflect.DeepEqual(got[0], wantHeader) {
		t.Errorf("header %q", got[0])
	}
	if got[1][4] != "Amina Yusuf" || got[1][5] != "5" || got[1][7] != "-1.2921 36.8219 1700 5" {
		t.Errorf("row 1 %q", got[1])
	}
	if len(got[2]) != len(wantHeader) || got[2][4] != "Kofi Mensah" || got[2][11] != "" {
		t.Errorf("ragged row not padded: %q", got[2])
	}

	// The same workbook, second sheet by name.
	got, err = readXLSX(t, data, Options{Sheet: "repeat_members"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, [][]string{{"name", "age"}, {"Amina", "34"}}) {
		t.Errorf("sheet by name: %q", got)
	}
}

func TestXLSXLineIsRow(t *testing.T) {
	data := makeXLSX(t, []string{"s"}, map[string][][]any{"s": {{"a"}, {"1"}, nil, nil, {"2"}}})
	r, err := NewXLSXReader(bytes.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, want := range []int{2, 5} {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
		if r.Line() != want {
			t.Errorf("row %d, want %d", r.Line(), want)
		}
	}
	if r.Sheet() != "s" {
		t.Errorf("sheet %q", r.Sheet())
	}
}

func TestXLSXErrors(t *testing.T) {
	wide := make([]any, 5000)
	for i := range wide {
		wide[i] = "c" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
	}
	tests := []struct {
		name      string
		data      []byte
		opts      Options
		want      []string
		line, col int
	}{
		{"not a workbook", []byte("a;b\n1;2\n"), Options{}, []string{"not a readable XLSX workbook", "export it as CSV"}, 0, 0},
		{"empty input", nil, Options{}, []string{"not a readable XLSX workbook"}, 0, 0},
		{"empty sheet", makeXLSX(t, []string{"s"}, nil), Options{}, []string{`sheet "s" is empty`}, 0, 0},
		{"missing sheet", makeXLSX(t, []string{"a", "b"}, map[string][][]any{"a": {{"x"}}}), Options{Sheet: "c"}, []string{`no sheet named "c"`, "a, b"}, 0, 0},
		{"first row empty", makeXLSX(t, []string{"s"}, map[string][][]any{"s": {nil, {"a"}}}), Options{}, []string{`sheet "s", row 1`, "first row is empty"}, 1, 0},
		{"duplicate header", makeXLSX(t, []string{"s"}, map[string][][]any{"s": {{"a", "b", "a"}}}), Options{}, []string{`sheet "s", row 1, column C ("a")`, "used by column 1"}, 1, 3},
		{"empty header cell", makeXLSX(t, []string{"s"}, map[string][][]any{"s": {{"a", "", "c"}}}), Options{}, []string{`row 1, column B`, "empty column name"}, 1, 2},
		{"value beyond header", makeXLSX(t, []string{"s"}, map[string][][]any{"s": {{"a", "b"}, {1, 2}, {1, 2, 3}}}), Options{}, []string{`row 3, column C`, "right of the last named column"}, 3, 3},
		{"too many columns", makeXLSX(t, []string{"s"}, map[string][][]any{"s": {wide}}), Options{}, []string{"row 1", "more than the limit of 4096"}, 1, 4097},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readXLSX(t, tt.data, tt.opts)
			wantInvalid(t, err, tt.want...)
			if tt.line == 0 {
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("no ParseError in %v", err)
			}
			if pe.Line != tt.line || pe.Column != tt.col {
				t.Errorf("position row %d column %d, want %d %d", pe.Line, pe.Column, tt.line, tt.col)
			}
		})
	}
}
