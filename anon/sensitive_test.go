package anon

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The search's l-diversity and t-closeness criteria and the risk report's
// measures must agree on every class: a class the search keeps under
// "entropy 3-diversity" must be one the report counts as entropy 3-diverse.
// These tests check that on random tables and hierarchies, and check both
// against the textbook definitions written out naively.

// randomSensitiveTable returns a table with 1–3 quasi-identifiers q0… and
// a skewed sensitive column s over values s0…s(d-1). Sometimes the column's
// dictionary keeps a value no row uses, as it may after a transformation.
func randomSensitiveTable(t *testing.T, rng *rand.Rand) (tab *Table, qis []string, d int) {
	t.Helper()
	nq := 1 + rng.IntN(3)
	d = 1 + rng.IntN(7)
	names := []string{"s"}
	doms := make([]int, nq)
	for i := range nq {
		qis = append(qis, fmt.Sprintf("q%d", i))
		doms[i] = 1 + rng.IntN(4)
	}
	names = append(names, qis...)
	var rows [][]string
	for range 1 + rng.IntN(150) {
		row := []string{fmt.Sprintf("s%d", int(float64(d)*math.Pow(rng.Float64(), 1+2*rng.Float64())))}
		for _, dom := range doms {
			row = append(row, fmt.Sprintf("v%d", rng.IntN(dom)))
		}
		rows = append(rows, row)
	}
	tab = riskTable(t, names, rows)
	if rng.IntN(4) == 0 {
		s, _ := tab.Column("s")
		s.Dict = append(s.Dict, "unused")
	}
	return tab, qis, d
}

// randomSensitiveHierarchy builds a functional hierarchy over s0…s(d-1) of
// one of the shapes the hierarchical EMD must handle: rooted ("*" on top),
// several top labels, or values alone.
func randomSensitiveHierarchy(rng *rand.Rand, d int) (h *Hierarchy, shape string) {
	shape = []string{"rooted", "several tops", "flat"}[rng.IntN(3)]
	depth := 1 + rng.IntN(3)
	if shape == "flat" {
		depth = 0
	}
	perm := rng.Perm(d + 2) // two values the data never hold
	h = &Hierarchy{Attribute: "s"}
	for v := range d + 2 {
		row := []string{fmt.Sprintf("s%d", v)}
		x := perm[v]
		for l := 1; l <= depth; l++ {
			x /= 2
			row = append(row, fmt.Sprintf("L%d-%d", l, x))
		}
		if shape == "rooted" {
			row = append(row, "*")
		}
		h.Rows = append(h.Rows, row)
	}
	return h, shape
}

