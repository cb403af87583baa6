package anon

import (
	"container/heap"
	"math"
)

// run searches the lattice and returns the optimal node, or -1.
func (s *searcher) run() int {
	order := s.heightOrder()
	if s.mono {
		// Without suppression, and for the cell metrics (whose lower
		// bounds Flash cannot use as well as those of discernibility),
		// first try to settle the lattice from the top. Flash then finds
		// nothing left to check, or finishes what the top-down pass left.
		if topDownOn && s.limit == 0 && s.cc != nil {
			s.topDown(order, topDownBudget(s.lt.size))
		}
		s.flash(order)
		if s.limit == 0 {
			// Without suppression the loss is monotone too, so the best
			// acceptable node checked (every minimal acceptable node is
			// checked, by one pass or the other) is optimal.
			return s.bestNode
		}
	}
	if s.mono && s.cc != nil {
		s.sweepTopDown()
	} else {
		s.sweepLexicographic()
	}
	return s.bestNode
}

// topDownOn lets tests compare the search with and without the top-down
// pass.
var topDownOn = true

// topDownBudget is the number of acceptable nodes the top-down pass may
// check in a lattice of size nodes before it gives way to Flash: more
// than Flash would need in total on most lattices of that size.
var topDownBudget = func(size int) int {
	return max(128, 4*int(math.Sqrt(float64(size))))
}

// topDown checks the lattice from the top down, skipping the nodes known
// to be unacceptable. With monotone criteria a node whose successors are
// all acceptable is checked; if it is unacceptable, so is its whole
// down-set, which is tagged. When acceptable transformations are rare
// (the usual case with real quasi-identifiers and no suppression: on
// Adult with k = 5, 87 of 12,960) this settles the whole lattice with one
// check per acceptable node plus one per maximal unacceptable node (141
// checks on Adult, against 445 for Flash), and the checks are of highly
// generalised nodes, with few classes. When acceptable nodes are many it
// stops after budget of them and leaves the rest to Flash, which keeps
// every tag; it reports whether it settled the lattice.
func (s *searcher) topDown(order []int32, budget int) bool {
	accepted := 0
	for n := len(order) - 1; n >= 0; n-- {
		id := int(order[n])
		if s.lt.flags[id]&(flagNotAnonymous|flagChecked) != 0 {
			continue
		}
		if ev := s.check(id); ev.acceptable {
			if accepted++; accepted > budget {
				return false
			}
		}
	}
	return true
}

// sweepOrder returns every node in lexicographic order of its levels,
// s.digits[0] varying fastest: a topological order of the lattice.
func (s *searcher) sweepOrder() []int32 {
	order := make([]int32, 0, s.lt.size)
	lv := make([]int, len(s.digits))
	id := 0
	for n := 0; n < s.lt.size; n++ {
		if n > 0 {
			for _, i := range s.digits {
				if lv[i] < s.lt.top[i] {
					lv[i]++
					id += s.lt.stride[i]
					break
				}
				id -= lv[i] * s.lt.stride[i]
				lv[i] = 0
			}
		}
		order = append(order, int32(id))
	}
	return order
}

// sweepTopDown evaluates the remaining candidates from the top of the
// lattice down, for cell metrics and criteria under which a suppressed
// record stays suppressed in every less generalised transformation
// (k-anonymity, distinct l-diversity). The loss is the loss without
// suppression, which grows upwards, plus the extra loss of the suppressed
// records, which shrinks upwards: a record suppressed above is suppressed
// below too, and there it costs at least as much (its values are less
// generalised, so rarer). So extra(node) ≥ extra(any node above), and
// visiting nodes after everything above them gives every node the bound
// lowerBound(node) + max extra above; a node whose bound reaches the best
// loss is not evaluated. Bounds pass down through unevaluated nodes.
func (s *searcher) sweepTopDown() {
	order := s.sweepOrder()
	s.fullExtra = true
	defer func() { s.fullExtra = false }()
	xlb := make([]float64, s.lt.size) // lower bound on the extra loss
	var lv []int
	for n := len(order) - 1; n >= 0; n-- {
		id := int(order[n])
		lv = s.lt.levels(id, lv)
		x := xlb[id]
		for i, st := range s.lt.stride {
			if lv[i] < s.lt.top[i] {
				x = max(x, xlb[id+st])
			}
		}
		xlb[id] = x
		base := s.cc.lowerBound(lv)
		if s.bestNode >= 0 && base >= s.best {
			s.stack = s.lt.tagUp(id, flagPruned, s.stack)
			continue
		}
		if !s.candidate(id) || s.bestNode >= 0 && base+x >= s.best {
			continue
		}
		g := s.groupsChain(id)
		ev := s.judge(g, nil)
		s.checked++
		s.lt.flags[id] |= flagChecked | flagEvaluated
		if ev.acceptable && (ev.loss < s.best || s.bestNode < 0) {
			s.best, s.bestNode = ev.loss, id
		}
		xlb[id] = max(x, ev.loss-ev.lb)
	}
}

// candidate reports whether node id still needs its exact loss.
func (s *searcher) candidate(id int) bool {
	f := s.lt.flags[id]
	if f&(flagPruned|flagEvaluated|flagNotAnonymous) != 0 {
		return false
	}
	return !s.mono || f&flagAnonymous != 0
}

