package anon

import (
	"encoding/csv"
	"math"
	"os"
	"testing"
)

// readAdult loads the Adult test data and the hierarchy of one attribute.
func readAdult(t *testing.T, hierarchyOf string) (*Table, *Hierarchy) {
	t.Helper()
	read := func(path string) [][]string {
		f, err := os.Open(path)
		if err != nil {
			t.Skipf("Adult test data not available: %v", err)
		}
		defer f.Close()
		cr := csv.NewReader(f)
		cr.Comma = ';'
		cr.FieldsPerRecord = -1
		recs, err := cr.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	recs := read("testdata/adult/adult.csv")
	tab := riskTable(t, recs[0], recs[1:])
	return tab, &Hierarchy{Attribute: hierarchyOf, Rows: read("testdata/adult/adult_hierarchy_" + hierarchyOf + ".csv")}
}

// The expected figures were counted independently from adult.csv with a
// short script (Python collections.Counter over the same columns).
func TestAssessAdult(t *testing.T) {
	tab, salary := readAdult(t, "salary-class")
	all := tab.Names()
	r, err := Assess(tab, RiskOptions{QuasiIdentifiers: all})
	if err != nil {
		t.Fatal(err)
	}
	if r.Records != 30162 || r.Classes != 19502 || r.SampleUniques != 15512 || r.MaxClassSize != 45 ||
		r.Prosecutor.RecordsAtRisk != 23470 {
		t.Errorf("nine quasi-identifiers: %d records, %d classes, %d uniques, largest %d, %d at risk",
			r.Records, r.Classes, r.SampleUniques, r.MaxClassSize, r.Prosecutor.RecordsAtRisk)
	}
	for name, e := range map[string]*UniquesEstimate{"pitman": r.Population.Pitman, "zayatz": r.Population.Zayatz, "snb": r.Population.SNB} {
		if e != nil && (e.Uniqueness < 0 || e.Uniqueness > 1) {
			t.Errorf("%s uniqueness %v outside [0, 1]", name, e.Uniqueness)
		}
	}
	if r.Population.Pitman == nil || r.Population.Zayatz == nil {
		t.Errorf("Pitman and Zayatz must fit Adult: %+v", r.Population)
	}

	r, err = Assess(tab, RiskOptions{QuasiIdentifiers: all[:8], Sensitive: "salary-class", SensitiveHierarchy: salary})
	if err != nil {
		t.Fatal(err)
	}
	d, c := r.Diversity, r.Closeness
	if r.Classes != 18109 || d.DistinctL != 1 || d.EntropyL != 1 || d.HomogeneousClasses != 16716 ||
		d.HomogeneousRecords != 23430 || d.Recursive.ClassesFailing != 17024 {
		t.Errorf("eight quasi-identifiers: %d classes, diversity %+v", r.Classes, d)
	}
	if !riskNear(c.EqualDistanceT, 0.7510775147536636) || !riskNear(*c.HierarchicalT, c.EqualDistanceT) {
		t.Errorf("closeness %v %v; a flat hierarchy must equal equal distance", c.EqualDistanceT, *c.HierarchicalT)
	}

	r, err = Assess(tab, RiskOptions{QuasiIdentifiers: []string{"sex", "age", "race", "marital-status"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Classes != 1690 || r.SampleUniques != 543 || !riskNear(r.GlobalRisk.Value, 1690.0/30162) || r.GlobalRisk.Pass {
		t.Errorf("four quasi-identifiers: %d classes, %d uniques, global %+v", r.Classes, r.SampleUniques, r.GlobalRisk)
	}
}

// TestHierarchicalEMDAsTreeDistance checks the hierarchical EMD on Adult's
// four-level education hierarchy against the tree form of the EMD: with
// every edge weighing 1/(2H), the ground distance of two values is
// height(lowest common ancestor)/H, and the EMD is the sum over edges of
// the weight times the net mass that must cross the edge.
func TestHierarchicalEMDAsTreeDistance(t *testing.T) {
	tab, edu := readAdult(t, "education")
	qi := []string{"sex", "age", "race", "marital-status"}
	r, err := Assess(tab, RiskOptions{QuasiIdentifiers: qi, Sensitive: "education", SensitiveHierarchy: edu})
	if err != nil {
		t.Fatal(err)
	}
	height := float64(edu.Levels() - 1)
	path := map[string][]string{}
	for _, row := range edu.Rows {
		path[row[0]] = row
	}
	// Node key: level and label.
	type node struct {
		level int
		label string
	}
	overall := map[node]float64{}
	sens, _ := tab.Column("education")
	classes, err := GroupBy(tab, qi)
	if err != nil {
		t.Fatal(err)
	}
	perClass := make([]map[node]float64, classes.Len())
	for i := range perClass {
		perClass[i] = map[node]float64{}
	}
	for row := range tab.Rows {
		p := path[sens.Value(row)]
		cl := classes.Of[row]
		for l := 0; l < len(p)-1; l++ { // every node but the root
			overall[node{l, p[l]}] += 1 / float64(tab.Rows)
			perClass[cl][node{l, p[l]}] += 1 / float64(classes.Sizes[cl])
		}
	}
	worst := 0.0
	for _, pc := range perClass {
		emd := 0.0
		for n, q := range overall {
			emd += math.Abs(pc[n]-q) / (2 * height)
		}
		worst = max(worst, emd)
	}
	if got := *r.Closeness.HierarchicalT; math.Abs(got-worst) > 1e-9 {
		t.Errorf("hierarchical t %v, tree form %v", got, worst)
	}
	if *r.Closeness.HierarchicalT > r.Closeness.EqualDistanceT+1e-12 {
		t.Error("hierarchical distances never exceed 1, so neither may the hierarchical EMD exceed the equal-distance one")
	}
}
