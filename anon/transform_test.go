package anon

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func smallPeople(t *testing.T) *Table {
	t.Helper()
	b := NewTableBuilder([]string{"name", "age", "zip", "disease"})
	for _, r := range [][]string{
		{"Ana", "23", "12345", "flu"},
		{"Ben", "27", "12346", "flu"},
		{"Cal", "35", "12399", "cold"},
		{"Dee", "39", "12388", "asthma"},
		{"Eve", "61", "13001", "flu"},
		{"Fay", "88", "13002", "cold"},
	} {
		if err := b.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	return b.Table()
}

func column(t *testing.T, tab *Table, name string) []string {
	t.Helper()
	c, _ := tab.Column(name)
	if c == nil {
		t.Fatalf("no column %s", name)
	}
	out := make([]string, tab.Rows)
	for r := range out {
		out[r] = c.Value(r)
	}
	return out
}

func TestDropAndGeneralise(t *testing.T) {
	tab := smallPeople(t)
	out, err := DropColumns(tab, "name")
	if err != nil || strings.Join(out.Names(), ",") != "age,zip,disease" {
		t.Fatalf("drop: %v %v", out.Names(), err)
	}
	if _, err := DropColumns(tab, "nope"); err == nil {
		t.Error("dropping a missing column succeeded")
	}
	ageCol, _ := tab.Column("age")
	zipCol, _ := tab.Column("zip")
	ah, _ := IntervalHierarchy("age", ageCol.Dict, []float64{10, 20})
	zh, _ := MaskHierarchy("zip", zipCol.Dict)
	qis := []QuasiIdentifier{{"age", ah}, {"zip", zh}}
	g, err := Generalise(out, qis, []int{1, 3})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(column(t, g, "age"), ","); got != "20-29,20-29,30-39,30-39,60-69,80-89" {
		t.Errorf("age = %s", got)
	}
	if got := strings.Join(column(t, g, "zip"), ","); got != "12***,12***,12***,12***,13***,13***" {
		t.Errorf("zip = %s", got)
	}
	if got := column(t, tab, "age")[0]; got != "23" {
		t.Errorf("input modified: %s", got)
	}
	if _, err := Generalise(out, qis, []int{9, 0}); err == nil {
		t.Error("level out of range accepted")
	}
}

func TestTopBottomCode(t *testing.T) {
	tab := smallPeople(t)
	out, err := TopBottomCode(tab, "age", 25, 60)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(column(t, out, "age"), ","); got != "<25,27,35,39,>60,>60" {
		t.Errorf("age = %s", got)
	}
	out, err = TopBottomCode(tab, "age", math.NaN(), 80)
	if err != nil || strings.Join(column(t, out, "age"), ",") != "23,27,35,39,61,>80" {
		t.Errorf("top only: %v %v", column(t, out, "age"), err)
	}
	if _, err := TopBottomCode(tab, "disease", 0, 1); err == nil || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("non-numeric: %v", err)
	}
}

func TestSuppressRecords(t *testing.T) {
	tab := smallPeople(t)
	out, err := SuppressRecords(tab, []int{0, 5})
	if err != nil || out.Rows != 4 || strings.Join(column(t, out, "name"), ",") != "Ben,Cal,Dee,Eve" {
		t.Fatalf("suppress: %v %v", out, err)
	}
	if _, err := SuppressRecords(tab, []int{6}); err == nil {
		t.Error("row out of range accepted")
	}
}

func TestLocalSuppressionReachesK(t *testing.T) {
	full, _ := loadAdult(t)
	tab := headRows(t, full, 2000)
	cols := []string{"sex", "race", "marital-status", "education"}
	for _, k := range []int{2, 5, 20} {
		out, cells, err := LocalSuppression(tab, cols, k)
		if err != nil {
			t.Fatal(err)
		}
		classes := groupStrings(stringCols(out, cols), out.Rows)
		for _, c := range classes {
			if len(c) < k {
				t.Fatalf("k=%d: class of %d rows remains", k, len(c))
			}
		}
		if cells == 0 || cells > out.Rows*len(cols) {
			t.Errorf("k=%d: %d cells suppressed", k, cells)
		}
		t.Logf("k=%d: %d of %d cells suppressed", k, cells, out.Rows*len(cols))
	}
	if _, _, err := LocalSuppression(tab, cols, 5000); err == nil {
		t.Error("k larger than the table accepted")
	}
}

func stringCols(tab *Table, cols []string) [][]string {
	out := make([][]string, len(cols))
	for i, n := range cols {
		c, _ := tab.Column(n)
		out[i] = make([]string, tab.Rows)
		for r := range tab.Rows {
			out[i][r] = c.Value(r)
		}
	}
	return out
}

