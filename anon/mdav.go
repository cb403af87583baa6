package anon

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MicroaggregationStats describes the information lost by Microaggregate.
type MicroaggregationStats struct {
	Groups int
	// SSE is the within-group sum of squared distances to the group means
	// and SST the total sum of squares, both on standardised values (each
	// column scaled to unit variance so no column dominates); SSE/SST is
	// the usual loss measure, 0 = nothing lost.
	SSE, SST float64
}

// Microaggregate applies MDAV (maximum distance to average vector,
// Domingo-Ferrer and Mateo-Sanz) to numeric columns: records are
// partitioned into groups of at least k (and at most 2k−1) similar records,
// and each value is replaced by its group's mean, so every record shares
// its values with at least k−1 others. Means are written with up to four
// decimals.
func Microaggregate(t *Table, columns []string, k int) (*Table, MicroaggregationStats, error) {
	var st MicroaggregationStats
	if k < 1 {
		return nil, st, fmt.Errorf("microaggregation: k must be at least 1, got %d", k)
	}
	if t.Rows < k {
		return nil, st, fmt.Errorf("microaggregation: %d rows cannot form a group of k = %d", t.Rows, k)
	}
	d := len(columns)
	raw := make([][]float64, d) // raw[j][r]
	idx := make([]int, d)
	for j, name := range columns {
		col, i := t.Column(name)
		if col == nil {
			return nil, st, fmt.Errorf("microaggregation: no column %q", name)
		}
		idx[j] = i
		dict := make([]float64, len(col.Dict))
		for c, v := range col.Dict {
			x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				dict[c] = math.NaN()
			} else {
				dict[c] = x
			}
		}
		raw[j] = make([]float64, t.Rows)
		for r, c := range col.Codes {
			if math.IsNaN(dict[c]) {
				return nil, st, fmt.Errorf("microaggregation: column %q, row %d: %q is not a number", name, r+1, col.Dict[c])
			}
			raw[j][r] = dict[c]
		}
	}
	// Standardise into row-major points for distance computations.
	pts := make([]float64, t.Rows*d)
	for j := range d {
		var mean, sq float64
		for _, x := range raw[j] {
			mean += x
		}
		mean /= float64(t.Rows)
		for _, x := range raw[j] {
			sq += (x - mean) * (x - mean)
		}
		sd := math.Sqrt(sq / float64(t.Rows))
		if sd == 0 {
			sd = 1
		}
		for r, x := range raw[j] {
			pts[r*d+j] = (x - mean) / sd
		}
	}
	groups := mdavGroups(pts, d, t.Rows, k)
	st.Groups = len(groups)
	out := &Table{Rows: t.Rows, Columns: append([]*Column(nil), t.Columns...)}
	newVals := make([][]string, d)
	for j := range d {
		newVals[j] = make([]string, t.Rows)
	}
	centre := make([]float64, d)
	for _, g := range groups {
		for j := range d {
			var m, ms float64
			for _, r := range g {
				m += raw[j][r]
				ms += pts[r*d+j]
			}
			m /= float64(len(g))
			ms /= float64(len(g))
			centre[j] = ms
			s := strconv.FormatFloat(math.Round(m*1e4)/1e4, 'f', -1, 64)
			for _, r := range g {
				newVals[j][r] = s
			}
		}
		for _, r := range g {
			for j := range d {
				x := pts[r*d+j] - centre[j]
				st.SSE += x * x
				st.SST += pts[r*d+j] * pts[r*d+j] // standardised: mean 0
			}
		}
	}
	for j := range d {
		b := NewTableBuilder([]string{columns[j]})
		for r := range t.Rows {
			_ = b.Append([]string{newVals[j][r]})
		}
		out.Columns[idx[j]] = b.Table().Columns[0]
	}
	return out, st, nil
}

// mdavGroups partitions points (n rows of d standardised values) into groups
// of k to 2k−1 rows.
func mdavGroups(pts []float64, d, n, k int) [][]int {
	left := make([]int, n)
	for i := range left {
		left[i] = i
	}
	dist := func(a int, c []float64) float64 {
		var s float64
		for j := range d {
			x := pts[a*d+j] - c[j]
			s += x * x
		}
		return s
	}
	point := func(a int) []float64 { return pts[a*d : a*d+d] }
	centroid := func() []float64 {
		c := make([]float64, d)
		for _, r := range left {
			for j := range d {
				c[j] += pts[r*d+j]
			}
		}
		for j := range c {
			c[j] /= float64(len(left))
		}
		return c
	}
	farthest := func(c []float64) int {
		best, bd := -1, -1.0
		for _, r := range left {
			if x := dist(r, c); x > bd {
				best, bd = r, x
			}
		}
		return best
	}
	// take removes the k rows nearest to c from left and returns them.
	take := func(c []float64) []int {
		type rd struct {
			pos int
			d   float64
		}
		near := make([]rd, 0, k)
		for p, r := range left {
			x := dist(r, c)
			if len(near) < k {
				near = append(near, rd{p, x})
			} else if x >= near[k-1].d {
				continue
			} else {
				near[k-1] = rd{p, x}
			}
			// keep near sorted by distance (k is small)
			for i := len(near) - 1; i > 0 && near[i].d < near[i-1].d; i-- {
				near[i], near[i-1] = near[i-1], near[i]
			}
		}
		g := make([]int, 0, k)
		drop := make(map[int]bool, k)
		for _, x := range near {
			g = append(g, left[x.pos])
			drop[x.pos] = true
		}
		kept := left[:0]
		for p, r := range left {
			if !drop[p] {
				kept = append(kept, r)
			}
		}
		left = kept
		return g
	}
	var groups [][]int
	for len(left) >= 3*k {
		r := farthest(centroid())
		pr := append([]float64(nil), point(r)...)
		s := farthest(pr)
		ps := append([]float64(nil), point(s)...)
		groups = append(groups, take(pr))
		groups = append(groups, take(ps))
	}
	if len(left) >= 2*k {
		r := farthest(centroid())
		groups = append(groups, take(append([]float64(nil), point(r)...)))
	}
	if len(left) > 0 {
		groups = append(groups, append([]int(nil), left...))
	}
	return groups
}
