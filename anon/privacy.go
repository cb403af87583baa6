package anon

import (
	"fmt"
	"math"
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
		return false // the tail rl + … + rm is empty
	}
	var largest int
	largest, r.scratch = recursiveLargestL(cnts, r.c, r.l, r.scratch)
	return largest >= r.l
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
// moving mass between values that meet at level h costs h/height. A
// hierarchy without a single top label gets a common root above its last
// level, as the risk report's hierarchical t does (see emdTree).
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
	overall := codeCounts(col)
	if c.hierarchy == nil {
		return equalCloseness{t: c.t, global: valueShares(overall, t.Rows)}, nil
	}
	tree, err := newEMDTree(c.hierarchy, col.Dict, overall, t.Rows)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c, err)
	}
	return &hierCloseness{t: c.t, tree: tree}, nil
}

type equalCloseness struct {
	t      float64
	global []float64
}

func (e equalCloseness) passes(size uint32, vals, cnts []uint32) bool {
	return equalEMD(e.global, size, vals, cnts) <= e.t+thresholdEps
}

type hierCloseness struct {
	t    float64
	tree *emdTree
}

func (h *hierCloseness) passes(size uint32, vals, cnts []uint32) bool {
	return h.emd(size, vals, cnts) <= h.t+thresholdEps
}

func (h *hierCloseness) emd(size uint32, vals, cnts []uint32) float64 {
	return h.tree.distance(vals, cnts, float64(size))
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
