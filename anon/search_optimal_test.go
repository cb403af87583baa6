package anon

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// The tests in this file prove the search optimal by brute force: every
// transformation is evaluated from the rows with a deliberately naive
// implementation of the metrics' definitions (string keys, maps, no
// roll-up), and the search must find the minimum.

// naiveClass is one equivalence class of one transformation.
type naiveClass struct {
	size int
	sens map[uint32]uint32
	// summed per-record losses when the class is kept or suppressed
	entKept, entSupp   float64
	lossKept, lossSupp float64
}

// naiveLattice holds every transformation's classes for one table.
type naiveLattice struct {
	rows, q int
	nodes   [][]int
	classes [][]naiveClass
}

func buildNaive(t *Table, qis []QuasiIdentifier, sensitive string) *naiveLattice {
	nl := &naiveLattice{rows: t.Rows, q: len(qis)}
	n := float64(t.Rows)
	type colInfo struct {
		col    *Column
		gen    map[string][]string
		freq   map[string]float64
		genF   []map[string]float64
		leaves []map[string]int
		domain int
	}
	var cols []colInfo
	dims := []int{}
	for _, qi := range qis {
		c, _ := t.Column(qi.Column)
		ci := colInfo{col: c, gen: map[string][]string{}, freq: map[string]float64{}, domain: len(qi.Hierarchy.Rows)}
		L := qi.Hierarchy.Levels()
		for _, r := range qi.Hierarchy.Rows {
			ci.gen[r[0]] = r
		}
		for l := 0; l < L; l++ {
			ci.genF = append(ci.genF, map[string]float64{})
			ci.leaves = append(ci.leaves, map[string]int{})
			for _, r := range qi.Hierarchy.Rows {
				ci.leaves[l][r[l]]++
			}
		}
		for r := range t.Rows {
			v := c.Value(r)
			ci.freq[v]++
			for l := 0; l < L; l++ {
				ci.genF[l][ci.gen[v][l]]++
			}
		}
		cols = append(cols, ci)
		dims = append(dims, L)
	}
	var sens *Column
	if sensitive != "" {
		sens, _ = t.Column(sensitive)
	}
	levels := make([]int, len(dims))
	for {
		groups := map[string]*naiveClass{}
		var order []string
		for r := range t.Rows {
			parts := make([]string, len(cols))
			for i, ci := range cols {
				parts[i] = ci.gen[ci.col.Value(r)][levels[i]]
			}
			key := strings.Join(parts, "\x00")
			g := groups[key]
			if g == nil {
				g = &naiveClass{sens: map[uint32]uint32{}}
				groups[key] = g
				order = append(order, key)
			}
			g.size++
			if sens != nil {
				g.sens[sens.Codes[r]]++
			}
			for i, ci := range cols {
				v := ci.col.Value(r)
				gv := ci.gen[v][levels[i]]
				g.entKept += -math.Log2(ci.freq[v] / ci.genF[levels[i]][gv])
				g.entSupp += -math.Log2(ci.freq[v] / n)
				share := 0.0
				if ci.domain > 1 {
					share = float64(ci.leaves[levels[i]][gv]-1) / float64(ci.domain-1)
				}
				g.lossKept += share
				g.lossSupp++
			}
		}
		var cl []naiveClass
		for _, k := range order {
			cl = append(cl, *groups[k])
		}
		nl.nodes = append(nl.nodes, append([]int(nil), levels...))
		nl.classes = append(nl.classes, cl)
		// next level vector
		i := len(levels) - 1
		for i >= 0 {
			levels[i]++
			if levels[i] < dims[i] {
				break
			}
			levels[i] = 0
			i--
		}
		if i < 0 {
			return nl
		}
	}
}

// naiveJudge returns acceptability and loss of node index x.
func (nl *naiveLattice) judge(t *Table, x int, cfg Config) (bool, float64) {
	var checks []classCheck
	for _, c := range cfg.Criteria {
		chk, err := c.bind(t)
		if err != nil {
			panic(err)
		}
		checks = append(checks, chk)
	}
	limit := int(math.Floor(cfg.SuppressionLimit*float64(nl.rows) + 1e-9))
	n := float64(nl.rows)
	supp, kept := 0, 0
	var ent, loss, dm float64
	for _, c := range nl.classes[x] {
		var vals, cnts []uint32
		for v, k := range c.sens {
			vals = append(vals, v)
			cnts = append(cnts, k)
		}
		ok := true
		for _, chk := range checks {
			if !chk.passes(uint32(c.size), vals, cnts) {
				ok = false
			}
		}
		if ok {
			kept++
			ent += c.entKept
			loss += c.lossKept
			dm += float64(c.size * c.size)
		} else {
			supp += c.size
			ent += c.entSupp
			loss += c.lossSupp
			dm += float64(c.size) * n
		}
	}
	var m float64
	switch cfg.Metric {
	case MetricEntropy:
		m = ent
	case MetricLoss:
		m = loss / (n * float64(nl.q))
	case MetricDiscernibility:
		m = dm
	case MetricAverageClassSize:
		if supp > 0 {
			kept++
		}
		m = n / float64(kept)
	}
	return supp <= limit, m
}

