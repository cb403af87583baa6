package anon

import (
	"errors"
	"fmt"
	"math"
)

// QuasiIdentifier is a column an attacker may know, with the hierarchy the
// search may generalise it along.
type QuasiIdentifier struct {
	Column    string
	Hierarchy *Hierarchy
}

// Config describes one search.
type Config struct {
	// QuasiIdentifiers are generalised; every other column is copied as is
	// (drop direct identifiers with DropColumns first).
	QuasiIdentifiers []QuasiIdentifier
	// Criteria must all hold in every class that is not suppressed.
	Criteria []Criterion
	// SuppressionLimit is the largest share of records (0 to 1) that may be
	// suppressed to satisfy the criteria.
	SuppressionLimit float64
	// Metric is the information loss to minimise.
	Metric Metric
	// RemoveSuppressed drops suppressed records from Result.Table instead
	// of keeping them with every quasi-identifier replaced by "*" (the
	// default, as ARX does, so the row count is unchanged).
	RemoveSuppressed bool
}

// Result is the optimal transformation and the data it produces. The JSON
// field names are the ones Accord's reports use.
type Result struct {
	// Levels maps each quasi-identifier to its generalisation level
	// (0 = original values).
	Levels map[string]int `json:"levels"`
	// LevelVector holds the same levels in Config.QuasiIdentifiers order.
	LevelVector       []int   `json:"-"`
	InformationLoss   float64 `json:"information_loss"`
	SuppressedRecords int     `json:"suppressed_records"`
	// MinClassSize and Classes describe the classes that were kept.
	MinClassSize int         `json:"min_class_size"`
	Classes      int         `json:"classes"`
	Search       SearchStats `json:"search"`
	// Table is the anonymised table. Columns that are not quasi-identifiers
	// are shared with the input table, not copied.
	Table *Table `json:"-"`
}

// SearchStats describes the work done. The library has no clock: Seconds
// is left zero for the caller to fill in.
type SearchStats struct {
	Transformations int     `json:"transformations"`
	Checked         int     `json:"checked"`
	Seconds         float64 `json:"seconds"`
}

// ErrNoSolution is returned when no transformation satisfies the criteria
// within the suppression limit.
var ErrNoSolution = errors.New("no generalisation satisfies the privacy criteria within the suppression limit")

// Anonymise finds the full-domain generalisation (one level per
// quasi-identifier) with the least information loss among those that
// satisfy every criterion after suppressing at most SuppressionLimit of the
// records, and applies it.
//
// The search is optimal, not heuristic. It follows Flash (Kohlmayer et al.,
// 2012): when acceptability is monotone (generalising an acceptable
// transformation keeps it acceptable), checked transformations tag their
// whole up-set acceptable or down-set unacceptable, and binary search along
// paths finds the border with few checks. Transformations whose lower bound
// on loss (the loss without suppression, which only grows upwards) cannot
// beat the best found so far are pruned with their up-set. With suppression
// the loss itself is not monotone, so every acceptable transformation not
// pruned by a bound is evaluated; for entropy and loss with k-anonymity or
// distinct l-diversity the sweep runs top-down and also bounds each
// transformation by the suppression loss of those above it, which can only
// be smaller. Classes are rolled up from the cached classes of a less
// generalised transformation instead of regrouping rows.
func Anonymise(t *Table, cfg Config) (*Result, error) {
	s, err := newSearcher(t, cfg)
	if err != nil {
		return nil, err
	}
	best := s.run()
	if best < 0 {
		return nil, fmt.Errorf("%w (checked %d of %d transformations)", ErrNoSolution, s.checked, s.lt.size)
	}
	return s.result(best)
}

// searcher holds the state of one search.
type searcher struct {
	cfg     Config
	t       *Table
	qi      []*Column
	hs      []*EncodedHierarchy
	checks  []classCheck
	sensOf  []int // per check: index into the sensitive columns, or -1
	onlyK   int   // > 0 when every criterion is k-anonymity; the largest k
	lt      *lattice
	g       *grouper
	cc      *cellCosts
	rows    int
	limit   int  // most records that may be suppressed
	mono    bool // acceptability is monotone
	cache   groupCache
	checked int

	best     float64
	bestNode int
	lb       []float64 // inherited lower bounds, for metrics without cell costs
	buf      []int
	stack    []int
	suppBuf  []int
	penBuf   [][]float64
	pen      [][][]float64 // pen[i][l][u]: cellCosts.pen by grouper code
	psum     []float64
	digits   []int // columns from the fastest varying in the sweep
	// fullExtra: judge sums the whole suppression loss even when it
	// cannot be the best, because it bounds the nodes below.
	fullExtra bool
}

