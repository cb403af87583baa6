package anon

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// The measures of a sensitive column within one equivalence class. The
// privacy criteria of the search (privacy.go) compare them with a threshold
// for every class they judge, and the risk report (diversity.go,
// closeness.go) takes the worst of them over all classes. Both call these
// functions and nothing else, so that a class the search keeps is a class
// the report counts as protected, to the last bit.
//
// A class is given as its number of records (size) and the dictionary
// codes of its sensitive values with their counts: vals[i] occurs cnts[i]
// times. None of the functions allocates once its scratch space has grown,
// because the search calls them for every class of every transformation.

// classEntropy returns the Shannon entropy in bits of a class's sensitive
// values (entropy l-diversity, Machanavajjhala et al. 2007), computed as
// log2(n) − Σ c·log2(c)/n, which loses less precision than summing
// p·log2(p). A class of one value has entropy exactly 0: the formula would
// leave a rounding residue of either sign there, and such classes are
// common enough (every homogeneous class) for the residue to show.
func classEntropy(size uint32, cnts []uint32) float64 {
	if len(cnts) <= 1 {
		return 0
	}
	n := float64(size)
	var s float64
	for _, c := range cnts {
		if c > 0 {
			f := float64(c)
			s += f * math.Log2(f)
		}
	}
	return max(math.Log2(n)-s/n, 0)
}

// entropyToL is the l of entropy l-diversity that an entropy of bits bits
// reaches: the class is entropy l-diverse exactly when bits ≥ log2(l).
func entropyToL(bits float64) float64 { return math.Exp2(bits) }

// recursiveLargestL returns the largest l ≤ upTo for which a class
// satisfies recursive (c,l)-diversity (Machanavajjhala et al. 2007): with
// its value counts r1 ≥ r2 ≥ … ≥ rm, r1 < c·(rl + … + rm). The tail sum
// shrinks as l grows, so the condition holds for every l up to the answer
// and for none after it; 0 means even l = 1 fails (c ≤ r1/size), and l > m
// always fails because the tail is empty. The report asks for the largest
// l overall (upTo ≥ m); a criterion needs only to know whether its own l is
// reached and stops there.
//
// The counts are sorted in scratch, which is returned for the next call so
// that the search does not allocate per class.
func recursiveLargestL(cnts []uint32, c float64, upTo int, scratch []uint32) (int, []uint32) {
	s := append(scratch[:0], cnts...)
	if len(s) == 0 {
		return 0, s
	}
	slices.Sort(s)
	// Integer sums: exact, so the boundary r1 = c·tail is decided the same
	// way whatever the order of the counts.
	var tail uint64
	for _, n := range s {
		tail += uint64(n)
	}
	r1 := float64(s[len(s)-1])
	upTo = min(upTo, len(s))
	largest := 0
	for largest < upTo && r1 < c*float64(tail) {
		largest++
		tail -= uint64(s[len(s)-largest])
	}
	return largest, s
}

// valueShares returns each dictionary code's share of the records, the
// distribution t-closeness measures every class against.
func valueShares(counts []uint32, records int) []float64 {
	q := make([]float64, len(counts))
	for v, n := range counts {
		q[v] = float64(n) / float64(records)
	}
	return q
}

// codeCounts counts the occurrences of each dictionary code of col.
func codeCounts(col *Column) []uint32 {
	counts := make([]uint32, len(col.Dict))
	for _, v := range col.Codes {
		counts[v]++
	}
	return counts
}

// equalEMD is the Earth Mover's Distance of a class from the distribution
// q when every two values are at distance 1 (equal-distance t-closeness,
// Li, Li and Venkatasubramanian 2007): ½·Σ|p_i − q_i| over all values.
// Values absent from the class each add q_i, 1 − Σ q over the present
// values in all, so the cost is proportional to the class, not the domain.
func equalEMD(q []float64, size uint32, vals, cnts []uint32) float64 {
	n := float64(size)
	var d, present float64
	for i, v := range vals {
		d += math.Abs(float64(cnts[i])/n - q[v])
		present += q[v]
	}
	return (d + 1 - present) / 2
}

// emdTree is a generalisation hierarchy prepared for the hierarchical EMD
// (Li, Li and Venkatasubramanian 2007; ARX's HierarchicalDistanceTCloseness
// computes the same): moving mass between two values whose lowest common
// ancestor is at height h costs h/H, H the height of the tree.
//
// Level 0 holds the sensitive column's dictionary codes; level l > 0 holds
// the distinct labels of hierarchy column l, and parent[l][i] is the node
// of level l+1 above node i of level l. The top level has a single root: a
// hierarchy whose last column has several labels, or that has no column
// above the values, gets a common root one level up. Without it, mass moved
// between two top labels would cost nothing, and a class holding only
// values of one top label would look as close as the whole table.
type emdTree struct {
	parent [][]uint32  // parent[l][node] at level l+1, for l < height
	q      [][]float64 // share of the whole table under each node
	height int

	// scratch for distance, reset after each class; touched has room for
	// every node of its level, so that distance never allocates.
	p, pos  [][]float64
	touched [][]uint32
}

// newEMDTree builds the tree for a column with dictionary dict whose codes
// occur overall[code] times in records rows. It refuses hierarchies that
// miss a value occurring in the column, that are not trees (a label with
// two parents), or that Hierarchy.Validate rejects, so that the search and
// the report accept the same hierarchies.
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
		n := len(missing)
		if n > 5 {
			missing = append(missing[:5], fmt.Sprintf("and %d more", n-5))
		}
		values := "values"
		if n == 1 {
			values = "value"
		}
		return nil, fmt.Errorf("the hierarchy of %q has no entry for %d %s of the column: %s",
			h.Attribute, n, values, strings.Join(missing, ", "))
	}

	// The root depends on the hierarchy alone, not on which of its values
	// the data hold, so that one hierarchy always gives one ground distance.
	tops := map[string]bool{}
	for _, row := range h.Rows {
		tops[row[levels-1]] = true
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
	// The checks above cover what the distance needs and name the problem
	// in its terms; Validate adds the rules every hierarchy must meet (one
	// row per value, one parent per label even among unused rows).
	if err := h.Validate(); err != nil {
		return nil, err
	}
	t.q[0] = valueShares(overall, records)
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
		t.touched[l] = make([]uint32, 0, len(t.q[l]))
	}
	return t, nil
}

// distance is the hierarchical EMD of one class from the whole table. For
// each inner node N with extra(N) = p(N) − q(N), the mass that must cross
// N is min(pos(N), neg(N)), the positive and negative extras of its
// children, at cost height(N)/H. The children's extras sum to extra(N), so
// neg(N) = pos(N) − extra(N), and children the class does not reach only
// add to neg(N): the cost needs only the nodes above the class's values,
// which keeps it proportional to the class rather than the hierarchy.
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
