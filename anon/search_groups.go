package anon

import (
	"math/bits"
	"slices"
)

// nodeGroups are the equivalence classes of one transformation: for class c,
// codes[i][c] is its generalised code in quasi-identifier i, count[c] its
// number of records, and hist[s] the distribution of sensitive column s in
// it (compressed rows: values and counts of class c are at off[c]:off[c+1]).
//
// When the level-0 codes of all quasi-identifiers fit in 64 bits (the usual
// case), classes are kept as packed keys instead: column i occupies a fixed
// bit field, the same at every level, so rolling up rewrites only the
// fields of the columns that change and the codes are never stored apart.
// Without sensitive columns the packed keys are also kept sorted (see
// search_sorted.go).
type nodeGroups struct {
	node   int
	levels []int
	n      int
	keys   []uint64   // packed mode
	codes  [][]uint32 // wide mode
	count  []uint32
	hist   []groupHist
}

// code returns the generalised code of class c in quasi-identifier i.
func (g *nodeGroups) code(gr *grouper, i, c int) uint32 {
	if g.keys != nil {
		return uint32(g.keys[c] >> gr.shift[i] & gr.mask[i])
	}
	return g.codes[i][c]
}

type groupHist struct{ off, val, cnt []uint32 }

// grouper builds nodeGroups, either from the rows or by rolling up the
// classes of a less generalised transformation. Rolling up is what makes
// the search fast: every class of a more generalised transformation is a
// union of classes of a less generalised one, so the work is proportional
// to the classes of the source, not to the rows.
type grouper struct {
	hs       []*EncodedHierarchy
	rowMap   [][][]uint32   // rowMap[i][l]: dictionary code -> level-l code
	up       [][][][]uint32 // up[i][a][b]: level-a code -> level-b code
	rounds   [][][]int      // rounds[i][a][b]: merge rounds for up[i][a][b]
	ext      [][][]uint32   // ext[i][l][u]: the EncodedHierarchy code of code u
	rowCodes [][]uint32     // dictionary codes of the quasi-identifiers
	rowSens  [][]uint32     // dictionary codes of the sensitive columns
	sensCard []int
	packed   bool
	// sorted: packed keys kept in ascending order, rolled up by merging
	// instead of hashing (packed mode without sensitive columns).
	sorted bool
	shift  []uint
	mask   []uint64
	width  []uint
	total  uint  // bits used by the packed key
	ranks  []int // columns from the most to the least significant field
	chunks []keyChunk
	rankOf [64]int8

	// scratch reused between calls
	keys     []uint64
	slotKey  []uint64
	table    []int32
	outKeys  []uint64
	outCount []uint32
	rep      []uint32
	parent   []uint32
	order    []uint32
	start    []uint32
	dense    []uint32
	touched  []uint32
	mapped   [][]uint32
	sortBuf  sortScratch
	free     []*nodeGroups // evicted groups whose slices may be reused
}

// newGrouper prepares the code maps. Generalised codes are renumbered so
// that every map from a lower to a higher level is non-decreasing (values
// in the order of their paths from the top of the hierarchy), which keeps
// sorted keys sorted when a column is generalised. lsbFirst lists the
// columns from the least significant key field up (nil: last column least
// significant).
func newGrouper(hs []*EncodedHierarchy, rowCodes, rowSens [][]uint32, sensCard []int, lsbFirst []int) *grouper {
	g := &grouper{hs: hs, rowCodes: rowCodes, rowSens: rowSens, sensCard: sensCard}
	q := len(hs)
	g.up = make([][][][]uint32, q)
	g.rounds = make([][][]int, q)
	g.rowMap = make([][][]uint32, q)
	g.ext = make([][][]uint32, q)
	for i, h := range hs {
		toInt, toExt := monotoneCodes(h)
		g.ext[i] = toExt
		L := h.Levels()
		g.rowMap[i] = make([][]uint32, L)
		for l := range L {
			m := make([]uint32, len(h.Maps[l]))
			for c, e := range h.Maps[l] {
				m[c] = toInt[l][e]
			}
			g.rowMap[i][l] = m
		}
		g.up[i] = make([][][]uint32, L)
		g.rounds[i] = make([][]int, L)
		for a := range L {
			g.up[i][a] = make([][]uint32, L)
			g.rounds[i][a] = make([]int, L)
			for b := a + 1; b < L; b++ {
				ext := h.Up(a, b)
				m := make([]uint32, len(ext))
				fan := make([]int, h.Cardinality(b))
				most := 1
				for u, e := range toExt[a] {
					m[u] = toInt[b][ext[e]]
					fan[m[u]]++
					most = max(most, fan[m[u]])
				}
				g.up[i][a][b] = m
				g.rounds[i][a][b] = bits.Len(uint(most - 1))
			}
		}
	}
	maxCard := 0
	for _, c := range sensCard {
		maxCard = max(maxCard, c)
	}
	g.dense = make([]uint32, maxCard)
	g.mapped = make([][]uint32, q)
	if lsbFirst == nil {
		for i := q - 1; i >= 0; i-- {
			lsbFirst = append(lsbFirst, i)
		}
	}
	g.shift = make([]uint, q)
	g.mask = make([]uint64, q)
	g.width = make([]uint, q)
	g.ranks = make([]int, q)
	for r, i := range lsbFirst {
		w := uint(bits.Len(uint(max(hs[i].Cardinality(0)-1, 0))))
		g.shift[i], g.width[i] = g.total, w
		g.mask[i] = 1<<w - 1
		g.total += w
		g.ranks[q-1-r] = i
	}
	g.packed = g.total <= packedKeyBits
	g.sorted = g.packed && len(sensCard) == 0
	if g.packed {
		g.makeChunks()
		for r, i := range g.ranks {
			for b := g.shift[i]; b < g.shift[i]+g.width[i]; b++ {
				g.rankOf[b] = int8(r)
			}
		}
	}
	return g
}