// sweepLexicographic evaluates the remaining candidates in lexicographic
// order of their levels, s.digits[0] varying fastest, which is
// topological.
// Lower bounds, which only grow upwards, come from the cell costs or are
// inherited from predecessors; a node whose bound reaches the best loss is
// pruned with its up-set. In this order the predecessor along the last
// column was evaluated just before, so its classes are still cached and the
// roll-up is one sequential pass over them.
func (s *searcher) sweepLexicographic() {
	var preds []int
	lv := make([]int, len(s.digits))
	for id, n := 0, 0; n < s.lt.size; n++ {
		if n > 0 {
			// Next level vector in mixed radix, s.digits[0] fastest.
			for _, i := range s.digits {
				if lv[i] < s.lt.top[i] {
					lv[i]++
					id += s.lt.stride[i]
					break
				}
				id -= lv[i] * s.lt.stride[i]
				lv[i] = 0
			}
		}
		if s.lt.flags[id]&flagPruned != 0 {
			continue
		}
		var lb float64
		if s.cc != nil {
			lb = s.cc.lowerBound(s.levelsOf(id))
		} else {
			preds = s.lt.predecessors(id, preds[:0])
			for _, p := range preds {
				s.lb[id] = max(s.lb[id], s.lb[p])
			}
			lb = s.lb[id]
		}
		if s.bestNode >= 0 && lb >= s.best {
			s.stack = s.lt.tagUp(id, flagPruned, s.stack)
			continue
		}
		if s.candidate(id) {
			s.check(id)
		}
	}
}

// heightOrder returns all nodes sorted by height, then by id: a
// topological order of the lattice.
func (s *searcher) heightOrder() []int32 {
	H := s.lt.maxHeight()
	start := make([]int, H+2)
	hs := make([]int32, s.lt.size)
	for id := range s.lt.size {
		h := s.lt.height(id)
		hs[id] = int32(h)
		start[h+1]++
	}
	for h := range H + 1 {
		start[h+1] += start[h]
	}
	order := make([]int32, s.lt.size)
	for id, h := range hs {
		order[start[h]] = int32(id)
		start[h]++
	}
	return order
}

// skip reports whether node id needs no check in Flash: it is tagged, or its
// lower bound shows it (and its up-set) cannot beat the best loss.
func (s *searcher) skip(id int) bool {
	if s.lt.flags[id]&(flagAnonymous|flagNotAnonymous|flagPruned) != 0 {
		return true
	}
	if s.cc != nil && s.bestNode >= 0 && s.cc.lowerBound(s.levelsOf(id)) >= s.best {
		s.stack = s.lt.tagUp(id, flagPruned, s.stack)
		return true
	}
	return false
}

// flash tags every node acceptable, unacceptable or pruned with as few
// checks as it can: for each untagged node, bottom-up, it follows a path
// to the top and binary-searches it for the lowest acceptable node; the
// successors of unacceptable nodes are explored next.
func (s *searcher) flash(order []int32) {
	var q nodeHeap
	q.lt = s.lt
	for _, id := range order {
		if s.skip(int(id)) {
			continue
		}
		heap.Push(&q, int(id))
		for q.Len() > 0 {
			head := heap.Pop(&q).(int)
			if s.skip(head) {
				continue
			}
			s.checkPath(s.findPath(head), &q)
		}
	}
}

// findPath follows untagged successors greedily from id to a maximal node,
// generalising the column with the lowest level first so the path climbs
// evenly through the lattice.
func (s *searcher) findPath(id int) []int {
	path := []int{id}
	var succ []int
	for {
		succ = s.lt.successors(id, succ[:0])
		next := -1
		for _, n := range succ {
			if !s.skip(n) {
				next = n
				break
			}
		}
		if next < 0 {
			return path
		}
		id = next
		path = append(path, id)
	}
}

func (s *searcher) checkPath(path []int, q *nodeHeap) {
	low, high := 0, len(path)-1
	var succ []int
	for low <= high {
		mid := (low + high) / 2
		id := path[mid]
		if s.skip(id) {
			if s.lt.flags[id]&flagNotAnonymous != 0 {
				low = mid + 1
			} else {
				high = mid - 1
			}
			continue
		}
		ev := s.check(id)
		if ev.acceptable {
			high = mid - 1
			continue
		}
		succ = s.lt.successors(id, succ[:0])
		for _, n := range succ {
			if !s.skip(n) {
				heap.Push(q, n)
			}
		}
		low = mid + 1
	}
}

// nodeHeap orders nodes by height, then id.
type nodeHeap struct {
	lt    *lattice
	nodes []int
}

func (h *nodeHeap) Len() int { return len(h.nodes) }
func (h *nodeHeap) Less(i, j int) bool {
	a, b := h.nodes[i], h.nodes[j]
	ha, hb := h.lt.height(a), h.lt.height(b)
	return ha < hb || ha == hb && a < b
}
func (h *nodeHeap) Swap(i, j int) { h.nodes[i], h.nodes[j] = h.nodes[j], h.nodes[i] }
func (h *nodeHeap) Push(x any)    { h.nodes = append(h.nodes, x.(int)) }
func (h *nodeHeap) Pop() any {
	x := h.nodes[len(h.nodes)-1]
	h.nodes = h.nodes[:len(h.nodes)-1]
	return x
}
