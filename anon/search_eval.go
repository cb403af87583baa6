package anon

import (
	"math"
	"math/bits"
)

// nodeEval is the judgement of one transformation.
type nodeEval struct {
	acceptable bool
	suppressed int
	loss       float64 // unscaled; see searcher.scale
	lb         float64 // lower bound on the loss of this node and all above it
	classes    int     // kept classes
	minClass   int     // smallest kept class (0 if none)
}

// judge applies the criteria to every class of g and computes the metric.
// keep, if not nil, receives whether each class is kept.
func (s *searcher) judge(g *nodeGroups, keep []bool) nodeEval {
	if g.keys != nil && s.g.sorted && s.onlyK > 0 {
		return s.judgeSorted(g, keep)
	}
	var ev nodeEval
	supp := s.suppBuf[:0]
	var sumSq, keptSq float64
	for c := range g.n {
		size := g.count[c]
		ok := true
		if s.onlyK > 0 {
			ok = int(size) >= s.onlyK
		} else {
			for k, chk := range s.checks {
				var vals, cnts []uint32
				if si := s.sensOf[k]; si >= 0 {
					h := &g.hist[si]
					vals, cnts = h.val[h.off[c]:h.off[c+1]], h.cnt[h.off[c]:h.off[c+1]]
				}
				if !chk.passes(size, vals, cnts) {
					ok = false
					break
				}
			}
		}
		f := float64(size)
		sumSq += f * f
		if keep != nil {
			keep[c] = ok
		}
		if !ok {
			ev.suppressed += int(size)
			supp = append(supp, c)
			continue
		}
		keptSq += f * f
		ev.classes++
		if ev.minClass == 0 || int(size) < ev.minClass {
			ev.minClass = int(size)
		}
	}
	s.suppBuf = supp
	ev.acceptable = ev.suppressed <= s.limit
	n := float64(s.rows)
	switch {
	case s.cc != nil:
		ev.lb = s.cc.lowerBound(g.levels)
		enough := s.best - ev.lb
		if s.fullExtra {
			enough = math.Inf(1)
		}
		ev.loss = ev.lb + s.suppressionLoss(g, supp, enough)
	case s.cfg.Metric == MetricDiscernibility:
		ev.lb = sumSq
		ev.loss = keptSq + float64(ev.suppressed)*n
	case s.cfg.Metric == MetricAverageClassSize:
		ev.lb = n / float64(g.n)
		k := ev.classes
		if ev.suppressed > 0 {
			k++
		}
		ev.loss = n / float64(k)
	}
	return ev
}

// suppressionLoss is the extra loss of suppressing the classes supp: each
// record costs Σ pen over its generalised codes. The sum stops once it
// exceeds enough, the most that could still make this node the best.
func (s *searcher) suppressionLoss(g *nodeGroups, supp []int, enough float64) float64 {
	pens := s.penBuf[:0]
	for i, l := range g.levels {
		pens = append(pens, s.pen[i][l])
	}
	s.penBuf = pens
	var extra float64
	if g.keys == nil {
		for _, c := range supp {
			var p float64
			for i, pi := range pens {
				p += pi[g.codes[i][c]]
			}
			extra += float64(g.count[c]) * p
		}
		return extra
	}
	shift, mask := s.g.shift, s.g.mask
	for n, c := range supp {
		k := g.keys[c]
		var p float64
		for i, pi := range pens {
			p += pi[k>>shift[i]&mask[i]]
		}
		extra += float64(g.count[c]) * p
		if n&63 == 63 && extra > enough {
			break // already worse than the best; the exact value is not needed
		}
	}
	return extra
}

// judgeSorted is judge for sorted classes and k-anonymity only.
func (s *searcher) judgeSorted(g *nodeGroups, keep []bool) nodeEval {
	var ev nodeEval
	k := uint32(s.onlyK)
	var sumSq, keptSq, extra float64
	gr := s.g
	cell := s.cc != nil
	var enough float64
	pens := s.penBuf[:0]
	if cell {
		ev.lb = s.cc.lowerBound(g.levels)
		enough = s.best - ev.lb
		for _, i := range gr.ranks {
			pens = append(pens, s.pen[i][g.levels[i]])
		}
		s.penBuf = pens
	}
	for c, size := range g.count {
		f := float64(size)
		sumSq += f * f
		if size >= k {
			if keep != nil {
				keep[c] = true
			}
			keptSq += f * f
			ev.classes++
			if ev.minClass == 0 || int(size) < ev.minClass {
				ev.minClass = int(size)
			}
			continue
		}
		if keep != nil {
			keep[c] = false
		}
		ev.suppressed += int(size)
	}
	if cell && ev.suppressed > 0 && (ev.suppressed <= s.limit || s.fullExtra) {
		// Sum the penalties over the suppressed classes, or over the kept
		// ones and subtract from the penalty of suppressing every record,
		// whichever set is smaller.
		if suppressed := g.n - ev.classes; suppressed <= ev.classes {
			extra = s.sumPenalties(g, pens, k, false, enough)
		} else {
			extra = s.cc.allPenalty(g.levels) - s.sumPenalties(g, pens, k, true, math.Inf(1))
		}
	}
	ev.acceptable = ev.suppressed <= s.limit
	n := float64(s.rows)
	switch {
	case cell:
		ev.loss = ev.lb + extra
	case s.cfg.Metric == MetricDiscernibility:
		ev.lb = sumSq
		ev.loss = keptSq + float64(ev.suppressed)*n
	case s.cfg.Metric == MetricAverageClassSize:
		ev.lb = n / float64(g.n)
		classes := ev.classes
		if ev.suppressed > 0 {
			classes++
		}
		ev.loss = n / float64(classes)
	}
	return ev
}

