package anon

import (
	"container/heap"
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
	s.sweepLexicographic()
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

// sweepLexicographic evaluates the remaining candidates in the order of
// their numbers, which is topological (a predecessor differs by one stride).
// Lower bounds, which only grow upwards, come from the cell costs or are
// inherited from predecessors; a node whose bound reaches the best loss is
// pruned with its up-set. In this order the predecessor along the last
// column was evaluated just before, so its classes are still cached and the
// roll-up costs about as much as the node has classes.
func (s *searcher) sweepLexicographic() {
	var preds []int
	for id := range s.lt.size {
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
