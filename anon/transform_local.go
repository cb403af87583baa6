package anon

import (
	"fmt"
	"slices"
	"strings"
)

// LocalSuppression replaces quasi-identifier cells by "*" until every class
// (rows with equal quasi-identifier values, "*" counting as a value of its
// own) has at least k rows. It works greedily: while some rows are in
// classes smaller than k, it suppresses, in those rows only, the column
// with the most distinct values among them — the cells that split them
// most. Rows left with every quasi-identifier suppressed form one class; if
// it is smaller than k, rows are taken from the largest classes to fill it.
// It returns the new table and the number of cells suppressed.
func LocalSuppression(t *Table, columns []string, k int) (*Table, int, error) {
	if k < 1 {
		return nil, 0, fmt.Errorf("local suppression: k must be at least 1, got %d", k)
	}
	if k > t.Rows {
		return nil, 0, fmt.Errorf("local suppression: k = %d is larger than the table (%d rows)", k, t.Rows)
	}
	idx := make([]int, len(columns))
	vals := make([][]string, len(columns)) // working copy of the cells
	for i, n := range columns {
		c, j := t.Column(n)
		if c == nil {
			return nil, 0, fmt.Errorf("local suppression: no column %q", n)
		}
		idx[i] = j
		vals[i] = make([]string, t.Rows)
		for r := range t.Rows {
			vals[i][r] = c.Value(r)
		}
	}
	cells := 0
	for {
		classes := groupStrings(vals, t.Rows)
		var small []int
		for _, rows := range classes {
			if len(rows) < k {
				small = append(small, rows...)
			}
		}
		if len(small) == 0 {
			break
		}
		best, bestDistinct := -1, 0
		for i := range columns {
			seen := map[string]bool{}
			for _, r := range small {
				if vals[i][r] != "*" {
					seen[vals[i][r]] = true
				}
			}
			if len(seen) > bestDistinct {
				best, bestDistinct = i, len(seen)
			}
		}
		if best < 0 {
			// Every small row is fully suppressed: they form one class of
			// fewer than k rows. Fill it from the largest classes.
			need := k - len(small)
			type cls struct{ rows []int }
			var donors []cls
			for _, rows := range classes {
				if len(rows) > k && !allStars(vals, rows[0]) {
					donors = append(donors, cls{rows})
				}
			}
			slices.SortFunc(donors, func(a, b cls) int { return len(b.rows) - len(a.rows) })
			for _, d := range donors {
				for _, r := range d.rows[:min(len(d.rows)-k, need)] {
					for i := range columns {
						if vals[i][r] != "*" {
							vals[i][r] = "*"
							cells++
						}
					}
					need--
				}
				if need == 0 {
					break
				}
			}
			if need > 0 {
				return nil, cells, fmt.Errorf("local suppression: cannot reach k = %d by suppressing cells; suppress records instead", k)
			}
			continue
		}
		for _, r := range small {
			if vals[best][r] != "*" {
				vals[best][r] = "*"
				cells++
			}
		}
	}
	out := &Table{Rows: t.Rows, Columns: slices.Clone(t.Columns)}
	for i, j := range idx {
		b := NewTableBuilder([]string{columns[i]})
		for r := range t.Rows {
			_ = b.Append([]string{vals[i][r]})
		}
		out.Columns[j] = b.Table().Columns[0]
	}
	return out, cells, nil
}

func allStars(vals [][]string, r int) bool {
	for i := range vals {
		if vals[i][r] != "*" {
			return false
		}
	}
	return true
}

// groupStrings groups rows by their values, in first-seen order.
func groupStrings(vals [][]string, rows int) [][]int {
	index := map[string]int{}
	var out [][]int
	var sb strings.Builder
	for r := range rows {
		sb.Reset()
		for i := range vals {
			sb.WriteString(vals[i][r])
			sb.WriteByte(0)
		}
		key := sb.String()
		c, ok := index[key]
		if !ok {
			c = len(out)
			index[key] = c
			out = append(out, nil)
		}
		out[c] = append(out[c], r)
	}
	return out
}
