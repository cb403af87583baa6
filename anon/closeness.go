package anon

import (
	"fmt"
	"math"
	"strings"
)

// Closeness measures how far the distribution of a sensitive column in any
// class is from its distribution in the whole table (t-closeness, Li, Li
// and Venkatasubramanian 2007), with the Earth Mover's Distance. The data
// are t-close for every t at or above the figures.
type Closeness struct {
	Column string `json:"column"`
	// EqualDistanceT uses the same ground distance between any two values,
	// which makes the EMD half the L1 distance: ½ Σ |p_i − q_i|.
	EqualDistanceT float64 `json:"equal_distance_t"`
	// HierarchicalT uses the distance of values in the sensitive column's
	// generalisation hierarchy: moving mass between values whose lowest
	// common ancestor is at height h costs h/H, H the hierarchy's height.
	// Present only when a hierarchy was given.
	HierarchicalT *float64 `json:"hierarchical_t,omitempty"`
}

func (d *classDistributions) closeness(sens *Column, h *Hierarchy) (*Closeness, error) {
	var tree *emdTree
	if h != nil {
		var err error
		if tree, err = newEMDTree(h, sens.Dict, d.overall, d.records); err != nil {
			return nil, err
		}
	}
	q := make([]float64, len(d.overall))
	for v, n := range d.overall {
		q[v] = float64(n) / float64(d.records)
	}
	out := &Closeness{Column: sens.Name}
	var worstTree float64
	for cl := range d.sizes {
		vals := d.values[d.start[cl]:d.start[cl+1]]
		cnts := d.counts[d.start[cl]:d.start[cl+1]]
		size := float64(d.sizes[cl])
		// Values absent from the class each add q_i; summing only the
		// present ones keeps the cost proportional to the class.
		var diff, qPresent float64
		for i, v := range vals {
			p := float64(cnts[i]) / size
			diff += math.Abs(p - q[v])
			qPresent += q[v]
		}
		out.EqualDistanceT = max(out.EqualDistanceT, (diff+1-qPresent)/2)
		if tree != nil {
			worstTree = max(worstTree, tree.distance(vals, cnts, size))
		}
	}
	if tree != nil {
		out.HierarchicalT = &worstTree
	}
	return out, nil
}

// emdTree is a generalisation hierarchy prepared for the hierarchical EMD.
// Level 0 holds the sensitive column's dictionary codes; level l > 0 holds
// the distinct labels of hierarchy column l, and parent[l][i] is the node
// of level l+1 above node i of level l. The top level has a single root.
type emdTree struct {
	parent [][]uint32  // parent[l][node] at level l+1, for l < height
	q      [][]float64 // share of the whole table under each node
	height int

	// scratch for distance, reset after each class
	p, pos  [][]float64
	touched [][]uint32
}