// sumPenalties returns Σ size × penalty over the kept (or the suppressed)
// classes of sorted groups. The penalty of a class is a sum over its
// fields; consecutive sorted keys share their most significant fields, so
// the partial sums of those are kept and only the fields below the highest
// differing bit are added again. The sum may stop once it exceeds enough.
func (s *searcher) sumPenalties(g *nodeGroups, pens [][]float64, k uint32, kept bool, enough float64) float64 {
	gr := s.g
	q := len(gr.ranks)
	psum := grow(s.psum, q)
	s.psum = psum
	if s.fullExtra {
		enough = math.Inf(1)
	}
	var sum float64
	prev, first, n := uint64(0), true, 0
	for c, key := range g.keys {
		size := g.count[c]
		if size >= k != kept {
			continue
		}
		r := 0
		if !first {
			r = int(gr.rankOf[63-bits.LeadingZeros64(prev^key)])
		}
		first, prev = false, key
		for ; r < q; r++ {
			i := gr.ranks[r]
			v := pens[r][key>>gr.shift[i]&gr.mask[i]]
			if r > 0 {
				v += psum[r-1]
			}
			psum[r] = v
		}
		sum += float64(size) * psum[q-1]
		n++
		if n&63 == 0 && sum > enough {
			break // already worse than the best; the exact value is not needed
		}
	}
	return sum
}

// scale converts an internal loss to the reported value.
func (s *searcher) scale(loss float64) float64 {
	if s.cc != nil {
		return loss / s.cc.scale
	}
	return loss
}

// check computes the classes of node id, judges them and records the
// outcome: tags, the best acceptable node, and the inherited lower bound.
func (s *searcher) check(id int) nodeEval {
	levels := s.levelsOf(id)
	g := s.groupsAt(id, levels)
	ev := s.judge(g, nil)
	s.checked++
	s.lt.flags[id] |= flagChecked | flagEvaluated
	if s.lb != nil && ev.lb > s.lb[id] {
		s.lb[id] = ev.lb
	}
	if s.mono {
		if ev.acceptable {
			s.stack = s.lt.tagUp(id, flagAnonymous, s.stack)
		} else {
			s.stack = s.lt.tagDown(id, flagNotAnonymous, s.stack)
		}
	}
	if ev.acceptable && (ev.loss < s.best || s.bestNode < 0) {
		s.best, s.bestNode = ev.loss, id
	}
	return ev
}

// levelsOf returns the levels of node id in a buffer reused by the next call.
func (s *searcher) levelsOf(id int) []int {
	s.buf = s.lt.levels(id, s.buf)
	return s.buf
}

// groupsAt returns the classes of node id, rolled up from the cached
// transformation below it with the fewest classes.
func (s *searcher) groupsAt(id int, levels []int) *nodeGroups {
	if s.cache.bottom == nil {
		zero := make([]int, len(levels))
		b := s.g.groupRows(zero)
		b.node = 0
		s.cache.init(b)
		s.cache.g = s.g
	}
	src := s.cache.source(s.lt, id, levels)
	if src.node == id {
		return src
	}
	if src == s.cache.bottom {
		// Nothing cached below: first build the hub that only records which
		// columns are generalised at all (levels capped at 1). Flash checks
		// nodes scattered along paths, and many share a hub, which has far
		// fewer classes than the bottom.
		hub := make([]int, len(levels))
		for i, l := range levels {
			hub[i] = min(l, 1)
		}
		if hid := s.lt.id(hub); s.cache.byNode[hid] != nil {
			src = s.cache.byNode[hid]
		} else if hid != id && hid != 0 {
			// Another hub below this one may be cached.
			src = s.cache.source(s.lt, hid, hub)
			h := s.g.rollUp(src, hub)
			h.node = hid
			s.cache.put(h)
			src = h
		}
	}
	if src.node != id {
		src = s.steppingStone(src, levels)
	}
	g := s.g.rollUp(src, levels)
	g.node = id
	s.cache.put(g)
	return g
}

