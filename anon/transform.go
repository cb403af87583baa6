package anon

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Transformations return a new Table and never modify their input; columns
// they do not change are shared with the input.

// DropColumns removes the named columns, typically direct identifiers that
// an agreement does not allow to leave the custodian.
func DropColumns(t *Table, names ...string) (*Table, error) {
	drop := map[string]bool{}
	for _, n := range names {
		if c, _ := t.Column(n); c == nil {
			return nil, fmt.Errorf("drop: no column %q", n)
		}
		drop[n] = true
	}
	out := &Table{Rows: t.Rows}
	for _, c := range t.Columns {
		if !drop[c.Name] {
			out.Columns = append(out.Columns, c)
		}
	}
	return out, nil
}

// Generalise replaces every quasi-identifier by its value at levels[i] of
// its hierarchy (full-domain generalisation).
func Generalise(t *Table, qis []QuasiIdentifier, levels []int) (*Table, error) {
	if len(levels) != len(qis) {
		return nil, fmt.Errorf("generalise: %d levels for %d quasi-identifiers", len(levels), len(qis))
	}
	cols := make([]*Column, len(qis))
	hs := make([]*EncodedHierarchy, len(qis))
	for i, q := range qis {
		col, _ := t.Column(q.Column)
		if col == nil {
			return nil, fmt.Errorf("generalise: no column %q", q.Column)
		}
		if q.Hierarchy == nil {
			return nil, fmt.Errorf("generalise: column %q has no hierarchy", q.Column)
		}
		h, err := EncodeHierarchy(q.Hierarchy, col)
		if err != nil {
			return nil, fmt.Errorf("generalise: %w", err)
		}
		if levels[i] < 0 || levels[i] >= h.Levels() {
			return nil, fmt.Errorf("generalise: level %d of column %q is outside 0..%d", levels[i], q.Column, h.Levels()-1)
		}
		cols[i], hs[i] = col, h
	}
	return generalisedTable(t, cols, hs, levels, nil, false), nil
}

// TopBottomCode caps a numeric column: values above top become ">top" and
// values below bottom become "<bottom", hiding the extreme values that
// single people out. Pass NaN to leave a side open. A value that is not a
// number is an error naming its row.
func TopBottomCode(t *Table, column string, bottom, top float64) (*Table, error) {
	col, idx := t.Column(column)
	if col == nil {
		return nil, fmt.Errorf("top/bottom coding: no column %q", column)
	}
	if !math.IsNaN(bottom) && !math.IsNaN(top) && bottom > top {
		return nil, fmt.Errorf("top/bottom coding %s: bottom %g is above top %g", column, bottom, top)
	}
	b := newColumnRecoder(col)
	for code, v := range col.Dict {
		if !b.used[code] {
			continue
		}
		x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return nil, fmt.Errorf("top/bottom coding %s: row %d: %q is not a number", column, firstRow(col, uint32(code))+1, v)
		}
		switch {
		case !math.IsNaN(top) && x > top:
			b.set(code, ">"+fmtNum(top))
		case !math.IsNaN(bottom) && x < bottom:
			b.set(code, "<"+fmtNum(bottom))
		default:
			b.set(code, v)
		}
	}
	return t.withColumn(idx, b.column()), nil
}

// SuppressRecords removes the given rows (0-based).
func SuppressRecords(t *Table, rows []int) (*Table, error) {
	drop := make([]bool, t.Rows)
	for _, r := range rows {
		if r < 0 || r >= t.Rows {
			return nil, fmt.Errorf("suppress: row %d outside 0..%d", r, t.Rows-1)
		}
		drop[r] = true
	}
	var keep []int
	for r := range t.Rows {
		if !drop[r] {
			keep = append(keep, r)
		}
	}
	return t.selectRows(keep), nil
}

// selectRows returns the given rows of t in order.
func (t *Table) selectRows(rows []int) *Table {
	out := &Table{Rows: len(rows)}
	for _, c := range t.Columns {
		codes := make([]uint32, len(rows))
		for i, r := range rows {
			codes[i] = c.Codes[r]
		}
		out.Columns = append(out.Columns, &Column{Name: c.Name, Dict: c.Dict, Codes: codes})
	}
	return out
}

// withColumn returns t with column i replaced.
func (t *Table) withColumn(i int, c *Column) *Table {
	out := &Table{Rows: t.Rows, Columns: slices.Clone(t.Columns)}
	out.Columns[i] = c
	return out
}

// columnRecoder maps each dictionary entry of a column to a new value and
// re-encodes, merging entries that map to the same value.
type columnRecoder struct {
	src   *Column
	used  []bool
	to    []uint32
	dict  []string
	index map[string]uint32
}

func newColumnRecoder(c *Column) *columnRecoder {
	r := &columnRecoder{src: c, used: make([]bool, len(c.Dict)), to: make([]uint32, len(c.Dict)), index: map[string]uint32{}}
	for _, x := range c.Codes {
		r.used[x] = true
	}
	return r
}

func (r *columnRecoder) code(v string) uint32 {
	c, ok := r.index[v]
	if !ok {
		c = uint32(len(r.dict))
		r.dict = append(r.dict, v)
		r.index[v] = c
	}
	return c
}

func (r *columnRecoder) set(old int, v string) { r.to[old] = r.code(v) }

func (r *columnRecoder) column() *Column {
	out := &Column{Name: r.src.Name, Dict: r.dict, Codes: make([]uint32, len(r.src.Codes))}
	for i, x := range r.src.Codes {
		out.Codes[i] = r.to[x]
	}
	return out
}
