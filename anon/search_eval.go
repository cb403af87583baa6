package anon

import "slices"

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
		var extra float64
		for _, c := range supp {
			var p float64
			for i, l := range g.levels {
				p += s.cc.pen[i][l][g.codes[i][c]]
			}
			extra += float64(g.count[c]) * p
		}
		ev.loss = ev.lb + extra
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
		b, _ := s.g.fromRows(zero)
		b.node = 0
		s.cache.bottom = b
		s.cache.budget = 4*b.n + 1<<16
	}
	src := s.cache.source(levels)
	if src.node == id {
		return src
	}
	g := s.g.rollUp(src, levels)
	g.node = id
	s.cache.put(g)
	return g
}

// maxCached bounds the entries scanned for every lookup.
const maxCached = 256

// groupCache keeps recently computed classes, within a budget counted in
// classes, plus the bottom node's, which every node can be rolled up from.
type groupCache struct {
	bottom  *nodeGroups
	entries []*nodeGroups // least recently used first
	total   int
	budget  int
}

// source returns the cached node with the fewest classes that is less or
// equally generalised than levels in every column.
func (c *groupCache) source(levels []int) *nodeGroups {
	best := c.bottom
	at := -1
	for i, e := range c.entries {
		if e.n < best.n && below(e.levels, levels) {
			best, at = e, i
		}
	}
	if at >= 0 {
		// Move to the back: used now, so evicted last.
		c.entries = append(slices.Delete(c.entries, at, at+1), best)
	}
	return best
}

func (c *groupCache) put(g *nodeGroups) {
	if g.n > c.budget/2 {
		return // too big to be worth keeping over many smaller ones
	}
	c.entries = append(c.entries, g)
	c.total += g.n
	for (c.total > c.budget || len(c.entries) > maxCached) && len(c.entries) > 0 {
		c.total -= c.entries[0].n
		c.entries[0] = nil
		c.entries = c.entries[1:]
	}
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