// monotoneCodes renumbers the codes of every level of h: level-0 values
// are ordered by their generalisations from the top level down, and each
// level numbered in order of first appearance, so all maps up the
// hierarchy are non-decreasing. It returns both directions.
func monotoneCodes(h *EncodedHierarchy) (toInt, toExt [][]uint32) {
	L := h.Levels()
	c0 := h.Cardinality(0)
	paths := make([][]uint32, L)
	for l := 1; l < L; l++ {
		paths[l] = h.Up(0, l)
	}
	leaves := make([]uint32, c0)
	for g := range leaves {
		leaves[g] = uint32(g)
	}
	slices.SortFunc(leaves, func(a, b uint32) int {
		for l := L - 1; l >= 1; l-- {
			if x, y := paths[l][a], paths[l][b]; x != y {
				return int(x) - int(y)
			}
		}
		return int(a) - int(b)
	})
	toInt = make([][]uint32, L)
	toExt = make([][]uint32, L)
	for l := range L {
		toInt[l] = make([]uint32, h.Cardinality(l))
		seen := make([]bool, h.Cardinality(l))
		for _, g := range leaves {
			e := g
			if l > 0 {
				e = paths[l][g]
			}
			if !seen[e] {
				seen[e] = true
				toInt[l][e] = uint32(len(toExt[l]))
				toExt[l] = append(toExt[l], e)
			}
		}
	}
	return toInt, toExt
}

// fromRows groups the rows at the given levels. parent[r] is the class of
// row r; it aliases scratch and is valid until the next call.
func (g *grouper) fromRows(levels []int) (*nodeGroups, []uint32) {
	return g.fromRowsParent(levels, true)
}

// groupRows is fromRows for when the classes of the rows are not needed.
func (g *grouper) groupRows(levels []int) *nodeGroups {
	ng, _ := g.fromRowsParent(levels, false)
	return ng
}

func (g *grouper) fromRowsParent(levels []int, wantParent bool) (*nodeGroups, []uint32) {
	for i := range g.hs {
		g.mapped[i] = g.rowMap[i][levels[i]]
	}
	if g.sorted {
		return g.fromRowsSorted(levels, wantParent)
	}
	if !g.packed {
		return g.group(g.rowCodes, g.mapped, nil, nil, levels)
	}
	n := len(g.rowCodes[0])
	keys := grow(g.keys, n)
	g.keys = keys
	clear(keys)
	for i, col := range g.rowCodes {
		m, sh := g.mapped[i], g.shift[i]
		for j, c := range col {
			keys[j] |= uint64(m[c]) << sh
		}
	}
	return g.groupKeys(keys, nil, nil, levels)
}

