package anon

import (
	"fmt"
	"math"
	"slices"
)

// Criterion is a privacy model the search must satisfy, judged per
// equivalence class: a class that fails any criterion is suppressed, and a
// transformation is acceptable when no more than the configured share of
// records is suppressed. Build one with KAnonymity, DistinctLDiversity,
// EntropyLDiversity, RecursiveCLDiversity, EqualDistanceTCloseness or
// HierarchicalTCloseness.
type Criterion interface {
	// String describes the criterion for reports, e.g. "5-anonymity".
	String() string
	// SensitiveColumn names the column the criterion protects ("" if none).
	SensitiveColumn() string
	// MonotoneWithSuppression reports whether generalising an acceptable
	// transformation further always keeps it acceptable when classes may be
	// suppressed. Without suppression every criterion here is monotone.
	MonotoneWithSuppression() bool
	// bind prepares the criterion for one table.
	bind(t *Table) (classCheck, error)
}

// classCheck judges one class: size is its number of records, vals and cnts
// the distinct values of the sensitive column and their counts.
type classCheck interface {
	passes(size uint32, vals, cnts []uint32) bool
}

// Tolerance for floating-point thresholds: a class exactly on the bound (for
// example two equally frequent values and entropy 2-diversity) must pass.
const thresholdEps = 1e-12

type kAnonymity struct{ k int }

// KAnonymity requires every class to have at least k records.
func KAnonymity(k int) Criterion { return kAnonymity{k} }

func (c kAnonymity) String() string                { return fmt.Sprintf("%d-anonymity", c.k) }
func (c kAnonymity) SensitiveColumn() string       { return "" }
func (c kAnonymity) MonotoneWithSuppression() bool { return true }
func (c kAnonymity) bind(*Table) (classCheck, error) {
	if c.k < 1 {
		return nil, fmt.Errorf("k-anonymity: k must be at least 1, got %d", c.k)
	}
	return c, nil
}
func (c kAnonymity) passes(size uint32, _, _ []uint32) bool { return int(size) >= c.k }

type distinctL struct {
	col string
	l   int
}

// DistinctLDiversity requires at least l distinct values of the sensitive
// column in every class.
func DistinctLDiversity(column string, l int) Criterion { return distinctL{column, l} }

func (c distinctL) String() string {
	return fmt.Sprintf("distinct-%d-diversity(%s)", c.l, c.col)
}
func (c distinctL) SensitiveColumn() string { return c.col }

// MonotoneWithSuppression is true: a class merged from classes of which one
// has l distinct values has at least l too, so suppression can only shrink.
func (c distinctL) MonotoneWithSuppression() bool { return true }
func (c distinctL) bind(t *Table) (classCheck, error) {
	if c.l < 1 {
		return nil, fmt.Errorf("%s: l must be at least 1", c)
	}
	if _, err := sensitiveColumn(t, c.col, c.String()); err != nil {
		return nil, err
	}
	return c, nil
}
func (c distinctL) passes(_ uint32, vals, _ []uint32) bool { return len(vals) >= c.l }

type entropyL struct {
	col string
	l   float64
}

// EntropyLDiversity requires the entropy of the sensitive column in every
// class to be at least log2(l).
func EntropyLDiversity(column string, l float64) Criterion { return entropyL{column, l} }

func (c entropyL) String() string {
	return fmt.Sprintf("entropy-%g-diversity(%s)", c.l, c.col)
}
func (c entropyL) SensitiveColumn() string       { return c.col }
func (c entropyL) MonotoneWithSuppression() bool { return false }
func (c entropyL) bind(t *Table) (classCheck, error) {
	if c.l < 1 {
		return nil, fmt.Errorf("%s: l must be at least 1", c)
	}
	if _, err := sensitiveColumn(t, c.col, c.String()); err != nil {
		return nil, err
	}
	return entropyCheck{math.Log2(c.l)}, nil
}

type entropyCheck struct{ min float64 }

func (c entropyCheck) passes(size uint32, _, cnts []uint32) bool {
	return classEntropy(size, cnts) >= c.min-thresholdEps
}

// classEntropy returns the Shannon entropy (bits) of a class's sensitive
// values, as log2(n) - Σ c·log2(c)/n, which loses less precision than
// summing p·log2(p).
func classEntropy(size uint32, cnts []uint32) float64 {
	n := float64(size)
	var s float64
	for _, c := range cnts {
		if c > 0 {
			f := float64(c)
			s += f * math.Log2(f)
		}
	}
	return math.Log2(n) - s/n
}

type recursiveCL struct {
	col string
	c   float64
	l   int
}

// RecursiveCLDiversity requires, in every class, r1 < c·(rl + … + rm) where
// r1 ≥ r2 ≥ … ≥ rm are the counts of the sensitive values.
func RecursiveCLDiversity(column string, c float64, l int) Criterion {
	return recursiveCL{column, c, l}
}

func (r recursiveCL) String() string {
	return fmt.Sprintf("recursive-(%g,%d)-diversity(%s)", r.c, r.l, r.col)
}
func (r recursiveCL) SensitiveColumn() string       { return r.col }
func (r recursiveCL) MonotoneWithSuppression() bool { return false }
func (r recursiveCL) bind(t *Table) (classCheck, error) {
	if r.l < 1 || r.c <= 0 {
		return nil, fmt.Errorf("%s: need l ≥ 1 and c > 0", r)
	}
	if _, err := sensitiveColumn(t, r.col, r.String()); err != nil {
		return nil, err
	}
	return &recursiveCheck{c: r.c, l: r.l}, nil
}

type recursiveCheck struct {
	c       float64
	l       int
	scratch []uint32
}