func TestPseudonymsUnlinkableAcrossAgreements(t *testing.T) {
	master := bytes.Repeat([]byte{7}, 32)
	ka, err := AgreementKey(master, "agreement-a")
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := AgreementKey(master, "agreement-b")
	ka2, _ := AgreementKey(master, "agreement-a")
	if !bytes.Equal(ka, ka2) {
		t.Fatal("key derivation is not deterministic")
	}
	if bytes.Equal(ka, kb) {
		t.Fatal("two agreements got the same key")
	}
	b := NewTableBuilder([]string{"id"})
	for i := range 1000 {
		_ = b.Append([]string{fmt.Sprintf("person-%d", i%700)})
	}
	tab := b.Table()
	pa, err := Pseudonymise(tab, "id", ka)
	if err != nil {
		t.Fatal(err)
	}
	pb, _ := Pseudonymise(tab, "id", kb)
	va, vb := column(t, pa, "id"), column(t, pb, "id")
	inA := map[string]bool{}
	for r, v := range va {
		if len(v) != 32 {
			t.Fatalf("pseudonym %q is not 128 bits of hex", v)
		}
		inA[v] = true
		if r >= 700 && v != va[r-700] {
			t.Fatal("the same person got two pseudonyms under one agreement")
		}
	}
	if len(inA) != 700 {
		t.Fatalf("%d pseudonyms for 700 people", len(inA))
	}
	for _, v := range vb {
		if inA[v] {
			t.Fatal("a pseudonym appears under both agreements: the datasets could be joined")
		}
	}
	if _, err := AgreementKey(master[:16], "a"); err == nil {
		t.Error("short master secret accepted")
	}
	if _, err := Pseudonymise(tab, "id", []byte("short")); err == nil {
		t.Error("short key accepted")
	}
}

func TestMicroaggregateMDAV(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	b := NewTableBuilder([]string{"income", "age", "city"})
	for range 997 {
		inc := math.Exp(10 + rng.NormFloat64())
		_ = b.Append([]string{fmt.Sprintf("%.0f", inc), fmt.Sprint(18 + rng.IntN(70)), "x"})
	}
	tab := b.Table()
	for _, k := range []int{3, 5, 10} {
		out, st, err := Microaggregate(tab, []string{"income", "age"}, k)
		if err != nil {
			t.Fatal(err)
		}
		// Every combination of the aggregated values is shared by ≥ k rows,
		// and no group is larger than 2k−1.
		classes := groupStrings(stringCols(out, []string{"income", "age"}), out.Rows)
		for _, c := range classes {
			if len(c) < k {
				t.Fatalf("k=%d: group of %d", k, len(c))
			}
		}
		if st.Groups < len(classes) {
			t.Errorf("k=%d: %d groups reported, %d found", k, st.Groups, len(classes))
		}
		if st.Groups < 997/(2*k-1) || st.Groups > 997/k {
			t.Errorf("k=%d: %d groups for 997 rows", k, st.Groups)
		}
		ratio := st.SSE / st.SST
		// MDAV on two smooth columns keeps most of the variance; a random
		// partition would lose almost all of it.
		if ratio <= 0 || ratio > 0.05*float64(k) {
			t.Errorf("k=%d: SSE/SST = %.4f is not reasonable", k, ratio)
		}
		t.Logf("k=%d: %d groups, SSE/SST = %.4f", k, st.Groups, ratio)
		if column(t, out, "city")[0] != "x" {
			t.Error("other column changed")
		}
	}
	// The partition itself: every group has k to 2k−1 records, each record
	// is in exactly one.
	pts := make([]float64, 0, 2*500)
	for range 500 {
		pts = append(pts, rng.NormFloat64(), rng.NormFloat64())
	}
	for _, k := range []int{2, 4, 7} {
		seen := make([]bool, 500)
		for _, g := range mdavGroups(pts, 2, 500, k) {
			if len(g) < k || len(g) > 2*k-1 {
				t.Errorf("k=%d: group of %d", k, len(g))
			}
			for _, r := range g {
				if seen[r] {
					t.Fatalf("k=%d: row %d in two groups", k, r)
				}
				seen[r] = true
			}
		}
		for r, ok := range seen {
			if !ok {
				t.Fatalf("k=%d: row %d in no group", k, r)
			}
		}
	}
	if _, _, err := Microaggregate(tab, []string{"city"}, 3); err == nil || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("non-numeric: %v", err)
	}
}

// TestPseudonymiserAgrees: the streaming Pseudonymiser gives exactly the
// pseudonyms Pseudonym does, also once it has forgotten what it kept.
func TestPseudonymiserAgrees(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	p, err := NewPseudonymiser(key)
	if err != nil {
		t.Fatal(err)
	}
	for i := range pseudonymsKept + 500 {
		v := fmt.Sprintf("subject-%d", i%(pseudonymsKept+100))
		if got, want := p.Pseudonym(v), Pseudonym(key, v); got != want {
			t.Fatalf("%s: %s, want %s", v, got, want)
		}
	}
	if len(p.known) > pseudonymsKept {
		t.Fatalf("kept %d pseudonyms", len(p.known))
	}
	if _, err := NewPseudonymiser(key[:15]); err == nil {
		t.Fatal("a 15-byte key was accepted")
	}
}