// rollUp groups the classes of src, which must be less or equally
// generalised in every column, at the given levels.
func (g *grouper) rollUp(src *nodeGroups, levels []int) *nodeGroups {
	for i := range g.hs {
		g.mapped[i] = g.up[i][src.levels[i]][levels[i]] // nil: same level
	}
	if g.sorted {
		return g.rollUpSorted(src, levels)
	}
	if !g.packed {
		dst, _ := g.group(src.codes, g.mapped, src.count, src.hist, levels)
		return dst
	}
	// Rewrite the fields of the columns that change, all in one pass.
	var ch []int
	for i, m := range g.mapped {
		if m != nil {
			ch = append(ch, i)
		}
	}
	keys := grow(g.keys, src.n)
	g.keys = keys
	switch len(ch) {
	case 0:
		copy(keys, src.keys)
	case 1:
		i := ch[0]
		m, sh, mask := g.mapped[i], g.shift[i], g.mask[i]
		clearMask := ^(mask << sh)
		for j, k := range src.keys {
			keys[j] = k&clearMask | uint64(m[k>>sh&mask])<<sh
		}
	default:
		clearMask := ^uint64(0)
		for _, i := range ch {
			clearMask &^= g.mask[i] << g.shift[i]
		}
		for j, k := range src.keys {
			out := k & clearMask
			for _, i := range ch {
				sh := g.shift[i]
				out |= uint64(g.mapped[i][k>>sh&g.mask[i]]) << sh
			}
			keys[j] = out
		}
	}
	dst, _ := g.groupKeys(keys, src.count, src.hist, levels)
	return dst
}

// groupKeys groups elements by packed key with an open-addressing table
// holding the keys themselves, so a probe touches one cache line.
func (g *grouper) groupKeys(keys []uint64, weight []uint32, hist []groupHist, levels []int) (*nodeGroups, []uint32) {
	n := len(keys)
	// At most min(n, Π cardinalities) classes: high in the lattice the
	// table is small, cheap to clear and stays in cache.
	distinct := uint64(1)
	for i, h := range g.hs {
		distinct *= uint64(max(h.Cardinality(levels[i]), 1))
		if distinct >= uint64(n) {
			break
		}
	}
	size := 1 << bits.Len(uint(2*min(uint64(n), distinct)))
	mask := uint64(size - 1)
	shift := 64 - uint(bits.Len(uint(mask)))
	slotKey := grow(g.slotKey, size)
	slotIdx := grow(g.table, size) // class+1; 0 = empty, so clear is a memclr
	g.slotKey, g.table = slotKey, slotIdx
	clear(slotIdx)
	parent := grow(g.parent, n)
	g.parent = parent
	// Collect into scratch sized for the worst case, then copy out exactly:
	// appending to fresh slices cost more than the grouping itself.
	outKeys := grow(g.outKeys, n)[:0]
	count := grow(g.outCount, n)[:0]
	for j, k := range keys {
		h := (k * 0x9e3779b97f4a7c15) >> shift & mask
		for {
			c := slotIdx[h] - 1
			if c < 0 {
				c = int32(len(outKeys))
				slotIdx[h], slotKey[h] = c+1, k
				outKeys = append(outKeys, k)
				count = append(count, 0)
			} else if slotKey[h] != k {
				h = (h + 1) & mask
				continue
			}
			parent[j] = uint32(c)
			if weight == nil {
				count[c]++
			} else {
				count[c] += weight[j]
			}
			break
		}
	}
	g.outKeys, g.outCount = outKeys, count
	dst := &nodeGroups{levels: append([]int(nil), levels...), n: len(outKeys), keys: slices.Clone(outKeys), count: slices.Clone(count)}
	if len(g.sensCard) > 0 {
		g.mergeHists(dst, hist, n)
	}
	return dst, parent
}

