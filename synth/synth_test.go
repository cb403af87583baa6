package synth

import (
	"bytes"
	"encoding/csv"
	"io"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/accord-coalition/accord/anon"
)

func readCSV(t *testing.T, r io.Reader) *anon.Table {
	t.Helper()
	cr := csv.NewReader(r)
	cr.Comma = ';'
	header, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	b := anon.NewTableBuilder(header)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return b.Table()
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Append(rec); err != nil {
			t.Fatal(err)
		}
	}
}

func sameTable(a, b *anon.Table) bool {
	if a.Rows != b.Rows || len(a.Columns) != len(b.Columns) {
		return false
	}
	for i, c := range a.Columns {
		d := b.Columns[i]
		if c.Name != d.Name || !slices.Equal(c.Dict, d.Dict) || !slices.Equal(c.Codes, d.Codes) {
			return false
		}
	}
	return true
}

func TestAdultDeterministic(t *testing.T) {
	a, b := Adult(5000, 42), Adult(5000, 42)
	if !sameTable(a, b) {
		t.Fatal("the same seed gave different tables")
	}
	if sameTable(a, Adult(5000, 43)) {
		t.Fatal("different seeds gave the same table")
	}
	// A shorter table is a prefix of a longer one with the same seed.
	short := Adult(100, 42)
	for c, col := range short.Columns {
		for r := range short.Rows {
			if col.Value(r) != a.Columns[c].Value(r) {
				t.Fatalf("row %d differs between 100 and 5000 rows", r)
			}
		}
	}
	if got := Adult(0, 1); got.Rows != 0 || len(got.Columns) != len(AdultColumns) {
		t.Fatalf("empty table: %+v", got)
	}
}

func TestWriteAdultCSVMatchesTable(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteAdultCSV(&buf, 3000, 9); err != nil {
		t.Fatal(err)
	}
	if !sameTable(readCSV(t, &buf), Adult(3000, 9)) {
		t.Fatal("CSV and table differ for the same seed")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestWriteAdultCSVReportsErrors(t *testing.T) {
	if err := WriteAdultCSV(failingWriter{}, 100_000, 1); err == nil {
		t.Fatal("no error from a failing writer")
	}
}

// share returns the fraction of rows with value v in column c, and among
// those the fraction that also have value w in column d.
func share(t *anon.Table, c string, v string, d string, w string) (float64, float64) {
	cc, _ := t.Column(c)
	dc, _ := t.Column(d)
	var nv, nvw int
	for r := range t.Rows {
		if cc.Value(r) == v {
			nv++
			if dc.Value(r) == w {
				nvw++
			}
		}
	}
	return float64(nv) / float64(t.Rows), float64(nvw) / float64(nv)
}

func TestAdultKeepsMarginalsAndCorrelations(t *testing.T) {
	f, err := os.Open("../anon/testdata/adult/adult.csv")
	if err != nil {
		t.Skipf("Adult test data not available: %v", err)
	}
	defer f.Close()
	adult := readCSV(t, f)
	syn := Adult(200_000, 1)

	// Every column's distribution is within 1% total variation of Adult's.
	for _, name := range AdultColumns {
		rc, _ := adult.Column(name)
		sc, _ := syn.Column(name)
		p := map[string]float64{}
		for r := range adult.Rows {
			p[rc.Value(r)] += 1 / float64(adult.Rows)
		}
		for r := range syn.Rows {
			p[sc.Value(r)] -= 1 / float64(syn.Rows)
		}
		var tv float64
		for _, d := range p {
			tv += math.Abs(d) / 2
		}
		if tv > 0.01 {
			t.Errorf("%s: total variation %.4f from Adult", name, tv)
		}
	}
	// Conditional shares that make Adult Adult.
	for _, c := range []struct{ col, v, col2, w string }{
		{"education", "Bachelors", "salary-class", ">50K"},
		{"marital-status", "Married-civ-spouse", "salary-class", ">50K"},
		{"occupation", "Craft-repair", "sex", "Male"},
		{"native-country", "Mexico", "race", "White"},
		{"marital-status", "Never-married", "sex", "Female"},
	} {
		_, want := share(adult, c.col, c.v, c.col2, c.w)
		_, got := share(syn, c.col, c.v, c.col2, c.w)
		if math.Abs(got-want) > 0.03 {
			t.Errorf("P(%s=%s | %s=%s): synthetic %.3f, Adult %.3f", c.col2, c.w, c.col, c.v, got, want)
		}
	}
}

func TestAdultHasNewCombinations(t *testing.T) {
	sizes, err := anon.ClassSizes(Adult(100_000, 3), AdultColumns)
	if err != nil {
		t.Fatal(err)
	}
	uniques := 0
	for _, s := range sizes {
		if s == 1 {
			uniques++
		}
	}
	// Adult itself has 19,502 distinct rows in 30,162; copies of it could
	// never exceed that many classes.
	if len(sizes) < 30_000 || uniques < 20_000 {
		t.Errorf("%d classes and %d uniques in 100,000 rows: too few new combinations", len(sizes), uniques)
	}
}

func BenchmarkAdult(b *testing.B) {
	for b.Loop() {
		Adult(100_000, 1)
	}
	b.ReportMetric(100_000*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkWriteAdultCSV(b *testing.B) {
	for b.Loop() {
		if err := WriteAdultCSV(io.Discard, 100_000, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(100_000*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
