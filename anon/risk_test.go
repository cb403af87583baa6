package anon

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func riskTable(t testing.TB, names []string, rows [][]string) *Table {
	t.Helper()
	b := NewTableBuilder(names)
	for _, r := range rows {
		if err := b.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	return b.Table()
}

// smallTable has classes over (a, b) of sizes 3, 1, 2, 1, 1 (in key order:
// (x,1), (x,2), (y,1), (z,2), (z,3)) and a sensitive column s.
func smallTable(t testing.TB) *Table {
	return riskTable(t, []string{"a", "b", "s"}, [][]string{
		{"x", "1", "flu"}, {"x", "1", "flu"}, {"x", "1", "cold"},
		{"y", "1", "hiv"}, {"y", "1", "flu"},
		{"z", "2", "cold"}, {"z", "3", "flu"}, {"x", "2", "hiv"},
	})
}

func smallHierarchy() *Hierarchy {
	return &Hierarchy{Attribute: "s", Rows: [][]string{
		{"flu", "respiratory", "*"}, {"cold", "respiratory", "*"}, {"hiv", "other", "*"},
	}}
}

func riskNear(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(1, math.Abs(b)) }

func TestAssessHandComputed(t *testing.T) {
	r, err := Assess(smallTable(t), RiskOptions{
		QuasiIdentifiers: []string{"a", "b"}, Sensitive: "s", SensitiveHierarchy: smallHierarchy(),
		RecordThreshold: 0.4,
	})
	if err != nil {
		t.Fatal(err)
	}
	ints := []struct {
		name      string
		got, want int
	}{
		{"records", r.Records, 8}, {"classes", r.Classes, 5}, {"min", r.MinClassSize, 1},
		{"max", r.MaxClassSize, 3}, {"uniques", r.SampleUniques, 3},
		{"prosecutor at risk", r.Prosecutor.RecordsAtRisk, 5}, // classes of 1 and 2: risk above 0.4
		{"distinct l", r.Diversity.DistinctL, 1}, {"homogeneous", r.Diversity.HomogeneousClasses, 3},
		{"recursive largest l", r.Diversity.Recursive.LargestL, 1},
		{"recursive failing", r.Diversity.Recursive.ClassesFailing, 3},
	}
	for _, c := range ints {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	floats := []struct {
		name      string
		got, want float64
	}{
		{"average class size", r.AverageClassSize, 1.6},
		{"uniqueness", r.SampleUniqueness, 3.0 / 8},
		{"prosecutor highest", r.Prosecutor.Highest, 1},
		{"prosecutor average", r.Prosecutor.Average, 5.0 / 8},
		{"journalist average", r.Journalist.Average, 5.0 / 8},
		{"marketer", r.Marketer.Average, 5.0 / 8},
		{"global", r.GlobalRisk.Value, 5.0 / 8},
		{"expected reidentifications", r.GlobalRisk.ExpectedReidentifications, 5},
		{"entropy l", r.Diversity.EntropyL, 1},
		{"equal-distance t", r.Closeness.EqualDistanceT, 0.75},
		{"hierarchical t", *r.Closeness.HierarchicalT, 0.75},
		{"sampling fraction", r.Population.SamplingFraction, 0.01},
		{"zayatz", r.Population.Zayatz.Uniques, 113.49148994492761}, // exact fractions, see below
	}
	for _, c := range floats {
		if !riskNear(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if r.GlobalRisk.Pass || r.Diversity.Recursive.Satisfied {
		t.Error("a table of mostly unique records must fail")
	}
	if r.Population.Size != 800 || r.Population.Model != "pitman" {
		t.Errorf("population size %d model %q, want 800 pitman", r.Population.Size, r.Population.Model)
	}
	wantHist := map[string][2]int{"1": {3, 3}, "2": {1, 2}, "3": {1, 3}}
	for _, b := range r.ClassSizeHistogram {
		if w := wantHist[b.Label]; b.Classes != w[0] || b.Records != w[1] {
			t.Errorf("histogram %s: %d classes %d records, want %v", b.Label, b.Classes, b.Records, w)
		}
	}
	wantBands := map[string]int{"100%": 3, "50%": 2, "25-33%": 3}
	for _, b := range r.RiskDistribution {
		if b.Records != wantBands[b.Label] {
			t.Errorf("risk band %s: %d records, want %d", b.Label, b.Records, wantBands[b.Label])
		}
	}
}

// The Zayatz figure above, computed with exact fractions: n = 8, N = 800,
// class sizes {1: 3, 2: 1, 3: 1}, h(j) = j·C(N−j, n−1)/C(N, n),
// P = 3h(1) / (3h(1) + h(2) + h(3)) = 0.378305, uniques = 3P / (8/800).

func TestClosenessPerClassByHand(t *testing.T) {
	tab := smallTable(t)
	qis, _ := tab.columnsNamed([]string{"a", "b"})
	sens, _ := tab.Column("s")
	d, err := distributionsOf(qis, sens)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := newEMDTree(smallHierarchy(), sens.Dict, d.overall, d.records)
	if err != nil {
		t.Fatal(err)
	}
	// Moving the mass by hand: e.g. class (z,3) is all flu; it must send
	// 0.25 to cold (siblings, cost 1/2) and 0.25 to hiv (cost 1): 0.375.
	want := []float64{0.25, 0.75, 0.25, 0.5, 0.375}
	for cl, w := range want {
		vals := d.values[d.start[cl]:d.start[cl+1]]
		cnts := d.counts[d.start[cl]:d.start[cl+1]]
		if got := tree.distance(vals, cnts, float64(d.sizes[cl])); !riskNear(got, w) {
			t.Errorf("class %d: hierarchical EMD %v, want %v", cl, got, w)
		}
	}
}

func TestAssessWithPopulationTable(t *testing.T) {
	sample := smallTable(t)
	rows := [][]string{
		{"1", "x"}, {"1", "x"}, {"1", "x"}, {"1", "y"}, {"1", "y"}, {"2", "z"}, {"3", "z"}, {"2", "x"}, // the sample
		{"1", "x"}, {"1", "x"}, {"2", "x"}, {"2", "z"}, {"2", "z"}, {"2", "z"}, {"9", "w"},
	}
	pop := riskTable(t, []string{"b", "a"}, rows)
	r, err := Assess(sample, RiskOptions{QuasiIdentifiers: []string{"a", "b"}, Population: pop})
	if err != nil {
		t.Fatal(err)
	}
	// Population class sizes F: (x,1) 5, (x,2) 2, (y,1) 2, (z,2) 4, (z,3) 1.
	if want := (3.0/5 + 1.0/2 + 2.0/2 + 1.0/4 + 1) / 8; !riskNear(r.Journalist.Average, want) {
		t.Errorf("journalist average %v, want %v", r.Journalist.Average, want)
	}
	if r.Journalist.Highest != 1 || r.Journalist.RecordsAtRisk != 5 || r.Journalist.Basis != "population table" {
		t.Errorf("journalist %+v", r.Journalist)
	}
	if !riskNear(r.GlobalRisk.Value, r.Journalist.Average) || !riskNear(r.Marketer.Average, r.Journalist.Average) {
		t.Error("global and marketer risk must follow the population table")
	}
	if r.Population.Model != "population table" || r.Population.Uniques != 2 || r.Population.Size != 15 {
		t.Errorf("population %+v", r.Population)
	}
	if r.Prosecutor.Average != 5.0/8 {
		t.Errorf("prosecutor risk must stay on the sample, got %v", r.Prosecutor.Average)
	}
}

func TestAssessEveryRecordUnique(t *testing.T) {
	var rows [][]string
	for i := range 50 {
		rows = append(rows, []string{string(rune('a' + i%26)), string(rune('A' + i/26))})
	}
	tab := riskTable(t, []string{"p", "q"}, rows)
	r, err := Assess(tab, RiskOptions{QuasiIdentifiers: []string{"p", "q"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.SampleUniques != 50 || r.Prosecutor.Average != 1 || r.GlobalRisk.Value != 1 {
		t.Errorf("uniques %d, prosecutor %v, global %v", r.SampleUniques, r.Prosecutor.Average, r.GlobalRisk.Value)
	}
	// Everyone unique in the sample: both models see a population of uniques.
	for name, e := range map[string]*UniquesEstimate{"pitman": r.Population.Pitman, "zayatz": r.Population.Zayatz} {
		if e == nil || !riskNear(e.Uniqueness, 1) {
			t.Errorf("%s: %+v, want uniqueness 1", name, e)
		}
	}
}

func TestAssessNoUniques(t *testing.T) {
	rows := [][]string{{"a"}, {"a"}, {"b"}, {"b"}, {"b"}}
	r, err := Assess(riskTable(t, []string{"q"}, rows), RiskOptions{QuasiIdentifiers: []string{"q"}, GlobalThreshold: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if r.Population.Uniques != 0 || r.Population.Pitman.Uniques != 0 || r.Population.SNB.Uniques != 0 {
		t.Errorf("no sample uniques must give no population uniques: %+v", r.Population)
	}
	if !r.GlobalRisk.Pass || r.GlobalRisk.Value != 0.4 {
		t.Errorf("global %+v", r.GlobalRisk)
	}
}

func TestAssessJSONShape(t *testing.T) {
	r, err := Assess(smallTable(t), RiskOptions{QuasiIdentifiers: []string{"a", "b"}, Sensitive: "s"})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"records", "classes", "min_class_size", "sample_uniques", "prosecutor", "journalist",
		"marketer", "population", "global_risk", "class_size_histogram", "risk_distribution", "diversity", "closeness"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	for _, attacker := range []string{"prosecutor", "journalist", "marketer"} {
		a := m[attacker].(map[string]any)
		for _, k := range []string{"highest", "average", "records_at_risk"} {
			if _, ok := a[k]; !ok {
				t.Errorf("%s lacks %q", attacker, k)
			}
		}
	}
	g := m["global_risk"].(map[string]any)
	for _, k := range []string{"value", "threshold", "pass"} {
		if _, ok := g[k]; !ok {
			t.Errorf("global_risk lacks %q", k)
		}
	}
	p := m["population"].(map[string]any)
	for _, k := range []string{"pitman", "zayatz", "snb"} {
		if _, ok := p[k]; !ok {
			t.Errorf("population lacks %q", k)
		}
	}
}

func TestAssessBadInput(t *testing.T) {
	tab := smallTable(t)
	qi := []string{"a", "b"}
	tests := []struct {
		name string
		t    *Table
		opts RiskOptions
		want string
	}{
		{"no table", nil, RiskOptions{QuasiIdentifiers: qi}, "no table"},
		{"empty table", NewTableBuilder([]string{"a"}).Table(), RiskOptions{QuasiIdentifiers: []string{"a"}}, "no records"},
		{"no quasi-identifiers", tab, RiskOptions{}, "no quasi-identifiers"},
		{"unknown quasi-identifier", tab, RiskOptions{QuasiIdentifiers: []string{"a", "zip"}}, `"zip" is not in the table`},
		{"repeated quasi-identifier", tab, RiskOptions{QuasiIdentifiers: []string{"a", "a"}}, "named twice"},
		{"sensitive missing", tab, RiskOptions{QuasiIdentifiers: qi, Sensitive: "diagnosis"}, `sensitive column "diagnosis" is not in the table`},
		{"sensitive is quasi", tab, RiskOptions{QuasiIdentifiers: qi, Sensitive: "a"}, "both a quasi-identifier and the sensitive"},
		{"hierarchy without sensitive", tab, RiskOptions{QuasiIdentifiers: qi, SensitiveHierarchy: smallHierarchy()}, "without a sensitive column"},
		{"hierarchy missing values", tab, RiskOptions{QuasiIdentifiers: qi, Sensitive: "s", SensitiveHierarchy: &Hierarchy{
			Attribute: "s", Rows: [][]string{{"flu", "*"}}}}, `no entry for 2 values of the column: "cold", "hiv"`},
		{"hierarchy ragged", tab, RiskOptions{QuasiIdentifiers: qi, Sensitive: "s", SensitiveHierarchy: &Hierarchy{
			Attribute: "s", Rows: [][]string{{"flu", "r", "*"}, {"cold", "*"}, {"hiv", "o", "*"}}}}, "row 2 has 2 levels"},
		{"hierarchy not a tree", tab, RiskOptions{QuasiIdentifiers: qi, Sensitive: "s", SensitiveHierarchy: &Hierarchy{
			Attribute: "s", Rows: [][]string{{"flu", "r", "A"}, {"cold", "r", "B"}, {"hiv", "o", "A"}}}}, "not a tree"},
		{"empty hierarchy", tab, RiskOptions{QuasiIdentifiers: qi, Sensitive: "s", SensitiveHierarchy: &Hierarchy{Attribute: "s"}}, "empty"},
		{"population too small", tab, RiskOptions{QuasiIdentifiers: qi, PopulationSize: 3}, "cannot be smaller"},
		{"fraction and size", tab, RiskOptions{QuasiIdentifiers: qi, PopulationSize: 30, SamplingFraction: 0.1}, "not both"},
		{"bad fraction", tab, RiskOptions{QuasiIdentifiers: qi, SamplingFraction: 2}, "not between 0 and 1"},
		{"bad threshold", tab, RiskOptions{QuasiIdentifiers: qi, GlobalThreshold: -1}, "not between 0 and 1"},
		{"population lacks column", tab, RiskOptions{QuasiIdentifiers: qi, Population: riskTable(t, []string{"a"}, [][]string{{"x"}})}, `population table has no column "b"`},
		{"empty population", tab, RiskOptions{QuasiIdentifiers: qi, Population: NewTableBuilder([]string{"a", "b"}).Table()}, "population table has no records"},
		{"broken column", &Table{Rows: 2, Columns: []*Column{{Name: "a", Dict: []string{"x"}, Codes: []uint32{0, 3}}}},
			RiskOptions{QuasiIdentifiers: []string{"a"}}, "outside its dictionary"},
		{"short column", &Table{Rows: 3, Columns: []*Column{{Name: "a", Dict: []string{"x"}, Codes: []uint32{0}}}},
			RiskOptions{QuasiIdentifiers: []string{"a"}}, "1 values for 3 rows"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Assess(tc.t, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
