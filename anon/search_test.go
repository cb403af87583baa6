package anon

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestAnonymiseAdultOutput(t *testing.T) {
	tab, hs := loadAdult(t)
	qis := adultQIs(hs, "age", "sex", "race", "marital-status", "education")
	cfg := Config{QuasiIdentifiers: qis, Criteria: []Criterion{KAnonymity(5)}, SuppressionLimit: 0.02, Metric: MetricEntropy}
	res, err := Anonymise(tab, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.SuppressedRecords > int(0.02*float64(tab.Rows)) || res.MinClassSize < 5 || res.Classes == 0 {
		t.Fatalf("result %+v", res)
	}
	if res.Search.Transformations != 5*2*2*3*4 || res.Search.Checked == 0 || res.Search.Checked > res.Search.Transformations {
		t.Fatalf("stats %+v", res.Search)
	}
	names := []string{"age", "sex", "race", "marital-status", "education"}
	for i, n := range names {
		if res.Levels[n] != res.LevelVector[i] {
			t.Fatalf("levels map %v disagrees with vector %v", res.Levels, res.LevelVector)
		}
	}
	// The output keeps every row; suppressed rows carry '*' in every
	// quasi-identifier and the rest form classes of at least k.
	out := res.Table
	if out.Rows != tab.Rows {
		t.Fatalf("%d rows out of %d", out.Rows, tab.Rows)
	}
	vals := stringCols(out, names)
	stars := 0
	for r := range out.Rows {
		n := 0
		for i := range names {
			if vals[i][r] == "*" {
				n++
			}
		}
		if n == len(names) {
			stars++
		}
	}
	if stars != res.SuppressedRecords {
		t.Errorf("%d fully suppressed rows, result says %d", stars, res.SuppressedRecords)
	}
	classes := groupStrings(vals, out.Rows)
	kept := 0
	for _, c := range classes {
		if vals[0][c[0]] == "*" && allStars(vals, c[0]) {
			continue
		}
		kept++
		if len(c) < 5 {
			t.Fatalf("class of %d rows in the output", len(c))
		}
	}
	if kept != res.Classes {
		t.Errorf("%d classes in the output, result says %d", kept, res.Classes)
	}
	if column(t, out, "occupation")[0] != column(t, tab, "occupation")[0] {
		t.Error("a column that is not a quasi-identifier changed")
	}
	// JSON field names are the report's.
	data, _ := json.Marshal(res)
	for _, k := range []string{`"levels":{`, `"information_loss":`, `"suppressed_records":`, `"min_class_size":`, `"classes":`, `"search":{"transformations":`, `"checked":`, `"seconds":`} {
		if !strings.Contains(string(data), k) {
			t.Errorf("JSON lacks %s: %s", k, data)
		}
	}

	cfg.RemoveSuppressed = true
	res2, err := Anonymise(tab, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Table.Rows != tab.Rows-res.SuppressedRecords || res2.InformationLoss != res.InformationLoss {
		t.Errorf("remove suppressed: %d rows, loss %g vs %g", res2.Table.Rows, res2.InformationLoss, res.InformationLoss)
	}
	for _, v := range column(t, res2.Table, "age") {
		if v == "*" && res.LevelVector[0] < 4 {
			t.Fatal("a suppressed row was kept")
		}
	}
}

func TestAnonymiseBadConfig(t *testing.T) {
	tab, hs := loadAdult(t)
	qis := adultQIs(hs, "age", "sex")
	k5 := []Criterion{KAnonymity(5)}
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no qi", Config{Criteria: k5}, "no quasi-identifiers"},
		{"no criteria", Config{QuasiIdentifiers: qis}, "no privacy criterion"},
		{"unknown column", Config{QuasiIdentifiers: []QuasiIdentifier{{"zip", hs["age"]}}, Criteria: k5}, `"zip" is not a column`},
		{"twice", Config{QuasiIdentifiers: append(qis, qis[0]), Criteria: k5}, "given twice"},
		{"no hierarchy", Config{QuasiIdentifiers: []QuasiIdentifier{{"age", nil}}, Criteria: k5}, "has no hierarchy"},
		{"wrong hierarchy", Config{QuasiIdentifiers: []QuasiIdentifier{{"age", hs["sex"]}}, Criteria: k5}, `value "39" of column "age"`},
		{"limit", Config{QuasiIdentifiers: qis, Criteria: k5, SuppressionLimit: 1.5}, "between 0 and 1"},
		{"limit NaN", Config{QuasiIdentifiers: qis, Criteria: k5, SuppressionLimit: math.NaN()}, "between 0 and 1"},
		{"k", Config{QuasiIdentifiers: qis, Criteria: []Criterion{KAnonymity(0)}}, "k must be at least 1"},
		{"sensitive missing", Config{QuasiIdentifiers: qis, Criteria: []Criterion{DistinctLDiversity("nope", 2)}}, `no column "nope"`},
		{"sensitive is qi", Config{QuasiIdentifiers: qis, Criteria: []Criterion{DistinctLDiversity("age", 2)}}, "cannot also be the sensitive column"},
		{"metric", Config{QuasiIdentifiers: qis, Criteria: k5, Metric: Metric(42)}, "unknown metric"},
	}
	for _, tc := range tests {
		if _, err := Anonymise(tab, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
	_, err := Anonymise(tab, Config{QuasiIdentifiers: qis, Criteria: []Criterion{KAnonymity(tab.Rows + 1)}})
	if !errors.Is(err, ErrNoSolution) {
		t.Errorf("k above the row count: %v", err)
	}
	// With a 100% limit everything may be suppressed: the answer exists.
	res, err := Anonymise(tab, Config{QuasiIdentifiers: qis, Criteria: []Criterion{KAnonymity(tab.Rows + 1)}, SuppressionLimit: 1})
	if err != nil || res.SuppressedRecords != tab.Rows || res.Classes != 0 || res.MinClassSize != 0 {
		t.Errorf("all suppressed: %+v %v", res, err)
	}
}

func TestParseMetric(t *testing.T) {
	for _, m := range allMetrics {
		got, err := ParseMetric(m.String())
		if err != nil || got != m {
			t.Errorf("%v: %v %v", m, got, err)
		}
	}
	if _, err := ParseMetric("precision"); err == nil {
		t.Error("unknown metric accepted")
	}
}

func TestCriteriaByHand(t *testing.T) {
	b := NewTableBuilder([]string{"s"})
	for _, v := range []string{"a", "b", "c", "d"} {
		_ = b.Append([]string{v})
	}
	tab := b.Table()
	bind := func(c Criterion) classCheck {
		chk, err := c.bind(tab)
		if err != nil {
			t.Fatal(err)
		}
		return chk
	}
	// codes: a=0 b=1 c=2 d=3
	tests := []struct {
		c          Criterion
		size       uint32
		vals, cnts []uint32
		want       bool
	}{
		{KAnonymity(3), 3, nil, nil, true},
		{KAnonymity(3), 2, nil, nil, false},
		{DistinctLDiversity("s", 2), 5, []uint32{0, 1}, []uint32{4, 1}, true},
		{DistinctLDiversity("s", 3), 5, []uint32{0, 1}, []uint32{4, 1}, false},
		{EntropyLDiversity("s", 2), 4, []uint32{0, 1}, []uint32{2, 2}, true}, // exactly 1 bit
		{EntropyLDiversity("s", 2), 4, []uint32{0, 1}, []uint32{3, 1}, false},
		{RecursiveCLDiversity("s", 2, 2), 6, []uint32{0, 1, 2}, []uint32{3, 2, 1}, true},  // 3 < 2·(2+1)
		{RecursiveCLDiversity("s", 1, 2), 6, []uint32{0, 1, 2}, []uint32{3, 2, 1}, false}, // 3 < 1·3 fails
		{RecursiveCLDiversity("s", 2, 3), 6, []uint32{0, 1}, []uint32{3, 3}, false},       // fewer than l values
		{EqualDistanceTCloseness("s", 0.5), 2, []uint32{0, 1}, []uint32{1, 1}, true},      // EMD = 0.5
		{EqualDistanceTCloseness("s", 0.49), 2, []uint32{0, 1}, []uint32{1, 1}, false},
		{EqualDistanceTCloseness("s", 0.75), 1, []uint32{2}, []uint32{1}, true}, // EMD = 0.75
	}
	for i, tc := range tests {
		if got := bind(tc.c).passes(tc.size, tc.vals, tc.cnts); got != tc.want {
			t.Errorf("%d %v: got %v", i, tc.c, got)
		}
	}
	h := &Hierarchy{Attribute: "s", Rows: [][]string{{"a", "X", "*"}, {"b", "X", "*"}, {"c", "Y", "*"}, {"d", "Y", "*"}}}
	hc := bind(HierarchicalTCloseness("s", 1, h)).(*hierCloseness)
	// Half the mass must cross the top (cost 1): EMD 0.5.
	if d := hc.emd(2, []uint32{0, 1}, []uint32{1, 1}); math.Abs(d-0.5) > 1e-12 {
		t.Errorf("EMD(a,b) = %g, want 0.5", d)
	}
	// Mass moves only within X and within Y (cost 1/2): EMD 0.25.
	if d := hc.emd(2, []uint32{0, 2}, []uint32{1, 1}); math.Abs(d-0.25) > 1e-12 {
		t.Errorf("EMD(a,c) = %g, want 0.25", d)
	}
	if d := hc.emd(4, []uint32{0, 1, 2, 3}, []uint32{1, 1, 1, 1}); math.Abs(d) > 1e-12 {
		t.Errorf("EMD(global) = %g, want 0", d)
	}
}