// group is the shared engine: elements j (rows or source classes) with
// codes src[i][j], mapped through maps[i] (nil for identity), weight
// weight[j] (nil: 1) and sensitive distributions hist (nil: rows).
func (g *grouper) group(src [][]uint32, maps [][]uint32, weight []uint32, hist []groupHist, levels []int) (*nodeGroups, []uint32) {
	n := len(src[0])
	q := len(src)
	keys := grow(g.keys, n)
	g.keys = keys
	// Pack the generalised codes into one key per element, column by column
	// (tight loops over contiguous memory). When the product of the
	// cardinalities does not fit in 64 bits the key is only a hash and
	// equal keys are confirmed by comparing codes.
	exact := true
	space := uint64(1)
	clear(keys)
	for i := range q {
		radix := uint64(max(g.hs[i].Cardinality(levels[i]), 1))
		if hi, lo := bits.Mul64(space, radix); hi != 0 || lo > exactKeyLimit {
			exact = false
		} else {
			space = lo
		}
		s, m := src[i], maps[i]
		if exact {
			if m == nil {
				for j, c := range s {
					keys[j] = keys[j]*radix + uint64(c)
				}
			} else {
				for j, c := range s {
					keys[j] = keys[j]*radix + uint64(m[c])
				}
			}
		} else {
			for j, c := range s {
				v := c
				if m != nil {
					v = m[c]
				}
				keys[j] = (keys[j]^uint64(v))*0x100000001b3 + uint64(i)
			}
		}
	}

	parent := grow(g.parent, n)
	g.parent = parent
	rep := g.rep[:0]
	var count []uint32
	if exact && space <= uint64(4*n+1024) {
		tbl := grow(g.table, int(space))
		g.table = tbl
		for k := range tbl {
			tbl[k] = -1
		}
		for j, k := range keys {
			c := tbl[k]
			if c < 0 {
				c = int32(len(rep))
				tbl[k] = c
				rep = append(rep, uint32(j))
				count = append(count, 0)
			}
			parent[j] = uint32(c)
			if weight == nil {
				count[c]++
			} else {
				count[c] += weight[j]
			}
		}
	} else {
		size := 1 << bits.Len(uint(2*n))
		mask := uint64(size - 1)
		shift := 64 - uint(bits.Len(uint(mask)))
		tbl := grow(g.table, size)
		g.table = tbl
		for k := range tbl {
			tbl[k] = -1
		}
		for j, k := range keys {
			h := (k * 0x9e3779b97f4a7c15) >> shift & mask
			var c int32
			for {
				c = tbl[h]
				if c < 0 {
					c = int32(len(rep))
					tbl[h] = c
					rep = append(rep, uint32(j))
					count = append(count, 0)
					break
				}
				if r := rep[c]; keys[r] == k && (exact || sameCodes(src, maps, int(r), j)) {
					break
				}
				h = (h + 1) & mask
			}
			parent[j] = uint32(c)
			if weight == nil {
				count[c]++
			} else {
				count[c] += weight[j]
			}
		}
	}
	g.rep = rep

	nc := len(rep)
	dst := &nodeGroups{levels: append([]int(nil), levels...), n: nc, count: count, codes: make([][]uint32, q)}
	for i := range q {
		out := make([]uint32, nc)
		s, m := src[i], maps[i]
		for c, r := range rep {
			if m == nil {
				out[c] = s[r]
			} else {
				out[c] = m[s[r]]
			}
		}
		dst.codes[i] = out
	}
	if len(g.sensCard) > 0 {
		g.mergeHists(dst, hist, n)
	}
	return dst, parent
}

// mergeHists builds the sensitive distributions of the new classes from
// those of their members (or from the rows), visiting members class by
// class through a counting sort on parent.
func (g *grouper) mergeHists(dst *nodeGroups, hist []groupHist, n int) {
	nc := dst.n
	start := grow(g.start, nc+1)
	g.start = start
	clear(start)
	parent := g.parent[:n]
	for _, p := range parent {
		start[p+1]++
	}
	for c := range nc {
		start[c+1] += start[c]
	}
	order := grow(g.order, n)
	g.order = order
	next := append([]uint32(nil), start[:nc]...)
	for j, p := range parent {
		order[next[p]] = uint32(j)
		next[p]++
	}
	dst.hist = make([]groupHist, len(g.sensCard))
	for s := range g.sensCard {
		var h groupHist
		h.off = make([]uint32, nc+1)
		dense := g.dense
		for c := range nc {
			touched := g.touched[:0]
			for _, j := range order[start[c]:start[c+1]] {
				if hist == nil {
					v := g.rowSens[s][j]
					if dense[v] == 0 {
						touched = append(touched, v)
					}
					dense[v]++
					continue
				}
				sh := hist[s]
				for p := sh.off[j]; p < sh.off[j+1]; p++ {
					v := sh.val[p]
					if dense[v] == 0 {
						touched = append(touched, v)
					}
					dense[v] += sh.cnt[p]
				}
			}
			for _, v := range touched {
				h.val = append(h.val, v)
				h.cnt = append(h.cnt, dense[v])
				dense[v] = 0
			}
			h.off[c+1] = uint32(len(h.val))
			g.touched = touched
		}
		dst.hist[s] = h
	}
}

// sameCodes reports whether elements a and b generalise to the same codes.
func sameCodes(src [][]uint32, maps [][]uint32, a, b int) bool {
	for i, s := range src {
		x, y := s[a], s[b]
		if m := maps[i]; m != nil {
			x, y = m[x], m[y]
		}
		if x != y {
			return false
		}
	}
	return true
}

// packedKeyBits is the widest packed key; tests lower it to exercise the
// wide representation.
var packedKeyBits uint = 64

// exactKeyLimit is the largest key space packed exactly in the wide
// representation; tests lower it to exercise hashed keys.
var exactKeyLimit = ^uint64(0)

// grow returns s resized to n, reallocating only when it is too small.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}
