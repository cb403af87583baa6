package anon

import "fmt"

// maxLattice caps the number of transformations: the search keeps a few
// bytes of state per transformation, so larger lattices would need a
// different design, not just more memory.
const maxLattice = 1 << 24

// lattice is the generalisation lattice: one node per level vector, numbered
// in mixed radix (node = Σ level[i]·stride[i]). A successor generalises one
// column by one more level; a predecessor does the reverse.
type lattice struct {
	top    []int // highest level per column
	stride []int
	size   int
	flags  []uint8
	// heights caches height per node: the search orders nodes by height in
	// its inner loops. Nil when a height could exceed 16 bits.
	heights []uint16
}

// Node properties. Each is closed in one direction, so tagging a node tags
// a whole up-set or down-set and never needs undoing.
const (
	flagAnonymous    uint8 = 1 << iota // acceptable; closed upwards (monotone criteria)
	flagNotAnonymous                   // not acceptable; closed downwards (monotone criteria)
	flagPruned                         // cannot beat the best loss; closed upwards
	flagChecked                        // classes computed and judged
	flagEvaluated                      // exact loss known
)

func newLattice(levels []int) (*lattice, error) {
	lt := &lattice{top: make([]int, len(levels)), stride: make([]int, len(levels)), size: 1}
	for i := len(levels) - 1; i >= 0; i-- {
		lt.top[i] = levels[i] - 1
		lt.stride[i] = lt.size
		if levels[i] > maxLattice/lt.size {
			return nil, fmt.Errorf("the quasi-identifiers' hierarchies allow more than %d transformations; use fewer quasi-identifiers or hierarchies with fewer levels", maxLattice)
		}
		lt.size *= levels[i]
	}
	lt.flags = make([]uint8, lt.size)
	if lt.maxHeight() <= 0xffff {
		// Node ids count in mixed radix with the last column fastest, so
		// each height follows from the previous id's.
		lt.heights = make([]uint16, lt.size)
		lv := make([]int, len(levels))
		h := 0
		for id := 1; id < lt.size; id++ {
			for i := len(lv) - 1; i >= 0; i-- {
				if lv[i] < lt.top[i] {
					lv[i]++
					h++
					break
				}
				h -= lv[i]
				lv[i] = 0
			}
			lt.heights[id] = uint16(h)
		}
	}
	return lt, nil
}

// levels writes the level vector of node id into out.
func (lt *lattice) levels(id int, out []int) []int {
	out = out[:0]
	for i, s := range lt.stride {
		out = append(out, id/s%(lt.top[i]+1))
	}
	return out
}

// id returns the node of a level vector.
func (lt *lattice) id(levels []int) int {
	id := 0
	for i, l := range levels {
		id += l * lt.stride[i]
	}
	return id
}

// height is the sum of levels, the node's rank in the lattice.
func (lt *lattice) height(id int) int {
	if lt.heights != nil {
		return int(lt.heights[id])
	}
	h := 0
	for i, s := range lt.stride {
		h += id / s % (lt.top[i] + 1)
	}
	return h
}

// maxHeight is the height of the top node.
func (lt *lattice) maxHeight() int {
	h := 0
	for _, t := range lt.top {
		h += t
	}
	return h
}

// successors appends the direct successors of id to out.
func (lt *lattice) successors(id int, out []int) []int {
	for i, s := range lt.stride {
		if id/s%(lt.top[i]+1) < lt.top[i] {
			out = append(out, id+s)
		}
	}
	return out
}

// predecessors appends the direct predecessors of id to out.
func (lt *lattice) predecessors(id int, out []int) []int {
	for i, s := range lt.stride {
		if id/s%(lt.top[i]+1) > 0 {
			out = append(out, id-s)
		}
	}
	return out
}

// tagUp sets f on id and every node above it. Because f is only ever set
// this way, a node that already has f has its whole up-set tagged, so the
// walk stops there and the total work over a search is linear in the
// lattice size.
func (lt *lattice) tagUp(id int, f uint8, stack []int) []int {
	if lt.flags[id]&f != 0 {
		return stack
	}
	lt.flags[id] |= f
	stack = append(stack[:0], id)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for i, s := range lt.stride {
			if n/s%(lt.top[i]+1) < lt.top[i] && lt.flags[n+s]&f == 0 {
				lt.flags[n+s] |= f
				stack = append(stack, n+s)
			}
		}
	}
	return stack
}

// tagDown is tagUp towards the bottom.
func (lt *lattice) tagDown(id int, f uint8, stack []int) []int {
	if lt.flags[id]&f != 0 {
		return stack
	}
	lt.flags[id] |= f
	stack = append(stack[:0], id)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for i, s := range lt.stride {
			if n/s%(lt.top[i]+1) > 0 && lt.flags[n-s]&f == 0 {
				lt.flags[n-s] |= f
				stack = append(stack, n-s)
			}
		}
	}
	return stack
}
