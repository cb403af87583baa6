package anon

import (
	"cmp"
	"container/heap"
	"slices"
)

// run searches the lattice and returns the optimal node, or -1.
func (s *searcher) run() int {
	order := s.heightOrder()
	if s.mono {
		s.flash(order)
		if s.limit == 0 {
			// Without suppression the loss is monotone too, so the best
			// acceptable node checked by Flash (every minimal acceptable
			// node is checked) is optimal.
			return s.bestNode
		}
	}
	if s.cc != nil {
		s.sweepByBound()
	} else {
		s.sweepByHeight(order)
	}
	return s.bestNode
}

// candidate reports whether node id still needs its exact loss.
func (s *searcher) candidate(id int) bool {
	f := s.lt.flags[id]
	if f&(flagPruned|flagEvaluated|flagNotAnonymous) != 0 {
		return false
	}
	return !s.mono || f&flagAnonymous != 0
}

// sweepByBound evaluates the remaining candidates in increasing order of
// the cell metrics' lower bound and stops at the first bound that cannot
// beat the best loss: every later node has a bound at least as large.
// Because the bound grows upwards, a node's predecessors come before it,
// so their classes are usually cached to roll up from.
func (s *searcher) sweepByBound() {
	type cand struct {
		id int32
		lb float64
	}
	var cs []cand
	for id := range s.lt.size {
		if s.candidate(id) {
			cs = append(cs, cand{int32(id), s.cc.lowerBound(s.levelsOf(id))})
		}
	}
	slices.SortFunc(cs, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.lb, b.lb), cmp.Compare(s.lt.height(int(a.id)), s.lt.height(int(b.id))), cmp.Compare(a.id, b.id))
	})
	for _, c := range cs {
		if c.lb >= s.best {
			break
		}
		if s.candidate(int(c.id)) {
			s.check(int(c.id))
		}
	}
}

// sweepByHeight evaluates the remaining candidates bottom-up. Lower bounds
// (which only grow upwards) are inherited from predecessors, so a node whose
// predecessor's bound reaches the best loss is pruned with its up-set.
func (s *searcher) sweepByHeight(order []int32) {
	var preds []int
	for _, id32 := range order {
		id := int(id32)
		if s.lt.flags[id]&flagPruned != 0 {
			continue
		}
		preds = s.lt.predecessors(id, preds[:0])
		for _, p := range preds {
			s.lb[id] = max(s.lb[id], s.lb[p])
		}
		if s.bestNode >= 0 && s.lb[id] >= s.best {
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
