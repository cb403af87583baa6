package anon

import (
	"fmt"
	"math"
)

// Metric measures the information a transformation loses; the search
// returns the acceptable transformation with the smallest value.
type Metric int

const (
	// MetricEntropy is non-uniform entropy: for every quasi-identifier and
	// record whose original value v is generalised to g, the loss grows by
	// −log2(freq(v) / freq(values generalising to g)), frequencies taken
	// over the input. A suppressed record counts as generalised to the top.
	// Without suppression this is ARX's non-uniform entropy; with it, ARX's
	// monotonic variant ignores suppression and its non-monotonic variant
	// generalises suppressed records into a '*' holding only them, so the
	// values differ (docs/anon-arx.md).
	MetricEntropy Metric = iota
	// MetricDiscernibility is Σ|E|² over the kept classes E plus N for
	// every suppressed record (N = number of records): ARX's non-monotonic
	// DM, not its DM*, which ignores suppression.
	MetricDiscernibility
	// MetricAverageClassSize is N divided by the number of classes, the
	// suppressed records counting as one class (they are all '*'), as in
	// ARX's AECS.
	MetricAverageClassSize
	// MetricLoss is Iyengar's loss metric: a cell generalised to g loses
	// (leaves(g)−1)/(leaves−1), leaves counted in the hierarchy, and a
	// suppressed cell loses 1; the result is the mean over all
	// quasi-identifier cells, between 0 and 1. Per attribute this is ARX's
	// loss metric with its default factor 0.5; ARX's default aggregate
	// ranks the attributes' losses instead of averaging them.
	MetricLoss
)

var metricNames = map[Metric]string{
	MetricEntropy:          "entropy",
	MetricDiscernibility:   "discernibility",
	MetricAverageClassSize: "average-class-size",
	MetricLoss:             "loss",
}

func (m Metric) String() string {
	if s, ok := metricNames[m]; ok {
		return s
	}
	return fmt.Sprintf("Metric(%d)", int(m))
}

// ParseMetric parses a metric name as written by String.
func ParseMetric(s string) (Metric, error) {
	for m, n := range metricNames {
		if n == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("unknown metric %q (want entropy, discernibility, average-class-size or loss)", s)
}

// cellMetric reports whether the metric is a sum over cells. Those metrics
// have a lower bound computable from the levels alone (the loss as if no
// record were suppressed), which the search uses to skip transformations
// without grouping them.
func (m Metric) cellMetric() bool { return m == MetricEntropy || m == MetricLoss }

// cellCosts holds, for a cell metric, base[i][l]: the loss of column i at
// level l when no record is suppressed, and pen[i][l][g]: the extra loss of
// suppressing one record whose column i is generalised to g at level l.
// The extra loss depends only on g because −log2(f(v)/N) + log2(f(v)/F(g))
// = log2(N/F(g)); so a suppressed class costs its size times Σ pen.
type cellCosts struct {
	base  [][]float64
	pen   [][][]float64
	all   [][]float64 // all[i][l]: Σ over records of pen, column i at level l
	scale float64     // divides the sum (1, or N·q for the mean loss)
}

func newCellCosts(m Metric, cols []*Column, hs []*EncodedHierarchy, rows int) *cellCosts {
	cc := &cellCosts{scale: 1}
	n := float64(rows)
	if m == MetricLoss {
		cc.scale = n * float64(len(cols))
	}
	for i, col := range cols {
		h := hs[i]
		// Counted in integers: a float increment per row waits for the
		// previous one to the same slot.
		counts := make([]uint32, len(col.Dict))
		for _, c := range col.Codes {
			counts[c]++
		}
		freq := make([]float64, len(col.Dict))
		for c, k := range counts {
			freq[c] = float64(k)
		}
		base := make([]float64, h.Levels())
		pen := make([][]float64, h.Levels())
		all := make([]float64, h.Levels())
		for l := range h.Levels() {
			gen := make([]float64, h.Cardinality(l))
			for c, f := range freq {
				gen[h.Maps[l][c]] += f
			}
			p := make([]float64, len(gen))
			for g, fg := range gen {
				switch m {
				case MetricEntropy:
					if fg > 0 {
						p[g] = math.Log2(n / fg)
					}
				case MetricLoss:
					p[g] = 1 - leafShare(h, l, g)
				}
			}
			var b float64
			for c, f := range freq {
				if f == 0 {
					continue
				}
				g := h.Maps[l][c]
				switch m {
				case MetricEntropy:
					b += f * math.Log2(gen[g]/f)
				case MetricLoss:
					b += f * leafShare(h, l, int(g))
				}
			}
			base[l], pen[l] = b, p
			for g, fg := range gen {
				all[l] += fg * p[g]
			}
		}
		cc.all = append(cc.all, all)
		cc.base = append(cc.base, base)
		cc.pen = append(cc.pen, pen)
	}
	return cc
}

// leafShare is Iyengar's per-cell loss (leaves(g)−1)/(leaves−1).
func leafShare(h *EncodedHierarchy, l, g int) float64 {
	if h.Domain <= 1 {
		return 0
	}
	return float64(h.Leaves[l][g]-1) / float64(h.Domain-1)
}

// allPenalty is the extra loss of suppressing every record.
func (cc *cellCosts) allPenalty(levels []int) float64 {
	var s float64
	for i, l := range levels {
		s += cc.all[i][l]
	}
	return s
}

// lowerBound returns the loss of the levels with no suppression, a lower
// bound on the loss with suppression that only grows with generalisation.
func (cc *cellCosts) lowerBound(levels []int) float64 {
	var s float64
	for i, l := range levels {
		s += cc.base[i][l]
	}
	return s
}