func (r *recursiveCheck) passes(_ uint32, _, cnts []uint32) bool {
	if len(cnts) < r.l {
		return false
	}
	s := append(r.scratch[:0], cnts...)
	r.scratch = s
	slices.SortFunc(s, func(a, b uint32) int { return int(b) - int(a) })
	var tail float64
	for _, v := range s[r.l-1:] {
		tail += float64(v)
	}
	return float64(s[0]) < r.c*tail
}

type tCloseness struct {
	col       string
	t         float64
	hierarchy *Hierarchy // nil: equal ground distance
}

// EqualDistanceTCloseness requires the distribution of the sensitive column
// in every class to be within Earth Mover's Distance t of its distribution
// in the whole table, with every pair of values at distance 1 (so the EMD
// is half the L1 distance).
func EqualDistanceTCloseness(column string, t float64) Criterion {
	return tCloseness{col: column, t: t}
}

// HierarchicalTCloseness is t-closeness with the ground distance given by a
// hierarchy of the sensitive values (Li, Li and Venkatasubramanian, 2007):
// moving mass between values that meet at level h costs h/height.
func HierarchicalTCloseness(column string, t float64, h *Hierarchy) Criterion {
	return tCloseness{col: column, t: t, hierarchy: h}
}

func (c tCloseness) String() string {
	kind := "equal"
	if c.hierarchy != nil {
		kind = "hierarchical"
	}
	return fmt.Sprintf("%s-%g-closeness(%s)", kind, c.t, c.col)
}
func (c tCloseness) SensitiveColumn() string       { return c.col }
func (c tCloseness) MonotoneWithSuppression() bool { return false }
func (c tCloseness) bind(t *Table) (classCheck, error) {
	if c.t < 0 || c.t > 1 {
		return nil, fmt.Errorf("%s: t must be between 0 and 1", c)
	}
	col, err := sensitiveColumn(t, c.col, c.String())
	if err != nil {
		return nil, err
	}
	global := make([]float64, len(col.Dict))
	for _, v := range col.Codes {
		global[v]++
	}
	for i := range global {
		global[i] /= float64(t.Rows)
	}
	if c.hierarchy == nil {
		return equalCloseness{t: c.t, global: global}, nil
	}
	enc, err := EncodeHierarchy(c.hierarchy, col)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c, err)
	}
	return newHierCloseness(c.t, global, enc), nil
}

type equalCloseness struct {
	t      float64
	global []float64
}

func (e equalCloseness) passes(size uint32, vals, cnts []uint32) bool {
	return equalEMD(e.global, size, vals, cnts) <= e.t+thresholdEps
}

// equalEMD is ½·Σ|p−q| over all values; values absent from the class
// contribute their global share, which is 1 − Σ q over present values.
func equalEMD(global []float64, size uint32, vals, cnts []uint32) float64 {
	n := float64(size)
	var d, present float64
	for i, v := range vals {
		q := global[v]
		d += math.Abs(float64(cnts[i])/n - q)
		present += q
	}
	return (d + 1 - present) / 2
}

// hierCloseness computes the hierarchical EMD bottom-up: the mass a subtree
// has in excess (or lacks) must leave (or enter) it across its root, and
// flows that cancel inside a node at level h cost h/height.
type hierCloseness struct {
	t      float64
	global []float64  // by sensitive dictionary code
	leaf   []uint32   // dictionary code -> level-0 code
	parent [][]uint32 // parent[l][g]: code at level l+1 of code g at level l
	card   []int
	extra  [][]float64 // scratch per level
	pos    [][]float64
	neg    [][]float64
	base   []float64 // −q for every level-0 code
}

func newHierCloseness(t float64, global []float64, e *EncodedHierarchy) *hierCloseness {
	h := &hierCloseness{t: t, global: global, leaf: e.Maps[0]}
	levels := e.Levels()
	h.card = make([]int, levels)
	for l := range levels {
		h.card[l] = e.Cardinality(l)
		h.extra = append(h.extra, make([]float64, h.card[l]))
		h.pos = append(h.pos, make([]float64, h.card[l]))
		h.neg = append(h.neg, make([]float64, h.card[l]))
	}
	for l := 0; l+1 < levels; l++ {
		h.parent = append(h.parent, e.Up(l, l+1))
	}
	h.base = make([]float64, h.card[0])
	for c, q := range global {
		h.base[h.leaf[c]] -= q
	}
	return h
}

func (h *hierCloseness) passes(size uint32, vals, cnts []uint32) bool {
	return h.emd(size, vals, cnts) <= h.t+thresholdEps
}

func (h *hierCloseness) emd(size uint32, vals, cnts []uint32) float64 {
	n := float64(size)
	ext := h.extra[0]
	copy(ext, h.base)
	for i, v := range vals {
		ext[h.leaf[v]] += float64(cnts[i]) / n
	}
	height := float64(len(h.card) - 1)
	if height == 0 {
		return 0
	}
	var d float64
	for l := 1; l < len(h.card); l++ {
		pos, neg := h.pos[l], h.neg[l]
		clear(pos)
		clear(neg)
		for g, x := range h.extra[l-1] {
			p := h.parent[l-1][g]
			if x > 0 {
				pos[p] += x
			} else {
				neg[p] -= x
			}
		}
		up := h.extra[l]
		for g := range up {
			d += float64(l) / height * min(pos[g], neg[g])
			up[g] = pos[g] - neg[g]
		}
	}
	return d
}

// sensitiveColumn finds a criterion's column, refusing an empty table
// because distributions over no records are undefined.
func sensitiveColumn(t *Table, name, what string) (*Column, error) {
	col, _ := t.Column(name)
	if col == nil {
		return nil, fmt.Errorf("%s: no column %q in the table", what, name)
	}
	if t.Rows == 0 {
		return nil, fmt.Errorf("%s: the table has no rows", what)
	}
	return col, nil
}