// steppingStone returns, for a roll-up from src to levels far apart, a
// cached node between them: src with the column whose generalisation
// shrinks its domain most (at least fourfold) raised to its target level.
// Flash's binary searches roll many nodes up from the same hub, and those
// that generalise that column as far share the stone, which has far fewer
// classes than the hub (on Adult, 14% fewer source classes in all).
func (s *searcher) steppingStone(src *nodeGroups, levels []int) *nodeGroups {
	if s.g.mergePasses(src.levels, levels) <= 2 {
		return src
	}
	best, ratio := -1, 1.0
	for i, l := range levels {
		if l == src.levels[i] {
			continue
		}
		r := float64(s.hs[i].Cardinality(src.levels[i])) / float64(max(s.hs[i].Cardinality(l), 1))
		if r > ratio {
			best, ratio = i, r
		}
	}
	if best < 0 || ratio < 4 {
		return src
	}
	stone := append([]int(nil), src.levels...)
	stone[best] = levels[best]
	if below(levels, stone) {
		return src
	}
	sid := s.lt.id(stone)
	if g := s.cache.byNode[sid]; g != nil {
		return g
	}
	g := s.g.rollUp(src, stone)
	g.node = sid
	s.cache.put(g)
	return g
}

// groupsChain returns the classes of node id for the top-down sweep,
// which reaches nodes before their predecessors: when no predecessor is
// cached it computes one first (recursively, down to a cached node or the
// bottom), lowering the most generalised column. The nodes computed on the
// way stay cached for when the sweep reaches them.
func (s *searcher) groupsChain(id int) *nodeGroups {
	if s.cache.bottom == nil {
		s.groupsAt(0, s.levelsOf(0))
	}
	if id == 0 {
		return s.cache.bottom
	}
	if g := s.cache.byNode[id]; g != nil {
		return g
	}
	levels := s.lt.levels(id, nil)
	src := s.cache.cachedPred(s.lt, id, levels)
	if src == nil {
		i := s.digits[0]
		for j := range levels {
			if levels[j] > levels[i] {
				i = j
			}
		}
		src = s.groupsChain(id - s.lt.stride[i])
	}
	g := s.g.rollUp(src, levels)
	g.node = id
	s.cache.put(g)
	return g
}

// groupCache keeps recently computed classes, within a budget counted in
// classes, plus the bottom node's, from which every node can be rolled up.
// Entries leave in the order they came: the sweeps move upwards through the
// lattice, so the oldest entries are the ones least likely to be a
// predecessor of what comes next.
type groupCache struct {
	bottom *nodeGroups
	byNode map[int]*nodeGroups
	fifo   []*nodeGroups
	total  int
	budget int
	g      *grouper // takes evicted groups for reuse
}

func (c *groupCache) init(bottom *nodeGroups) {
	c.bottom = bottom
	c.byNode = map[int]*nodeGroups{}
	// Enough for a few layers of the lattice near the bottom, where
	// transformations have almost as many classes as the bottom.
	c.budget = max(16*bottom.n, 1<<22)
}

// source returns a cached node below id (or id itself) to roll up from:
// the direct predecessor with the fewest classes if one is cached, else any
// cached ancestor with fewer classes than the bottom, else the bottom.
func (c *groupCache) source(lt *lattice, id int, levels []int) *nodeGroups {
	if g := c.byNode[id]; g != nil {
		return g
	}
	best := c.cachedPred(lt, id, levels)
	if best != nil {
		return best
	}
	best = c.bottom
	bestCost := c.rollCost(best, levels)
	for _, g := range c.fifo {
		if g != nil && g.n < best.n*8 && below(g.levels, levels) {
			if cost := c.rollCost(g, levels); cost < bestCost {
				best, bestCost = g, cost
			}
		}
	}
	return best
}

// rollCost estimates the work of rolling src up to levels.
func (c *groupCache) rollCost(src *nodeGroups, levels []int) int {
	if c.g == nil || !c.g.sorted {
		return src.n
	}
	return src.n * c.g.passes(src.levels, levels)
}

func (c *groupCache) put(g *nodeGroups) {
	if g.n > c.budget/4 {
		return
	}
	c.fifo = append(c.fifo, g)
	c.byNode[g.node] = g
	c.total += g.n
	for c.total > c.budget {
		old := c.fifo[0]
		c.fifo[0] = nil
		c.fifo = c.fifo[1:]
		delete(c.byNode, old.node)
		c.total -= old.n
		if c.g != nil {
			c.g.release(old)
		}
	}
}

// cachedPred returns the cached direct predecessor of id that is cheapest
// to roll up from, or nil. Generalising the least significant key field is
// a sequential pass; any other column needs its runs merged too.
func (c *groupCache) cachedPred(lt *lattice, id int, levels []int) *nodeGroups {
	var best *nodeGroups
	bestCost := 0
	for i, st := range lt.stride {
		if levels[i] == 0 {
			continue
		}
		g := c.byNode[id-st]
		if g == nil {
			continue
		}
		cost := c.rollCost(g, levels)
		if best == nil || cost < bestCost {
			best, bestCost = g, cost
		}
	}
	return best
}

// below reports whether a ≤ b in every column.
func below(a, b []int) bool {
	for i := range a {
		if a[i] > b[i] {
			return false
		}
	}
	return true
}