func TestSensitiveCriteriaAgreeWithReport(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	runs := 300
	if testing.Short() {
		runs = 60
	}
	classes := 0
	for run := range runs {
		tab, qiNames, d := randomSensitiveTable(t, rng)
		h, shape := randomSensitiveHierarchy(rng, d)
		c := []float64{0.5, 1, 1.5, 2, 3, 4}[rng.IntN(6)]
		l := 1 + rng.IntN(4)
		name := fmt.Sprintf("run %d (%d rows, %s hierarchy, c=%g l=%d)", run, tab.Rows, shape, c, l)

		r, err := Assess(tab, RiskOptions{QuasiIdentifiers: qiNames, Sensitive: "s", SensitiveHierarchy: h, RecursiveC: c, RecursiveL: l})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		qis, _ := tab.columnsNamed(qiNames)
		sens, _ := tab.Column("s")
		dist, err := distributionsOf(qis, sens)
		if err != nil {
			t.Fatal(err)
		}
		q := valueShares(dist.overall, dist.records)
		tree, err := newEMDTree(h, sens.Dict, dist.overall, dist.records)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}

		// The report's figure of every class, and the worst of them.
		type figures struct {
			div           classDiversity
			equal, hier   float64
			size          uint32
			vals, cnts    []uint32
			refEntropyL   float64
			refRecursiveL int
		}
		var per []figures
		var scratch []uint32
		worst := figures{div: classDiversity{distinct: math.MaxInt, entropyL: math.Inf(1), recursiveL: math.MaxInt}}
		failingRecursive := 0
		for cl := range dist.sizes {
			size, vals, cnts := dist.class(cl)
			var f figures
			f.div, scratch = diversityOfClass(size, cnts, c, scratch)
			f.equal = equalEMD(q, size, vals, cnts)
			f.hier = tree.distance(vals, cnts, float64(size))
			f.size, f.vals, f.cnts = size, vals, cnts
			f.refEntropyL, f.refRecursiveL = naiveEntropyL(cnts), naiveRecursiveL(cnts, c)
			per = append(per, f)
			worst.div.distinct = min(worst.div.distinct, f.div.distinct)
			worst.div.entropyL = min(worst.div.entropyL, f.div.entropyL)
			worst.div.recursiveL = min(worst.div.recursiveL, f.div.recursiveL)
			worst.equal, worst.hier = max(worst.equal, f.equal), max(worst.hier, f.hier)
			if f.div.recursiveL < l {
				failingRecursive++
			}

			// The measures are the definitions.
			if f.div.distinct != len(cnts) || !riskNear(f.div.entropyL, f.refEntropyL) || f.div.recursiveL != f.refRecursiveL {
				t.Fatalf("%s class %d %v: diversity %+v, want distinct %d, entropy l %v, recursive l %d",
					name, cl, cnts, f.div, len(cnts), f.refEntropyL, f.refRecursiveL)
			}
			if want := naiveEqualEMD(tab, sens, vals, cnts); math.Abs(f.equal-want) > 1e-12 {
				t.Fatalf("%s class %d: equal-distance EMD %v, want %v", name, cl, f.equal, want)
			}
			if want := naiveHierarchicalEMD(h, sens, dist, vals, cnts); math.Abs(f.hier-want) > 1e-12 {
				t.Fatalf("%s class %d: hierarchical EMD %v, want %v (tree form)", name, cl, f.hier, want)
			}
		}
		classes += len(per)

		// The report is the worst class.
		rd, rc := r.Diversity, r.Closeness
		if rd.DistinctL != worst.div.distinct || rd.EntropyL != worst.div.entropyL || rd.Recursive.LargestL != worst.div.recursiveL ||
			rd.Recursive.ClassesFailing != failingRecursive || rc.EqualDistanceT != worst.equal || *rc.HierarchicalT != worst.hier {
			t.Fatalf("%s: report %+v %+v (hierarchical %v) is not the worst class %+v", name, rd, rc, *rc.HierarchicalT, worst)
		}

		// Every criterion, with thresholds drawn both at random and from
		// the classes' own figures so that classes sit exactly on the bound.
		some := per[rng.IntN(len(per))]
		type verdict func(f figures) bool
		criteria := []struct {
			c    Criterion
			want verdict
		}{
			{DistinctLDiversity("s", l), func(f figures) bool { return f.div.distinct >= l }},
			{RecursiveCLDiversity("s", c, l), func(f figures) bool { return f.div.recursiveL >= l }},
		}
		for _, el := range []float64{1 + 3*rng.Float64(), float64(l), some.div.entropyL} {
			criteria = append(criteria, struct {
				c    Criterion
				want verdict
			}{EntropyLDiversity("s", el), func(f figures) bool { return f.div.entropyL >= el*(1-1e-9) }})
		}
		for _, tt := range []float64{rng.Float64(), some.equal, some.hier} {
			criteria = append(criteria,
				struct {
					c    Criterion
					want verdict
				}{EqualDistanceTCloseness("s", tt), func(f figures) bool { return f.equal <= tt+1e-9 }},
				struct {
					c    Criterion
					want verdict
				}{HierarchicalTCloseness("s", tt, h), func(f figures) bool { return f.hier <= tt+1e-9 }},
			)
		}
		for _, cr := range criteria {
			chk, err := cr.c.bind(tab)
			if err != nil {
				t.Fatalf("%s %v: %v", name, cr.c, err)
			}
			suppressed, allPass := 0, true
			for cl, f := range per {
				got := chk.passes(f.size, f.vals, f.cnts)
				if want := cr.want(f); got != want {
					t.Fatalf("%s %v class %d %v: search says %v, report figures %+v (equal %v, hierarchical %v)",
						name, cr.c, cl, f.cnts, got, f.div, f.equal, f.hier)
				}
				if !got {
					suppressed += int(f.size)
					allPass = false
				}
			}
			// The search itself, on the one transformation there is, must
			// suppress exactly the classes that fail.
			res, err := Anonymise(tab, Config{QuasiIdentifiers: identityQIs(tab, qiNames), Criteria: []Criterion{cr.c}, SuppressionLimit: 1})
			if err != nil {
				t.Fatalf("%s %v: %v", name, cr.c, err)
			}
			if res.SuppressedRecords != suppressed {
				t.Fatalf("%s %v: the search suppressed %d records, the criterion fails %d", name, cr.c, res.SuppressedRecords, suppressed)
			}
			if allPass != reportPasses(cr.c, r) {
				t.Fatalf("%s %v: every class passes: %v, but the report says %+v %+v (hierarchical %v)", name, cr.c, allPass, rd, rc, *rc.HierarchicalT)
			}
		}
	}
	t.Logf("%d classes compared", classes)
}

