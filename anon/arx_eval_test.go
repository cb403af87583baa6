package anon

import (
	"cmp"
	"math"
	"slices"
)

// This file evaluates one full-domain transformation of a table straight
// from the definitions, reading hierarchies row by row and sharing no code
// with the search, so that the ARX cross-check can compute the metric ARX
// reports for any transformation: for the one Anonymise chose as well as
// for the one ARX chose when the two differ.

// arxModel is a privacy model in the form ARX's tests state it; zero
// fields are absent. The sensitive column is given separately.
type arxModel struct {
	k        int
	entropyL float64 // Shannon entropy l-diversity
	recC     float64 // recursive (c,l)-diversity with recL
	recL     int
	equalT   float64 // equal-distance t-closeness
	hierT    float64 // hierarchical t-closeness over the sensitive hierarchy
}

// criteria returns the model as Accord criteria.
func (m arxModel) criteria(sensitive string, sensHier *Hierarchy) []Criterion {
	var out []Criterion
	if m.k > 0 {
		out = append(out, KAnonymity(m.k))
	}
	if m.entropyL > 0 {
		out = append(out, EntropyLDiversity(sensitive, m.entropyL))
	}
	if m.recL > 0 {
		out = append(out, RecursiveCLDiversity(sensitive, m.recC, m.recL))
	}
	if m.equalT > 0 {
		out = append(out, EqualDistanceTCloseness(sensitive, m.equalT))
	}
	if m.hierT > 0 {
		out = append(out, HierarchicalTCloseness(sensitive, m.hierT, sensHier))
	}
	return out
}

// naiveColumn is one quasi-identifier at one level.
type naiveColumn struct {
	codes  []uint32  // the table's dictionary code of each row
	label  []int     // label id of each dictionary code
	freqV  []float64 // records per dictionary code
	freqG  []float64 // records per label id
	leaves []int     // hierarchy rows under each label id
	domain int       // hierarchy rows
}

func (c *naiveColumn) labelOf(r int) int { return c.label[c.codes[r]] }

// naiveNode is one transformation evaluated from the rows.
type naiveNode struct {
	rows    int
	cols    []naiveColumn
	classOf []int
	sizes   []int
	failed  []bool // per class: fails the model and is suppressed
}

// evaluateNaive groups t at levels and judges every class against m. ARX
// and Accord both suppress every class that fails, whatever the limit; the
// limit only decides whether the transformation is acceptable.
func evaluateNaive(t *Table, qis []QuasiIdentifier, levels []int, m arxModel, sensitive string, sensHier *Hierarchy) *naiveNode {
	n := &naiveNode{rows: t.Rows}
	for i, q := range qis {
		col, _ := t.Column(q.Column)
		gen := map[string]string{}
		leaves := map[string]int{}
		for _, row := range q.Hierarchy.Rows {
			gen[row[0]] = row[levels[i]]
			leaves[row[levels[i]]]++
		}
		c := naiveColumn{codes: col.Codes, label: make([]int, len(col.Dict)), freqV: make([]float64, len(col.Dict)), domain: len(q.Hierarchy.Rows)}
		ids := map[string]int{}
		for code, v := range col.Dict {
			g := gen[v]
			id, ok := ids[g]
			if !ok {
				id = len(ids)
				ids[g] = id
				c.leaves = append(c.leaves, leaves[g])
			}
			c.label[code] = id
		}
		c.freqG = make([]float64, len(ids))
		for r := range t.Rows {
			c.freqV[c.codes[r]]++
			c.freqG[c.labelOf(r)]++
		}
		n.cols = append(n.cols, c)
	}
	// A class is a combination of label ids, keyed in mixed radix.
	index := map[uint64]int{}
	n.classOf = make([]int, t.Rows)
	for r := range t.Rows {
		var key uint64
		for i := range n.cols {
			key = key*uint64(len(n.cols[i].freqG)) + uint64(n.cols[i].labelOf(r))
		}
		c, ok := index[key]
		if !ok {
			c = len(n.sizes)
			index[key] = c
			n.sizes = append(n.sizes, 0)
		}
		n.classOf[r] = c
		n.sizes[c]++
	}
	// Sensitive value counts per class, only when a criterion needs them.
	counts := make([]map[string]int, len(n.sizes))
	overall := map[string]float64{}
	if sensitive != "" && m.needsSensitive() {
		for c := range counts {
			counts[c] = map[string]int{}
		}
		col, _ := t.Column(sensitive)
		for r := range t.Rows {
			v := col.Value(r)
			counts[n.classOf[r]][v]++
			overall[v] += 1 / float64(t.Rows)
		}
	}
	n.failed = make([]bool, len(n.sizes))
	for c, size := range n.sizes {
		n.failed[c] = !m.holds(size, counts[c], overall, sensHier)
	}
	return n
}

