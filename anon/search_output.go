package anon

import "math"

// result applies the transformation of node id to the table.
func (s *searcher) result(id int) (*Result, error) {
	levels := append([]int(nil), s.levelsOf(id)...)
	s.best = math.Inf(1) // judge must compute the exact loss, not stop early
	var ev nodeEval
	var rowKept func(int) bool // nil: every row kept
	if g := s.cache.byNode[id]; g != nil {
		// The classes are still cached; when nothing is suppressed the rows
		// need not be mapped to their classes at all.
		keep := make([]bool, g.n)
		if ev = s.judge(g, keep); ev.suppressed > 0 {
			ev.suppressed = -1
		}
	}
	if s.cache.byNode[id] == nil || ev.suppressed < 0 {
		g, parent := s.g.fromRows(levels)
		keep := make([]bool, g.n)
		ev = s.judge(g, keep)
		rowKept = func(r int) bool { return keep[parent[r]] }
	}
	res := &Result{
		Levels:            make(map[string]int, len(levels)),
		LevelVector:       levels,
		InformationLoss:   s.scale(ev.loss),
		SuppressedRecords: ev.suppressed,
		MinClassSize:      ev.minClass,
		Classes:           ev.classes,
		Search:            SearchStats{Transformations: s.lt.size, Checked: s.checked},
	}
	for i, q := range s.cfg.QuasiIdentifiers {
		res.Levels[q.Column] = levels[i]
	}
	res.Table = generalisedTable(s.t, s.qi, s.hs, levels, rowKept, s.cfg.RemoveSuppressed)
	return res, nil
}

// generalisedTable replaces each quasi-identifier by its values at the given
// level. Rows for which kept returns false are suppressed: removed, or with
// every quasi-identifier set to "*". A nil kept keeps every row.
func generalisedTable(t *Table, qi []*Column, hs []*EncodedHierarchy, levels []int, kept func(int) bool, remove bool) *Table {
	var rows []int // nil: every row, in order
	if kept == nil {
		remove = false
	}
	if remove {
		rows = make([]int, 0, t.Rows)
		for r := range t.Rows {
			if kept(r) {
				rows = append(rows, r)
			}
		}
	}
	anySuppressed := false
	for r := range t.Rows {
		if kept == nil {
			break
		}
		if !kept(r) {
			anySuppressed = true
			break
		}
	}
	out := &Table{Rows: t.Rows}
	if rows != nil {
		out.Rows = len(rows)
	}
	for _, col := range t.Columns {
		i := -1
		for j, c := range qi {
			if c == col {
				i = j
			}
		}
		if i < 0 {
			if rows == nil {
				out.Columns = append(out.Columns, col)
				continue
			}
			codes := make([]uint32, len(rows))
			for k, r := range rows {
				codes[k] = col.Codes[r]
			}
			out.Columns = append(out.Columns, &Column{Name: col.Name, Dict: col.Dict, Codes: codes})
			continue
		}
		h, l := hs[i], levels[i]
		nc := &Column{Name: col.Name, Dict: append([]string(nil), h.Labels[l]...)}
		star := uint32(len(nc.Dict))
		if !remove && anySuppressed {
			found := false
			for k, v := range nc.Dict {
				if v == "*" {
					star, found = uint32(k), true
				}
			}
			if !found {
				nc.Dict = append(nc.Dict, "*")
			}
		}
		m := h.Maps[l]
		if rows != nil {
			nc.Codes = make([]uint32, len(rows))
			for k, r := range rows {
				nc.Codes[k] = m[col.Codes[r]]
			}
		} else {
			nc.Codes = make([]uint32, t.Rows)
			for r, c := range col.Codes {
				if kept == nil || kept(r) {
					nc.Codes[r] = m[c]
				} else {
					nc.Codes[r] = star
				}
			}
		}
		out.Columns = append(out.Columns, nc)
	}
	return out
}