// reportPasses reads a criterion's verdict on the whole table off the
// report, as a reader of the report would.
func reportPasses(c Criterion, r *RiskReport) bool {
	switch c := c.(type) {
	case distinctL:
		return r.Diversity.DistinctL >= c.l
	case entropyL:
		return r.Diversity.EntropyL >= c.l*(1-1e-9)
	case recursiveCL:
		// The report was made with the criterion's c.
		return r.Diversity.Recursive.LargestL >= c.l
	case tCloseness:
		if c.hierarchy != nil {
			return *r.Closeness.HierarchicalT <= c.t+1e-9
		}
		return r.Closeness.EqualDistanceT <= c.t+1e-9
	}
	panic(fmt.Sprintf("no report figure for %v", c))
}

// identityQIs gives each column a one-level hierarchy, so that the search
// has a single transformation to judge: the data as they are.
func identityQIs(tab *Table, names []string) []QuasiIdentifier {
	var out []QuasiIdentifier
	for _, n := range names {
		col, _ := tab.Column(n)
		h := &Hierarchy{Attribute: n}
		for _, v := range col.Dict {
			h.Rows = append(h.Rows, []string{v})
		}
		out = append(out, QuasiIdentifier{Column: n, Hierarchy: h})
	}
	return out
}

// naiveEntropyL is e to the power of −Σ p·ln p, the definition with the
// natural logarithm.
func naiveEntropyL(cnts []uint32) float64 {
	var n, h float64
	for _, c := range cnts {
		n += float64(c)
	}
	for _, c := range cnts {
		p := float64(c) / n
		h -= p * math.Log(p)
	}
	return math.Exp(h)
}

// naiveRecursiveL tries every l against r1 < c·(rl + … + rm), assuming
// nothing about monotonicity.
func naiveRecursiveL(cnts []uint32, c float64) int {
	r := slices.Clone(cnts)
	slices.Sort(r)
	slices.Reverse(r)
	largest := 0
	for l := 1; l <= len(r); l++ {
		var tail float64
		for _, v := range r[l-1:] {
			tail += float64(v)
		}
		if float64(r[0]) < c*tail {
			largest = l
		}
	}
	// A larger l holding while a smaller one fails would break the
	// measure; check the first failure is the last success plus one.
	for l := 1; l <= largest; l++ {
		var tail float64
		for _, v := range r[l-1:] {
			tail += float64(v)
		}
		if !(float64(r[0]) < c*tail) {
			panic("recursive (c,l)-diversity not monotone in l")
		}
	}
	return largest
}

