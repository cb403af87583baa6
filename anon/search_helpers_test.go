package anon

import (
	"encoding/csv"
	"os"
	"sync"
	"testing"
)

var adultColumns = []string{"sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation", "salary-class"}

var adultOnce struct {
	sync.Once
	t   *Table
	hs  map[string]*Hierarchy
	err error
}

// loadAdult reads testdata/adult once per test binary.
func loadAdult(tb testing.TB) (*Table, map[string]*Hierarchy) {
	tb.Helper()
	adultOnce.Do(func() {
		f, err := os.Open("testdata/adult/adult.csv")
		if err != nil {
			adultOnce.err = err
			return
		}
		defer f.Close()
		r := csv.NewReader(f)
		r.Comma = ';'
		recs, err := r.ReadAll()
		if err != nil {
			adultOnce.err = err
			return
		}
		b := NewTableBuilder(recs[0])
		for _, rec := range recs[1:] {
			if err := b.Append(rec); err != nil {
				adultOnce.err = err
				return
			}
		}
		adultOnce.t = b.Table()
		adultOnce.hs, adultOnce.err = LoadHierarchies(os.DirFS("testdata"), "adult", adultColumns)
	})
	if adultOnce.err != nil {
		tb.Fatal(adultOnce.err)
	}
	return adultOnce.t, adultOnce.hs
}

// adultQIs returns quasi-identifiers for the named Adult columns.
func adultQIs(hs map[string]*Hierarchy, names ...string) []QuasiIdentifier {
	var out []QuasiIdentifier
	for _, n := range names {
		out = append(out, QuasiIdentifier{Column: n, Hierarchy: hs[n]})
	}
	return out
}