// newEMDTree builds the tree, refusing hierarchies that miss a value of
// the column or that are not trees (a label with two parents).
func newEMDTree(h *Hierarchy, dict []string, overall []uint32, records int) (*emdTree, error) {
	levels := h.Levels()
	if levels == 0 {
		return nil, fmt.Errorf("the hierarchy of %q is empty", h.Attribute)
	}
	rowOf := make(map[string][]string, len(h.Rows))
	for i, row := range h.Rows {
		if len(row) != levels {
			return nil, fmt.Errorf("hierarchy of %q: row %d has %d levels, want %d", h.Attribute, i+1, len(row), levels)
		}
		rowOf[row[0]] = row
	}
	// Only values that occur must be in the hierarchy; a dictionary may keep
	// values no row uses any more, and those hang under a placeholder.
	var missing []string
	for code, v := range dict {
		if rowOf[v] == nil && overall[code] > 0 {
			missing = append(missing, fmt.Sprintf("%q", v))
		}
	}
	if len(missing) > 0 {
		if len(missing) > 5 {
			missing = append(missing[:5], fmt.Sprintf("and %d more", len(missing)-5))
		}
		return nil, fmt.Errorf("the hierarchy of %q has no entry for %d values of the column: %s",
			h.Attribute, len(missing), strings.Join(missing[:min(len(missing), 6)], ", "))
	}

	// A hierarchy whose top level has several labels gets a common root.
	tops := map[string]bool{}
	for _, v := range dict {
		if rowOf[v] != nil {
			tops[rowOf[v][levels-1]] = true
		}
	}
	height := levels - 1
	if len(tops) > 1 || height == 0 {
		height++
	}
	label := func(v string, l int) string {
		switch {
		case l >= levels:
			return "" // the added root
		case rowOf[v] == nil:
			return "\x00unused"
		}
		return rowOf[v][l]
	}

	t := &emdTree{height: height, parent: make([][]uint32, height), q: make([][]float64, height+1)}
	ids := make([]map[string]uint32, height+1)
	for l := range ids {
		ids[l] = map[string]uint32{}
	}
	nodeOf := func(l int, v string) uint32 {
		if l == 0 {
			return 0 // not used: leaves are dictionary codes
		}
		name := label(v, l)
		id, ok := ids[l][name]
		if !ok {
			id = uint32(len(ids[l]))
			ids[l][name] = id
		}
		return id
	}
	for l := 0; l < height; l++ {
		seen := map[uint32]uint32{}
		if l == 0 {
			t.parent[0] = make([]uint32, len(dict))
		}
		for code, v := range dict {
			child := uint32(code)
			if l > 0 {
				child = nodeOf(l, v)
			}
			up := nodeOf(l+1, v)
			if prev, ok := seen[child]; ok && prev != up {
				return nil, fmt.Errorf("the hierarchy of %q is not a tree: %q at level %d has two parents",
					h.Attribute, label(v, l), l)
			}
			seen[child] = up
			for int(child) >= len(t.parent[l]) {
				t.parent[l] = append(t.parent[l], 0)
			}
			t.parent[l][child] = up
		}
	}
	t.q[0] = make([]float64, len(dict))
	for v, n := range overall {
		t.q[0][v] = float64(n) / float64(records)
	}
	for l := 1; l <= height; l++ {
		t.q[l] = make([]float64, len(ids[l]))
		for i, share := range t.q[l-1] {
			t.q[l][t.parent[l-1][i]] += share
		}
	}
	t.p = make([][]float64, height+1)
	t.pos = make([][]float64, height+1)
	t.touched = make([][]uint32, height+1)
	for l := 1; l <= height; l++ {
		t.p[l] = make([]float64, len(t.q[l]))
		t.pos[l] = make([]float64, len(t.q[l]))
	}
	return t, nil
}

// distance is the hierarchical EMD of one class from the whole table. For
// each inner node N with extra(N) = p(N) − q(N), the mass that must cross
// N is min(pos(N), neg(N)), the positive and negative extras of its
// children, at cost height(N)/H. The children's extras sum to extra(N), so
// neg(N) = pos(N) − extra(N), and children the class does not reach only
// add to neg(N): the cost needs only the nodes above the class's values.
func (t *emdTree) distance(vals, cnts []uint32, size float64) float64 {
	for i, v := range vals {
		p := float64(cnts[i]) / size
		up := t.parent[0][v]
		if t.p[1][up] == 0 && t.pos[1][up] == 0 {
			t.touched[1] = append(t.touched[1], up)
		}
		t.p[1][up] += p
		t.pos[1][up] += max(p-t.q[0][v], 0)
	}
	var cost float64
	for l := 1; l <= t.height; l++ {
		w := float64(l) / float64(t.height)
		for _, n := range t.touched[l] {
			extra := t.p[l][n] - t.q[l][n]
			cost += w * min(t.pos[l][n], t.pos[l][n]-extra)
			if l < t.height {
				up := t.parent[l][n]
				if t.p[l+1][up] == 0 && t.pos[l+1][up] == 0 {
					t.touched[l+1] = append(t.touched[l+1], up)
				}
				t.p[l+1][up] += t.p[l][n]
				t.pos[l+1][up] += max(extra, 0)
			}
			t.p[l][n], t.pos[l][n] = 0, 0
		}
		t.touched[l] = t.touched[l][:0]
	}
	return max(cost, 0)
}