// naiveEqualEMD is ½·Σ|p − q| over every value of the dictionary.
func naiveEqualEMD(tab *Table, sens *Column, vals, cnts []uint32) float64 {
	p := make([]float64, len(sens.Dict))
	var n float64
	for _, c := range cnts {
		n += float64(c)
	}
	for i, v := range vals {
		p[v] = float64(cnts[i]) / n
	}
	q := make([]float64, len(sens.Dict))
	for _, v := range sens.Codes {
		q[v] += 1 / float64(tab.Rows)
	}
	var d float64
	for v := range p {
		d += math.Abs(p[v] - q[v])
	}
	return d / 2
}

// naiveHierarchicalEMD is the tree form of the EMD with ground distance
// height(lowest common ancestor)/H: every edge weighs 1/(2H) and carries
// the net mass that must cross it, |p(N) − q(N)| for the node N below it.
// A hierarchy with several top labels, or none above the values, hangs
// from a common root.
func naiveHierarchicalEMD(h *Hierarchy, sens *Column, d *classDistributions, vals, cnts []uint32) float64 {
	levels := h.Levels()
	top := h.Rows[0][levels-1]
	oneTop := !slices.ContainsFunc(h.Rows, func(r []string) bool { return r[levels-1] != top })
	height := levels // edges up to an added root
	if levels > 1 && oneTop {
		height = levels - 1 // the one top label is the root
	}
	// mass[l][label]: the share of the records under each node below the
	// root, found by walking each value's row.
	mass := func(vals, cnts []uint32) []map[string]float64 {
		m := make([]map[string]float64, height)
		for l := range m {
			m[l] = map[string]float64{}
		}
		var total float64
		for _, c := range cnts {
			total += float64(c)
		}
		for i, v := range vals {
			for _, row := range h.Rows {
				if row[0] == sens.Dict[v] {
					for l := range height {
						m[l][row[l]] += float64(cnts[i]) / total
					}
				}
			}
		}
		return m
	}
	all := make([]uint32, len(d.overall))
	for v := range all {
		all[v] = uint32(v)
	}
	p, q := mass(vals, cnts), mass(all, d.overall)
	var emd float64
	for l := range height {
		for label, ql := range q[l] {
			emd += math.Abs(p[l][label]-ql) / (2 * float64(height))
		}
	}
	return emd
}

// A hierarchy whose top level has several labels, or that has no level
// above the values, used to let the search count moving mass between top
// labels as free: a class of only "a" and "b" (both under X) was at EMD 0
// from a table half under X and half under Y, while the report said 0.5.
// Both now hang such hierarchies from a common root.
func TestHierarchicalEMDAddsCommonRoot(t *testing.T) {
	tab := riskTable(t, []string{"q", "s"}, [][]string{
		{"1", "a"}, {"1", "b"}, {"1", "a"}, {"2", "c"}, {"2", "d"}, {"2", "d"},
	})
	for _, tc := range []struct {
		name string
		h    *Hierarchy
		want float64
	}{
		// Half the mass crosses the root: 1/2 × cost 1.
		{"rooted", &Hierarchy{Attribute: "s", Rows: [][]string{{"a", "X", "*"}, {"b", "X", "*"}, {"c", "Y", "*"}, {"d", "Y", "*"}}}, 0.5},
		{"several tops", &Hierarchy{Attribute: "s", Rows: [][]string{{"a", "X"}, {"b", "X"}, {"c", "Y"}, {"d", "Y"}}}, 0.5},
		// Values alone: every two values at distance 1, the equal-distance EMD.
		{"flat", &Hierarchy{Attribute: "s", Rows: [][]string{{"a"}, {"b"}, {"c"}, {"d"}}}, 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Assess(tab, RiskOptions{QuasiIdentifiers: []string{"q"}, Sensitive: "s", SensitiveHierarchy: tc.h})
			if err != nil {
				t.Fatal(err)
			}
			if got := *r.Closeness.HierarchicalT; !riskNear(got, tc.want) {
				t.Errorf("report: hierarchical t %v, want %v", got, tc.want)
			}
			chk, err := HierarchicalTCloseness("s", 0.4, tc.h).bind(tab)
			if err != nil {
				t.Fatal(err)
			}
			// codes: a=0 b=1 c=2 d=3; class q=1 holds a, b, a.
			if got := chk.(*hierCloseness).emd(3, []uint32{0, 1}, []uint32{2, 1}); !riskNear(got, tc.want) {
				t.Errorf("search: EMD %v, want %v", got, tc.want)
			}
			if chk.passes(3, []uint32{0, 1}, []uint32{2, 1}) {
				t.Error("0.4-closeness must fail a class at EMD 0.5")
			}
		})
	}
}

