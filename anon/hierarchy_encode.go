package anon

import "fmt"

// EncodedHierarchy is a hierarchy matched against one Table column, in the
// form the search and Generalise use: Maps[l][c] is the generalised code at
// level l of the column's dictionary code c, and Labels[l][g] the text of
// generalised code g. Generalising a row is then one slice lookup.
//
// Generalised codes are numbered densely over the values that occur in the
// column, so Cardinality(l) is the number of distinct values the column has
// at level l — which keeps the search's packed class keys small.
type EncodedHierarchy struct {
	Attribute string
	Maps      [][]uint32
	Labels    [][]string
	// Leaves[l][g] is the number of hierarchy rows (original values, in the
	// data or not) under generalised value g at level l; Domain is their
	// total. The loss metric uses these shares.
	Leaves [][]int
	Domain int

	// rep[g] is a dictionary code whose level-0 code is g; Up uses it to
	// avoid dictionary entries no row uses.
	rep []uint32
}

// Up returns the map from generalised codes at level a to those at level
// b ≥ a. The search uses it to roll classes up from a less generalised
// transformation without going back to the rows.
func (e *EncodedHierarchy) Up(a, b int) []uint32 {
	m := make([]uint32, e.Cardinality(a))
	for _, c := range e.rep {
		m[e.Maps[a][c]] = e.Maps[b][c]
	}
	return m
}

// Levels returns the number of levels including level 0.
func (e *EncodedHierarchy) Levels() int { return len(e.Maps) }

// Cardinality returns the number of distinct generalised values at level l.
func (e *EncodedHierarchy) Cardinality(l int) int { return len(e.Labels[l]) }

// EncodeHierarchy validates h and matches it against col. Every value of the
// column must appear in the hierarchy; the error names the first value that
// does not, with the row it appears on, so the user can fix either file.
func EncodeHierarchy(h *Hierarchy, col *Column) (*EncodedHierarchy, error) {
	if err := h.Validate(); err != nil {
		return nil, err
	}
	byValue := make(map[string]int, len(h.Rows))
	for i, r := range h.Rows {
		byValue[r[0]] = i
	}
	rowOf := make([]int, len(col.Dict))
	used := make([]bool, len(col.Dict))
	for _, c := range col.Codes {
		used[c] = true
	}
	for c, v := range col.Dict {
		i, ok := byValue[v]
		if !ok {
			if !used[c] {
				rowOf[c] = -1
				continue
			}
			return nil, fmt.Errorf("%s: value %q of column %q (row %d) is not in the hierarchy", h.source(), v, col.Name, firstRow(col, uint32(c))+1)
		}
		rowOf[c] = i
	}
	levels := h.Levels()
	e := &EncodedHierarchy{
		Attribute: h.Attribute,
		Maps:      make([][]uint32, levels),
		Labels:    make([][]string, levels),
		Leaves:    make([][]int, levels),
		Domain:    len(h.Rows),
	}
	for l := 0; l < levels; l++ {
		leafCount := map[string]int{}
		for _, r := range h.Rows {
			leafCount[r[l]]++
		}
		codeOf := map[string]uint32{}
		m := make([]uint32, len(col.Dict))
		for c := range col.Dict {
			if rowOf[c] < 0 {
				// A dictionary entry no row uses (left behind by an
				// earlier transformation); map it anywhere harmless.
				m[c] = 0
				continue
			}
			label := h.Rows[rowOf[c]][l]
			g, ok := codeOf[label]
			if !ok {
				g = uint32(len(e.Labels[l]))
				codeOf[label] = g
				e.Labels[l] = append(e.Labels[l], label)
				e.Leaves[l] = append(e.Leaves[l], leafCount[label])
			}
			m[c] = g
			if l == 0 && int(g) == len(e.rep) {
				e.rep = append(e.rep, uint32(c))
			}
		}
		e.Maps[l] = m
	}
	return e, nil
}

// firstRow returns the first row holding code c.
func firstRow(col *Column, c uint32) int {
	for i, x := range col.Codes {
		if x == c {
			return i
		}
	}
	return -1
}