func (m arxModel) needsSensitive() bool {
	return m.entropyL > 0 || m.recL > 0 || m.equalT > 0 || m.hierT > 0
}

// holds judges one class of the given size and sensitive value counts.
func (m arxModel) holds(size int, counts map[string]int, overall map[string]float64, sensHier *Hierarchy) bool {
	const eps = 1e-12
	if size < m.k {
		return false
	}
	if !m.needsSensitive() {
		return true
	}
	var cs []int
	for _, k := range counts {
		cs = append(cs, k)
	}
	slices.SortFunc(cs, func(a, b int) int { return b - a })
	if m.entropyL > 0 {
		h := 0.0
		for _, k := range cs {
			p := float64(k) / float64(size)
			h -= p * math.Log2(p)
		}
		if h < math.Log2(m.entropyL)-eps {
			return false
		}
	}
	if m.recL > 0 {
		if len(cs) < m.recL {
			return false
		}
		tail := 0
		for _, k := range cs[m.recL-1:] {
			tail += k
		}
		if float64(cs[0]) >= m.recC*float64(tail) {
			return false
		}
	}
	if m.equalT > 0 {
		d := 0.0
		for v, q := range overall {
			d += math.Abs(float64(counts[v])/float64(size) - q)
		}
		if d/2 > m.equalT+eps {
			return false
		}
	}
	if m.hierT > 0 && treeEMD(counts, size, overall, sensHier) > m.hierT+eps {
		return false
	}
	return true
}

// treeEMD is the hierarchical Earth Mover's Distance in its tree form: with
// height H, every edge weighs 1/(2H), so two values meeting at height h are
// h/H apart, and the distance is the sum over the nodes below the root of
// the edge weight times |p(node) − q(node)|, the mass that must cross the
// node's edge.
func treeEMD(counts map[string]int, size int, overall map[string]float64, h *Hierarchy) float64 {
	height := h.Levels() - 1
	type node struct {
		level int
		label string
	}
	p := map[node]float64{}
	q := map[node]float64{}
	for _, row := range h.Rows {
		for l := range height {
			p[node{l, row[l]}] += float64(counts[row[0]]) / float64(size)
			q[node{l, row[l]}] += overall[row[0]]
		}
	}
	d := 0.0
	for nd, pv := range p {
		d += math.Abs(pv-q[nd]) / float64(2*height)
	}
	return d
}

// suppressed returns the number of records in failing classes.
func (n *naiveNode) suppressed() int {
	s := 0
	for c, f := range n.failed {
		if f {
			s += n.sizes[c]
		}
	}
	return s
}

func (n *naiveNode) rowSuppressed(r int) bool { return n.failed[n.classOf[r]] }

// monotonicEntropy is ARX's monotonic non-uniform entropy
// (Metric.createEntropyMetric(true)): suppression is ignored and every
// record loses −log2(f(v)/F(g)) per attribute, f(v) the records with its
// original value and F(g) those whose value generalises to the same g.
func (n *naiveNode) monotonicEntropy() float64 {
	s := 0.0
	for _, c := range n.cols {
		for r := range n.rows {
			s += math.Log2(c.freqG[c.labelOf(r)] / c.freqV[c.codes[r]])
		}
	}
	return s
}