func nearlyEqual(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// checkOptimal compares Anonymise with the brute-force minimum.
func checkOptimal(t *testing.T, tab *Table, nl *naiveLattice, cfg Config, name string) {
	t.Helper()
	best, bestAt := math.Inf(1), -1
	for x := range nl.nodes {
		ok, m := nl.judge(tab, x, cfg)
		if ok && m < best {
			best, bestAt = m, x
		}
	}
	res, err := Anonymise(tab, cfg)
	if bestAt < 0 {
		if err == nil {
			t.Errorf("%s: brute force finds no solution, search returned %v", name, res.LevelVector)
		}
		return
	}
	if err != nil {
		t.Errorf("%s: %v (brute force: %v loss %g)", name, err, nl.nodes[bestAt], best)
		return
	}
	if !nearlyEqual(res.InformationLoss, best) {
		t.Errorf("%s: search found %v loss %.12g, brute force %v loss %.12g", name, res.LevelVector, res.InformationLoss, nl.nodes[bestAt], best)
		return
	}
	// The reported levels must really be acceptable with that loss.
	for x, lv := range nl.nodes {
		if fmt.Sprint(lv) == fmt.Sprint(res.LevelVector) {
			ok, m := nl.judge(tab, x, cfg)
			if !ok || !nearlyEqual(m, best) {
				t.Errorf("%s: reported %v is acceptable=%v with loss %g, want loss %g", name, lv, ok, m, best)
			}
		}
	}
}

var allMetrics = []Metric{MetricEntropy, MetricDiscernibility, MetricAverageClassSize, MetricLoss}

func TestSearchOptimalAdult(t *testing.T) {
	full, hs := loadAdult(t)
	tab := headRows(t, full, 4000)
	subsets := [][]string{
		{"age", "sex", "race"},
		{"age", "education", "marital-status", "workclass"},
		{"native-country", "occupation", "age", "salary-class"},
	}
	if testing.Short() {
		subsets = subsets[:1]
	}
	for _, qs := range subsets {
		qis := adultQIs(hs, qs...)
		sensitive := "occupation"
		if qs[1] == "occupation" {
			sensitive = "education"
		}
		nl := buildNaive(tab, qis, sensitive)
		for _, m := range allMetrics {
			for _, supp := range []float64{0, 0.02, 1} {
				crits := [][]Criterion{
					{KAnonymity(5)},
					{KAnonymity(2)},
					{KAnonymity(3), DistinctLDiversity(sensitive, 3)},
					{EntropyLDiversity(sensitive, 2.5)},
					{RecursiveCLDiversity(sensitive, 3, 2)},
					{EqualDistanceTCloseness(sensitive, 0.4)},
					{KAnonymity(2), HierarchicalTCloseness(sensitive, 0.3, hs[sensitive])},
				}
				for _, cr := range crits {
					cfg := Config{QuasiIdentifiers: qis, Criteria: cr, SuppressionLimit: supp, Metric: m}
					checkOptimal(t, tab, nl, cfg, fmt.Sprintf("%v %v supp=%g %v", qs, m, supp, cr))
				}
			}
		}
	}
}

// headRows returns a table of the first n rows of t.
func headRows(t testing.TB, src *Table, n int) *Table {
	b := NewTableBuilder(src.Names())
	rec := make([]string, len(src.Columns))
	for r := range min(n, src.Rows) {
		for i, c := range src.Columns {
			rec[i] = c.Value(r)
		}
		if err := b.Append(rec); err != nil {
			t.Fatal(err)
		}
	}
	return b.Table()
}

// randomHierarchy builds a functional hierarchy over values v0…v(d-1) with
// random fan-outs, shuffled so codes and labels are in no useful order.
func randomHierarchy(rng *rand.Rand, attr string, d int) *Hierarchy {
	depth := 1 + rng.IntN(3)
	perm := rng.Perm(d)
	h := &Hierarchy{Attribute: attr}
	for v := range d {
		row := []string{fmt.Sprintf("v%d", v)}
		x := perm[v]
		for l := 1; l <= depth; l++ {
			x /= 2 // halving keeps the hierarchy functional
			row = append(row, fmt.Sprintf("L%d-%d", l, x))
		}
		row = append(row, "*")
		h.Rows = append(h.Rows, row)
	}
	return h
}

func TestSearchOptimalRandom(t *testing.T) {
	t.Run("packed", func(t *testing.T) { searchOptimalRandom(t, 40) })
	// Without suppression the search first settles the lattice top-down and
	// gives way to Flash after a budget of acceptable nodes: both alone, and
	// the hand-over at every point, must stay optimal.
	t.Run("flash-only", func(t *testing.T) {
		defer func(on bool) { topDownOn = on }(topDownOn)
		topDownOn = false
		searchOptimalRandom(t, 15)
	})
	for _, budget := range []int{0, 1, 3} {
		t.Run(fmt.Sprintf("top-down-budget-%d", budget), func(t *testing.T) {
			defer func(f func(int) int) { topDownBudget = f }(topDownBudget)
			topDownBudget = func(int) int { return budget }
			searchOptimalRandom(t, 10)
		})
	}
	// Tables whose codes do not fit a 64-bit key take the wide path.
	t.Run("wide", func(t *testing.T) {
		defer func(b uint) { packedKeyBits = b }(packedKeyBits)
		packedKeyBits = 0
		searchOptimalRandom(t, 10)
	})
	t.Run("wide-hashed", func(t *testing.T) {
		defer func(b uint, e uint64) { packedKeyBits, exactKeyLimit = b, e }(packedKeyBits, exactKeyLimit)
		packedKeyBits, exactKeyLimit = 0, 0
		searchOptimalRandom(t, 10)
	})
}

func searchOptimalRandom(t *testing.T, runs int) {
	rng := rand.New(rand.NewPCG(7, 11))
	if testing.Short() {
		runs = min(runs, 5)
	}
	if raceEnabled {
		// The search is single-threaded; under the race detector the
		// brute force costs ten times as much and finds nothing more.
		runs = max(runs/3, 2)
	}
	for run := range runs {
		q := 2 + rng.IntN(3)
		rows := 20 + rng.IntN(200)
		names := []string{"s"}
		var qis []QuasiIdentifier
		doms := []int{}
		for i := range q {
			name := fmt.Sprintf("q%d", i)
			names = append(names, name)
			d := 2 + rng.IntN(9)
			doms = append(doms, d)
			qis = append(qis, QuasiIdentifier{Column: name, Hierarchy: randomHierarchy(rng, name, d)})
		}
		sd := 2 + rng.IntN(4)
		sh := randomHierarchy(rng, "s", sd)
		b := NewTableBuilder(names)
		for range rows {
			rec := []string{fmt.Sprintf("v%d", rng.IntN(sd))}
			for i := range q {
				// skewed values, as in real data
				v := int(float64(doms[i]) * math.Pow(rng.Float64(), 2))
				rec = append(rec, fmt.Sprintf("v%d", v))
			}
			if err := b.Append(rec); err != nil {
				t.Fatal(err)
			}
		}
		tab := b.Table()
		nl := buildNaive(tab, qis, "s")
		k := 2 + rng.IntN(5)
		for _, m := range allMetrics {
			for _, supp := range []float64{0, 0.05, 0.3, 1} {
				for _, cr := range [][]Criterion{
					{KAnonymity(k)},
					{KAnonymity(k), DistinctLDiversity("s", 2)},
					{EntropyLDiversity("s", 1.8)},
					{RecursiveCLDiversity("s", 2, 2)},
					{EqualDistanceTCloseness("s", 0.35)},
					{HierarchicalTCloseness("s", 0.25, sh)},
				} {
					cfg := Config{QuasiIdentifiers: qis, Criteria: cr, SuppressionLimit: supp, Metric: m}
					checkOptimal(t, tab, nl, cfg, fmt.Sprintf("run %d %v supp=%g %v", run, m, supp, cr))
				}
			}
		}
	}
}

// TestSearchOptimalWide checks larger lattices (5–6 quasi-identifiers, a
// few hundred rows) against brute force: the top-down sweep with
// suppression, whose bound uses the suppression loss of the nodes above,
// and the roll-ups that merge several columns, count into dense tables or
// radix-sort, which small lattices rarely reach.
func TestSearchOptimalWide(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	runs := 3
	if testing.Short() {
		runs = 1
	}
	for run := range runs {
		q := 5
		rows := 200 + rng.IntN(300)
		names := []string{"s"}
		var qis []QuasiIdentifier
		doms := []int{}
		for i := range q {
			name := fmt.Sprintf("q%d", i)
			names = append(names, name)
			d := 2 + rng.IntN(14)
			doms = append(doms, d)
			qis = append(qis, QuasiIdentifier{Column: name, Hierarchy: randomHierarchy(rng, name, d)})
		}
		b := NewTableBuilder(names)
		for range rows {
			rec := []string{fmt.Sprintf("v%d", rng.IntN(4))}
			for i := range q {
				v := int(float64(doms[i]) * math.Pow(rng.Float64(), 1.5))
				rec = append(rec, fmt.Sprintf("v%d", v))
			}
			if err := b.Append(rec); err != nil {
				t.Fatal(err)
			}
		}
		tab := b.Table()
		nl := buildNaive(tab, qis, "s")
		k := 2 + rng.IntN(4)
		for _, m := range []Metric{MetricEntropy, MetricLoss, MetricDiscernibility} {
			for _, supp := range []float64{0, 0.04, 0.25, 1} {
				for _, cr := range [][]Criterion{
					{KAnonymity(k)},
					{KAnonymity(k), KAnonymity(k + 2)},
					{KAnonymity(2), DistinctLDiversity("s", 2)},
				} {
					cfg := Config{QuasiIdentifiers: qis, Criteria: cr, SuppressionLimit: supp, Metric: m}
					checkOptimal(t, tab, nl, cfg, fmt.Sprintf("run %d %v supp=%g %v", run, m, supp, cr))
				}
			}
		}
	}
}
