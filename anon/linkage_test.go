package anon

import (
	"strings"
	"testing"
)

func TestLinkageHandComputed(t *testing.T) {
	// A and B share sex (by name, differently written) and age (renamed
	// but with the same values); B's town has no counterpart in A.
	a := riskTable(t, []string{"Sex", "age", "diagnosis"}, [][]string{
		{"F", "30", "flu"}, // unique in A, one match in B: re-identifiable
		{"F", "31", "flu"}, // unique in A, two matches in B
		{"M", "30", "hiv"}, // two in A, one match in B
		{"M", "30", "flu"},
		{"M", "40", "flu"}, // unique in A, no match in B
	})
	b := riskTable(t, []string{"years", "sex", "town"}, [][]string{
		{"30", "F", "Oslo"},
		{"31", "F", "Oslo"}, {"31", "F", "Bergen"},
		{"30", "M", "Oslo"},
		{"50", "M", "Oslo"}, // unique in B, no match in A
	})
	r, err := Linkage(a, b, LinkageOptions{ColumnsA: []string{"Sex", "age"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Pairs) != 2 || r.Pairs[0] != (ColumnPair{"Sex", "sex", "name", 1}) ||
		r.Pairs[1].A != "age" || r.Pairs[1].B != "years" || r.Pairs[1].By != "values" || !riskNear(r.Pairs[1].Jaccard, 2.0/4) {
		t.Fatalf("pairs %+v", r.Pairs)
	}
	got := [...]int{r.MatchedA, r.MatchedB, r.UniqueA, r.UniqueB, r.Reidentifiable}
	want := [...]int{4, 4, 3, 3, 1}
	if got != want {
		t.Errorf("matched A, B; unique A, B; reidentifiable = %v, want %v", got, want)
	}
	if !riskNear(r.ReidentifiableFractionA, 0.2) || !riskNear(r.ReidentifiableFractionB, 0.2) {
		t.Errorf("fractions %v %v", r.ReidentifiableFractionA, r.ReidentifiableFractionB)
	}

	// Names only: just sex is shared; nobody is unique on sex alone here.
	r, err = Linkage(a, b, LinkageOptions{NamesOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Pairs) != 1 || r.Reidentifiable != 0 {
		t.Errorf("names only: pairs %+v, reidentifiable %d", r.Pairs, r.Reidentifiable)
	}
}

func TestPairColumnsPrefersAlikeFrequencies(t *testing.T) {
	// Two yes/no columns in each table: equal value sets, so the pairing
	// follows how often "yes" occurs.
	a := riskTable(t, []string{"smoker", "married"}, [][]string{{"yes", "no"}, {"no", "yes"}, {"no", "yes"}, {"no", "yes"}})
	b := riskTable(t, []string{"wed", "smokes"}, [][]string{{"yes", "no"}, {"yes", "no"}, {"yes", "no"}, {"no", "yes"}})
	pairs := PairColumns(a.Columns, b.Columns, 0.5, false)
	want := map[string]string{"smoker": "smokes", "married": "wed"}
	for _, p := range pairs {
		if want[p.A] != p.B {
			t.Errorf("paired %s with %s", p.A, p.B)
		}
	}
}

func TestLinkageBadInput(t *testing.T) {
	a := riskTable(t, []string{"x"}, [][]string{{"1"}})
	b := riskTable(t, []string{"y"}, [][]string{{"2"}})
	tests := []struct {
		name string
		a, b *Table
		opts LinkageOptions
		want string
	}{
		{"nil table", a, nil, LinkageOptions{}, "two tables"},
		{"empty table", a, NewTableBuilder([]string{"x"}).Table(), LinkageOptions{}, "with records"},
		{"nothing shared", a, b, LinkageOptions{}, "share no attributes"},
		{"unknown column", a, b, LinkageOptions{ColumnsA: []string{"zip"}}, `first table: column "zip" is not in the table`},
		{"bad jaccard", a, b, LinkageOptions{MinJaccard: 3}, "not between 0 and 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Linkage(tc.a, tc.b, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