func TestRecursiveLargestLByHand(t *testing.T) {
	tests := []struct {
		cnts       []uint32
		c          float64
		upTo, want int
	}{
		{[]uint32{1, 2, 3}, 2, 3, 2},    // 3 < 2·6, 3 < 2·3, not 3 < 2·1
		{[]uint32{3, 2, 1}, 2, 1, 1},    // stops at upTo
		{[]uint32{3, 3}, 1, 2, 1},       // 3 < 6, not 3 < 3: the bound itself fails
		{[]uint32{5}, 1, 5, 0},          // 5 < 5 fails: not even l = 1
		{[]uint32{5}, 1.01, 5, 1},       // but l > m always fails
		{[]uint32{4, 4, 4, 4}, 1, 9, 3}, // 4 < 16, 12, 8, but not 4 < 4
		{nil, 3, 3, 0},
	}
	var scratch []uint32
	for _, tc := range tests {
		var got int
		got, scratch = recursiveLargestL(tc.cnts, tc.c, tc.upTo, scratch)
		if got != tc.want {
			t.Errorf("%v c=%g up to %d: %d, want %d", tc.cnts, tc.c, tc.upTo, got, tc.want)
		}
	}
}

// The search judges every class of every transformation it checks, so the
// per-class checks must not allocate once warm.
func TestSensitiveChecksDoNotAllocate(t *testing.T) {
	tab, hs := loadAdult(t)
	d, _ := adultDistributions(t, tab, "education", "sex", "age", "race")
	for _, bc := range sensitiveBenchCriteria {
		chk, err := bc.c(hs).bind(tab)
		if err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(3, func() {
			for cl := range d.sizes {
				chk.passes(d.class(cl))
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per pass over the classes", bc.name, allocs)
		}
	}
}

func TestHierarchyErrorsNameTheProblem(t *testing.T) {
	tab := smallTable(t)
	for _, tc := range []struct {
		h    *Hierarchy
		want string
	}{
		{&Hierarchy{Attribute: "s", Rows: [][]string{{"flu", "*"}, {"cold", "*"}}}, `no entry for 1 value of the column: "hiv"`},
		{&Hierarchy{Attribute: "s", Rows: [][]string{{"flu", "*"}, {"cold", "*"}, {"hiv", "*"}, {"flu", "*"}}}, "already defined"},
	} {
		_, errSearch := HierarchicalTCloseness("s", 0.5, tc.h).bind(tab)
		_, errReport := Assess(tab, RiskOptions{QuasiIdentifiers: []string{"a"}, Sensitive: "s", SensitiveHierarchy: tc.h})
		for who, err := range map[string]error{"search": errSearch, "report": errReport} {
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: error %v, want one containing %q", who, err, tc.want)
			}
		}
	}
}