func newSearcher(t *Table, cfg Config) (*searcher, error) {
	if t == nil {
		return nil, errors.New("anonymise: no table given")
	}
	if len(cfg.QuasiIdentifiers) == 0 {
		return nil, errors.New("anonymise: no quasi-identifiers given")
	}
	if len(cfg.Criteria) == 0 {
		return nil, errors.New("anonymise: no privacy criterion given")
	}
	if math.IsNaN(cfg.SuppressionLimit) || cfg.SuppressionLimit < 0 || cfg.SuppressionLimit > 1 {
		return nil, fmt.Errorf("anonymise: suppression limit must be between 0 and 1, got %g", cfg.SuppressionLimit)
	}
	if _, ok := metricNames[cfg.Metric]; !ok {
		return nil, fmt.Errorf("anonymise: unknown metric %d", int(cfg.Metric))
	}
	if t.Rows == 0 {
		return nil, errors.New("anonymise: the table has no rows")
	}
	s := &searcher{cfg: cfg, t: t, rows: t.Rows, best: math.Inf(1), bestNode: -1}
	s.limit = int(math.Floor(cfg.SuppressionLimit*float64(t.Rows) + 1e-9))
	seen := map[string]bool{}
	levels := make([]int, len(cfg.QuasiIdentifiers))
	rowCodes := make([][]uint32, len(cfg.QuasiIdentifiers))
	for i, q := range cfg.QuasiIdentifiers {
		col, _ := t.Column(q.Column)
		if col == nil {
			return nil, fmt.Errorf("anonymise: quasi-identifier %q is not a column of the table", q.Column)
		}
		if seen[q.Column] {
			return nil, fmt.Errorf("anonymise: quasi-identifier %q given twice", q.Column)
		}
		seen[q.Column] = true
		if q.Hierarchy == nil {
			return nil, fmt.Errorf("anonymise: quasi-identifier %q has no hierarchy", q.Column)
		}
		h, err := EncodeHierarchy(q.Hierarchy, col)
		if err != nil {
			return nil, fmt.Errorf("anonymise: %w", err)
		}
		s.qi = append(s.qi, col)
		s.hs = append(s.hs, h)
		levels[i] = h.Levels()
		rowCodes[i] = col.Codes
	}
	var sensNames []string
	var rowSens [][]uint32
	var sensCard []int
	s.mono = true
	for _, c := range cfg.Criteria {
		chk, err := c.bind(t)
		if err != nil {
			return nil, fmt.Errorf("anonymise: %w", err)
		}
		s.checks = append(s.checks, chk)
		if s.limit > 0 && !c.MonotoneWithSuppression() {
			s.mono = false
		}
		idx := -1
		if name := c.SensitiveColumn(); name != "" {
			if seen[name] {
				return nil, fmt.Errorf("anonymise: %q is a quasi-identifier and cannot also be the sensitive column of %s", name, c)
			}
			for j, n := range sensNames {
				if n == name {
					idx = j
				}
			}
			if idx < 0 {
				col, _ := t.Column(name)
				idx = len(sensNames)
				sensNames = append(sensNames, name)
				rowSens = append(rowSens, col.Codes)
				sensCard = append(sensCard, len(col.Dict))
			}
		}
		s.sensOf = append(s.sensOf, idx)
	}
	for _, c := range cfg.Criteria {
		k, ok := c.(kAnonymity)
		if !ok {
			s.onlyK = 0
			break
		}
		s.onlyK = max(s.onlyK, k.k)
	}
	lt, err := newLattice(levels)
	if err != nil {
		return nil, fmt.Errorf("anonymise: %w", err)
	}
	s.lt = lt
	// The column with the most levels varies fastest in the sweep and is
	// the least significant key field, so most roll-ups in the sweep are
	// sequential passes.
	s.digits = make([]int, 0, len(levels))
	fast := len(levels) - 1
	for i, l := range levels {
		if l > levels[fast] {
			fast = i
		}
	}
	s.digits = append(s.digits, fast)
	for i := len(levels) - 1; i >= 0; i-- {
		if i != fast {
			s.digits = append(s.digits, i)
		}
	}
	s.g = newGrouper(s.hs, rowCodes, rowSens, sensCard, s.digits)
	if cfg.Metric.cellMetric() {
		s.cc = newCellCosts(cfg.Metric, s.qi, s.hs, t.Rows)
		// Penalties indexed by the grouper's codes.
		s.pen = make([][][]float64, len(s.hs))
		for i := range s.hs {
			for l, ext := range s.g.ext[i] {
				p := make([]float64, len(ext))
				for u, e := range ext {
					p[u] = s.cc.pen[i][l][e]
				}
				s.pen[i] = append(s.pen[i], p)
			}
		}
	} else {
		s.lb = make([]float64, lt.size)
	}
	return s, nil
}
