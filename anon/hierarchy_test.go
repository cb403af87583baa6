package anon

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

func TestReadHierarchyMalformed(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "empty hierarchy file"},
		{"blank lines only", "\n\n", "empty hierarchy file"},
		{"ragged", "a;x;*\nb;*\n", "h.csv: line 2: 2 levels, but line 1 has 3"},
		{"ragged after blank line", "a;x;*\n\nb;x;y;*\n", "h.csv: line 3: 4 levels"},
		{"single level", "a\nb\n", "line 1: 1 level"},
		{"duplicate", "a;*\nb;*\na;*\n", `h.csv: line 3, column 1: value "a" already defined on line 1`},
		{"invalid utf-8", "a;*\nb\xff;*\n", "h.csv: line 2, column 1: value is not valid UTF-8"},
		{"invalid utf-8 later column", "a;x\xfe;*\n", "line 1, column 3"},
		{"two parents", "a;x;*\nb;x;y\n", `h.csv: line 2, column 3: "x" generalises to "y" here but to "*"`},
		{"bad quote", "a;\"x;*\n", "h.csv: line 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadHierarchy(strings.NewReader(tc.in), "h.csv", "c")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want error containing %q", err, tc.want)
			}
		})
	}
}

func TestReadHierarchyAdult(t *testing.T) {
	f, err := os.Open("testdata/adult/adult_hierarchy_age.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := ReadHierarchy(f, "age.csv", "age")
	if err != nil {
		t.Fatal(err)
	}
	if h.Levels() != 5 || h.Rows[0][0] != "1" || h.Rows[0][4] != "*" {
		t.Fatalf("unexpected hierarchy: %d levels, first row %v", h.Levels(), h.Rows[0])
	}
	// BOM and CRLF are accepted.
	h, err = ReadHierarchy(strings.NewReader("\ufeffa;*\r\nb;*\r\n"), "x", "x")
	if err != nil || h.Rows[0][0] != "a" || h.Rows[1][1] != "*" {
		t.Fatalf("BOM/CRLF: %v %v", h, err)
	}
}

func TestLoadHierarchies(t *testing.T) {
	fsys := fstest.MapFS{
		"h/adult_hierarchy_age.csv": {Data: []byte("1;*\n2;*\n")},
		"h/sex.csv":                 {Data: []byte("m;*\nf;*\n")},
		"h/x.csv":                   {Data: []byte("1;*\n")},
		"h/data_hierarchy_x.csv":    {Data: []byte("1;*\n")},
		"h/bad_hierarchy_bad.csv":   {Data: []byte("1;*\n1;*\n")},
	}
	hs, err := LoadHierarchies(fsys, "h", []string{"age", "sex"})
	if err != nil {
		t.Fatal(err)
	}
	if hs["age"].Levels() != 2 || hs["sex"].Rows[1][0] != "f" {
		t.Fatalf("loaded %v", hs)
	}
	for cols, want := range map[string]string{
		"zip": `no file for column "zip"`,
		"x":   "matches several files",
		"bad": "h/bad_hierarchy_bad.csv: line 2, column 1",
	} {
		if _, err := LoadHierarchies(fsys, "h", []string{cols}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", cols, err, want)
		}
	}
	cols, err := HierarchyColumns(fsys, "h", []string{"name", "sex", "age", "zip"})
	if err != nil || strings.Join(cols, ",") != "sex,age" {
		t.Errorf("HierarchyColumns = %v, %v", cols, err)
	}
	full, hs2 := loadAdult(t)
	if len(hs2) != 9 || full.Rows != 30162 {
		t.Fatalf("adult: %d hierarchies, %d rows", len(hs2), full.Rows)
	}
}

func TestEncodeHierarchy(t *testing.T) {
	b := NewTableBuilder([]string{"zip"})
	for _, v := range []string{"12345", "12399", "12345", "13000"} {
		_ = b.Append([]string{v})
	}
	tab := b.Table()
	col := tab.Columns[0]
	h, err := MaskHierarchy("zip", col.Dict)
	if err != nil {
		t.Fatal(err)
	}
	e, err := EncodeHierarchy(h, col)
	if err != nil {
		t.Fatal(err)
	}
	for l, want := range []int{3, 3, 2, 2, 1, 1} {
		if got := e.Cardinality(l); got != want {
			t.Errorf("level %d: %d distinct values, want %d", l, got, want)
		}
	}
	if got := e.Labels[2][e.Maps[2][col.Codes[1]]]; got != "123**" {
		t.Errorf("12399 at level 2 = %q", got)
	}
	up := e.Up(1, 3)
	for c := range col.Dict {
		if up[e.Maps[1][c]] != e.Maps[3][c] {
			t.Errorf("Up(1,3) disagrees with Maps for %s", col.Dict[c])
		}
	}
	// A value missing from the hierarchy names file, value, column and row.
	h.Rows = h.Rows[:2]
	h.Source = "zip.csv"
	_, err = EncodeHierarchy(h, col)
	if err == nil || !strings.Contains(err.Error(), `zip.csv: value "13000" of column "zip" (row 4) is not in the hierarchy`) {
		t.Fatalf("missing value: %v", err)
	}
}

func TestHierarchyBuilders(t *testing.T) {
	h, err := IntervalHierarchy("age", []string{"3", "17", "42", "99"}, []float64{5, 10, 20})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"42", "40-44", "40-49", "40-59", "*"}
	if strings.Join(h.Rows[2], ";") != strings.Join(want, ";") {
		t.Errorf("interval row = %v, want %v", h.Rows[2], want)
	}
	if _, err := IntervalHierarchy("age", []string{"1"}, []float64{5, 7}); err == nil {
		t.Error("widths 5,7 accepted")
	}
	if _, err := IntervalHierarchy("age", []string{"x"}, []float64{5}); err == nil {
		t.Error("non-number accepted")
	}
	h, err = IntervalHierarchy("w", []string{"1.5", "2.25"}, []float64{0.5, 1})
	if err != nil || h.Rows[1][1] != "[2,2.5)" || h.Rows[1][2] != "[2,3)" {
		t.Errorf("float intervals: %v %v", h, err)
	}

	h, err = DateHierarchy("born", []string{"1987-03-14", "2001-12-01"}, "2006-01-02")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(h.Rows[0], ";"); got != "1987-03-14;1987-03;1987;1980s;*" {
		t.Errorf("date row = %s", got)
	}
	if _, err := DateHierarchy("born", []string{"14/03/1987"}, "2006-01-02"); err == nil {
		t.Error("bad date accepted")
	}

	h, err = MaskHierarchy("zip", []string{"12345", "123"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(h.Rows[0], ";"); got != "12345;1234*;123**;12***;1****;*" {
		t.Errorf("mask row = %s", got)
	}
	if got := strings.Join(h.Rows[1], ";"); got != "123;12*;1**;***;***;*" {
		t.Errorf("short mask row = %s", got)
	}

	h, err = OrderedGroupHierarchy("edu", []string{"none", "primary", "secondary", "bachelor", "master"}, []int{2, 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(h.Rows[2], ";"); got != "secondary;secondary..bachelor;none..bachelor;*" {
		t.Errorf("grouping row = %s", got)
	}
	if got := strings.Join(h.Rows[4], ";"); got != "master;master;master;*" {
		t.Errorf("last grouping row = %s", got)
	}
}

func FuzzReadHierarchy(f *testing.F) {
	for _, s := range []string{"a;x;*\nb;x;*\n", "1;0-4;*\n", "a;*\nb\xff;*\n", "a;\"x\";*", "", "\ufeffa;*\r\n"} {
		f.Add([]byte(s))
	}
	if data, err := os.ReadFile("testdata/adult/adult_hierarchy_education.csv"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadHierarchy(strings.NewReader(string(data)), "fuzz.csv", "c")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		// Whatever is accepted must satisfy the invariants the search uses.
		if err := h.Validate(); err != nil {
			t.Fatalf("accepted hierarchy fails validation: %v", err)
		}
		b := NewTableBuilder([]string{"c"})
		for _, r := range h.Rows {
			_ = b.Append([]string{r[0]})
		}
		e, err := EncodeHierarchy(h, b.Table().Columns[0])
		if err != nil {
			t.Fatalf("encoding its own values: %v", err)
		}
		for l := 1; l < e.Levels(); l++ {
			if e.Cardinality(l) > e.Cardinality(l-1) {
				t.Fatalf("level %d has more values than level %d", l, l-1)
			}
		}
	})
}