// accordEntropy is MetricEntropy: a suppressed record counts as generalised
// to '*', losing −log2(f(v)/N).
func (n *naiveNode) accordEntropy() float64 {
	s := 0.0
	for _, c := range n.cols {
		for r := range n.rows {
			if n.rowSuppressed(r) {
				s += math.Log2(float64(n.rows) / c.freqV[c.codes[r]])
			} else {
				s += math.Log2(c.freqG[c.labelOf(r)] / c.freqV[c.codes[r]])
			}
		}
	}
	return s
}

// arxNonMonotonicEntropy is ARX's non-monotonic non-uniform entropy
// (Metric.createEntropyMetric(false)): every record first counts as
// generalised; then, per attribute, the S suppressed records are treated
// as one more generalisation of their values g into a '*' that holds only
// them, each adding −log2(c(g)/S), c(g) the suppressed records with g.
func (n *naiveNode) arxNonMonotonicEntropy() float64 {
	s := n.monotonicEntropy()
	supp := float64(n.suppressed())
	for _, c := range n.cols {
		cg := make([]float64, len(c.freqG))
		for r := range n.rows {
			if n.rowSuppressed(r) {
				cg[c.labelOf(r)]++
			}
		}
		for _, k := range cg {
			if k > 0 {
				s += k * math.Log2(supp/k)
			}
		}
	}
	return s
}

// discernibility is MetricDiscernibility (ARX's non-monotonic DM): |E|² per
// kept class and N per suppressed record.
func (n *naiveNode) discernibility() float64 {
	s := 0.0
	for c, size := range n.sizes {
		if n.failed[c] {
			s += float64(size) * float64(n.rows)
		} else {
			s += float64(size) * float64(size)
		}
	}
	return s
}

// discernibilityStar is ARX's monotonic DM*: |E|² over every class,
// suppressed or not.
func (n *naiveNode) discernibilityStar() float64 {
	s := 0.0
	for _, size := range n.sizes {
		s += float64(size) * float64(size)
	}
	return s
}

// averageClassSize is MetricAverageClassSize: N over the number of kept
// classes, the suppressed records counting as one more class.
func (n *naiveNode) averageClassSize() float64 {
	classes := 0
	anySupp := false
	for c := range n.sizes {
		if n.failed[c] {
			anySupp = true
		} else {
			classes++
		}
	}
	if anySupp {
		classes++
	}
	return float64(n.rows) / float64(classes)
}

// attributeLosses returns Iyengar's loss per attribute: the mean over
// records of (leaves(g)−1)/(leaves−1), leaves counted over the hierarchy's
// rows, and 1 for a suppressed record.
func (n *naiveNode) attributeLosses() []float64 {
	var out []float64
	for _, c := range n.cols {
		s := 0.0
		for r := range n.rows {
			if n.rowSuppressed(r) {
				s++
			} else {
				s += float64(c.leaves[c.labelOf(r)]-1) / float64(c.domain-1)
			}
		}
		out = append(out, s/float64(n.rows))
	}
	return out
}

// meanLoss is MetricLoss: the mean of the attribute losses.
func (n *naiveNode) meanLoss() float64 {
	s := 0.0
	ls := n.attributeLosses()
	for _, l := range ls {
		s += l
	}
	return s / float64(len(ls))
}

// rankLoss is ARX's loss metric with its default aggregate, RANK: the
// attribute losses sorted from the largest, compared lexicographically.
func (n *naiveNode) rankLoss() []float64 {
	ls := n.attributeLosses()
	slices.SortFunc(ls, func(a, b float64) int { return cmp.Compare(b, a) })
	return ls
}
