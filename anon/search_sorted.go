package anon

import (
	"math"
	"math/bits"
)

// Sorted classes: in packed mode without sensitive columns the classes of
// a transformation are kept in ascending key order. Codes are numbered so
// that generalising is non-decreasing (see monotoneCodes), hence
// generalising one column keeps the keys sorted within every run of equal
// more significant fields, and the classes that merge are adjacent (least
// significant column) or in a few sorted runs (any other column). Rolling
// up is then a sequential merge instead of hashing: no table to clear, no
// random access, and the output is sorted again for the next roll-up.

// sortScratch holds the buffers of the sorted roll-up.
type sortScratch struct {
	ka, kb  []uint64 // alternate pass outputs
	ca, cb  []uint32
	tk      []uint64 // run merging
	tc      []uint32
	bounds  []int
	nb      [2][]int
	rows    []uint32
	keyRows []uint64
	rowTmp  []uint32
	keyTmp  []uint64
	hist    []uint32
	fields  []fieldTable // per-column lookup tables of a roll-up
	flat64  []uint64
	flat32  []uint32
	// chunked lookups (search_chunks.go)
	counts     []uint32 // dense counting table, zero between uses
	idx        []uint32 // dense indices
	idxTmp     []uint32
	chunkTabs  []chunkTable
	chunkKeys  [][]uint64
	chunkCache map[chunkKey]chunkTable
}

// newGroups returns groups for n classes, reusing the slices of an evicted
// node when one is large enough.
func (g *grouper) newGroups(levels []int, n int) *nodeGroups {
	for i := len(g.free) - 1; i >= 0; i-- {
		f := g.free[i]
		if cap(f.keys) >= n && cap(f.keys) <= 4*n+1024 {
			g.free[i] = g.free[len(g.free)-1]
			g.free = g.free[:len(g.free)-1]
			f.levels = append(f.levels[:0], levels...)
			f.n, f.node = n, 0
			f.keys, f.count = f.keys[:n], f.count[:n]
			return f
		}
	}
	return &nodeGroups{levels: append([]int(nil), levels...), n: n, keys: make([]uint64, n), count: make([]uint32, n)}
}

// release offers the slices of groups no longer referenced for reuse.
func (g *grouper) release(ng *nodeGroups) {
	if !g.sorted || ng == nil || ng.keys == nil {
		return
	}
	if len(g.free) >= 16 {
		g.free = g.free[1:]
	}
	g.free = append(g.free, ng)
}

// fromRowsSorted groups the rows at levels: keys are radix-sorted with
// their row numbers and equal keys form a class.
func (g *grouper) fromRowsSorted(levels []int, wantParent bool) (*nodeGroups, []uint32) {
	n := len(g.rowCodes[0])
	sc := &g.sortBuf
	keys := grow(sc.keyRows, n)
	sc.keyRows = keys
	clear(keys)
	for i, col := range g.rowCodes {
		m, sh := g.mapped[i], g.shift[i]
		for j, c := range col {
			keys[j] |= uint64(m[c]) << sh
		}
	}
	var rows, parent []uint32
	if wantParent {
		rows = grow(sc.rows, n)
		sc.rows = rows
		for j := range rows {
			rows[j] = uint32(j)
		}
		parent = grow(g.parent, n)
		g.parent = parent
	}
	keys, rows = sc.radixSort(keys, rows, g.total)
	classes := 0
	for j, k := range keys {
		if j == 0 || k != keys[j-1] {
			classes++
		}
		if parent != nil {
			parent[rows[j]] = uint32(classes - 1)
		}
	}
	dst := g.newGroups(levels, classes)
	c := -1
	for j, k := range keys {
		if j == 0 || k != keys[j-1] {
			c++
			dst.keys[c] = k
			dst.count[c] = 0
		}
		dst.count[c]++
	}
	return dst, parent
}

// radixDigit is the width of a radix-sort digit in bits.
const radixDigit = 11

// radixSort sorts keys (the low bits significant) with their payloads
// (none when vals is nil), least significant digit first. It returns the sorted slices, which are
// either the inputs or scratch owned by sc.
func (sc *sortScratch) radixSort(keys []uint64, vals []uint32, bits uint) ([]uint64, []uint32) {
	n := len(keys)
	// Digits in which all keys agree need no pass.
	var or, and uint64 = 0, ^uint64(0)
	for _, k := range keys {
		or |= k
		and &= k
	}
	diff := or ^ and
	digit := uint(radixDigit)
	dmask := uint64(1)<<digit - 1
	tk := grow(sc.keyTmp, n)
	sc.keyTmp = tk
	var tv []uint32
	if vals != nil {
		tv = grow(sc.rowTmp, n)
		sc.rowTmp = tv
	}
	hist := grow(sc.hist, 1<<radixDigit)[:1<<digit]
	sc.hist = hist[:cap(hist)]
	for sh := uint(0); sh < bits; sh += digit {
		if diff>>sh&dmask == 0 {
			continue
		}
		radixPass(keys, vals, tk, tv, hist, sh, dmask)
		keys, tk = tk, keys
		vals, tv = tv, vals
	}
	return keys, vals
}

// radixPass scatters keys and their payloads into tk and tv by the digit
// at sh (a stable counting sort).
func radixPass[K uint32 | uint64](keys []K, vals []uint32, tk []K, tv []uint32, hist []uint32, sh uint, dmask K) {
	clear(hist)
	for _, k := range keys {
		hist[k>>sh&dmask]++
	}
	var sum uint32
	for d, c := range hist {
		hist[d] = sum
		sum += c
	}
	if vals == nil {
		for _, k := range keys {
			d := k >> sh & dmask
			tk[hist[d]] = k
			hist[d]++
		}
		return
	}
	for j, k := range keys {
		d := k >> sh & dmask
		p := hist[d]
		hist[d]++
		tk[p], tv[p] = k, vals[j]
	}
}

// mergePasses is the number of passes over the classes that rolling up
// from one level vector to another by merging takes: one per changed
// column plus its merge rounds (none for the least significant field).
func (g *grouper) mergePasses(from, to []int) int {
	n := 0
	for i, a := range from {
		if b := to[i]; a != b {
			n++
			if g.shift[i] != 0 {
				n += g.rounds[i][a][b]
			}
		}
	}
	return n
}

// radixPasses is about the work of mapping all fields and radix-sorting.
func (g *grouper) radixPasses() int {
	return 2 + int((g.total+radixDigit-1)/radixDigit)
}

// passes estimates the work of a roll-up per source class.
func (g *grouper) passes(from, to []int) int {
	return max(1, min(g.mergePasses(from, to), g.radixPasses()))
}

// rollUpSorted generalises the sorted classes of src to levels, one
// changed column at a time, least significant first.
func (g *grouper) rollUpSorted(src *nodeGroups, levels []int) *nodeGroups {
	sc := &g.sortBuf
	if g.mergePasses(src.levels, levels) > g.radixPasses() {
		return g.rollUpRadix(src, levels)
	}
	inK, inC := src.keys, src.count
	last := -1 // rank of the last changed column
	for r := range g.ranks {
		if g.mapped[g.ranks[r]] != nil {
			last = r
			break
		}
	}
	if last < 0 {
		dst := g.newGroups(levels, len(inK))
		copy(dst.keys, inK)
		copy(dst.count, inC)
		return dst
	}
	// The last pass writes straight into the result, sized for the worst
	// case and trimmed.
	dst := g.newGroups(levels, len(inK))
	pass := 0
	for r := len(g.ranks) - 1; r >= last; r-- {
		i := g.ranks[r]
		m := g.mapped[i]
		if m == nil {
			continue
		}
		var outK []uint64
		var outC []uint32
		switch {
		case r == last:
			outK, outC = dst.keys, dst.count
		case pass%2 == 0:
			sc.ka, sc.ca = grow(sc.ka, len(inK)), grow(sc.ca, len(inK))
			outK, outC = sc.ka, sc.ca
		default:
			sc.kb, sc.cb = grow(sc.kb, len(inK)), grow(sc.cb, len(inK))
			outK, outC = sc.kb, sc.cb
		}
		n := g.rollOne(inK, inC, outK, outC, i, m)
		inK, inC = outK[:n], outC[:n]
		pass++
	}
	dst.keys, dst.count, dst.n = inK, inC, len(inK)
	return dst
}

// rollUpRadix generalises src to levels when many fields change, by one
// of three ways, cheapest first:
//   - the generalised key space is small (up to about four times the
//     source classes): count into a dense table indexed in key order;
//   - the chunk tables are cheap to fill and the space fits 32 bits:
//     radix-sort dense indices;
//   - otherwise map the fields of every key and radix-sort the keys.
//
// Each source key is read once, its fields looked up through the chunk
// tables (search_chunks.go) or per-column tables, rather than one pass
// over all keys per changed column.
func (g *grouper) rollUpRadix(src *nodeGroups, levels []int) *nodeGroups {
	n := src.n
	space := 1
	for i := range g.hs {
		space *= max(g.hs[i].Cardinality(levels[i]), 1)
		if space > 4*n+8192 {
			break
		}
	}
	if space <= 4*n+8192 {
		return g.rollUpDense(src, levels, space)
	}
	sc := &g.sortBuf
	chunked := g.chunkCost(src.levels) < n
	if chunked {
		if full := g.space(levels); full <= math.MaxUint32 {
			return g.rollUpIndexSort(src, levels, full)
		}
	}
	keys := grow(sc.keyRows, n)
	sc.keyRows = keys
	if chunked {
		keysChunked(g.chunkTables(src.levels, levels, false), src.keys, keys)
	} else {
		g.mapFields(src.keys, keys)
	}
	return g.rollUpRadixTail(src, levels, keys)
}

// space returns the size of the generalised key space at levels, capped
// just above math.MaxUint32.
func (g *grouper) space(levels []int) uint64 {
	space := uint64(1)
	for i := range g.hs {
		space *= uint64(max(g.hs[i].Cardinality(levels[i]), 1))
		if space > math.MaxUint32 {
			return math.MaxUint32 + 1
		}
	}
	return space
}

// rollUpIndexSort groups src at levels by radix-sorting dense indices:
// 32 bits instead of 64 and only as many digits as the key space needs.
func (g *grouper) rollUpIndexSort(src *nodeGroups, levels []int, space uint64) *nodeGroups {
	sc := &g.sortBuf
	n := src.n
	tabs := g.chunkTables(src.levels, levels, true)
	idx := grow(sc.idx, n)
	sc.idx = idx
	denseIndex(tabs, src.keys, idx)
	vals := grow(sc.rows, n)
	sc.rows = vals
	copy(vals, src.count)
	idx, vals = sc.radixSort32(idx, vals, uint(bits.Len64(space-1)))
	return mergeSorted(g, levels, idx, vals, func(x uint32) uint64 { return decodeDense(tabs, x) })
}

// mergeSorted turns sorted keys with their counts into classes, equal keys
// merged; key gives a class's packed key.
func mergeSorted[K uint32 | uint64](g *grouper, levels []int, keys []K, vals []uint32, key func(K) uint64) *nodeGroups {
	distinct := 0
	for j, k := range keys {
		if j == 0 || k != keys[j-1] {
			distinct++
		}
	}
	dst := g.newGroups(levels, distinct)
	c := -1
	for j, k := range keys {
		if j == 0 || k != keys[j-1] {
			c++
			dst.keys[c], dst.count[c] = key(k), vals[j]
			continue
		}
		dst.count[c] += vals[j]
	}
	return dst
}

// radixSort32 sorts 32-bit keys of the given width with their payloads,
// in as few passes of at most radixDigit bits as the width needs.
func (sc *sortScratch) radixSort32(keys, vals []uint32, width uint) ([]uint32, []uint32) {
	n := len(keys)
	passes := max((width+radixDigit-1)/radixDigit, 1)
	digit := (width + passes - 1) / passes
	dmask := uint32(1)<<digit - 1
	tk := grow(sc.idxTmp, n)
	tv := grow(sc.rowTmp, n)
	sc.idxTmp, sc.rowTmp = tk, tv
	hist := grow(sc.hist, 1<<digit)
	sc.hist = hist
	for sh := uint(0); sh < width; sh += digit {
		radixPass(keys, vals, tk, tv, hist, sh, dmask)
		keys, tk = tk, keys
		vals, tv = tv, vals
	}
	return keys, vals
}

// mapFields writes the keys of src with every changed field mapped, one
// table lookup per changed column.
func (g *grouper) mapFields(src, dst []uint64) {
	sc := &g.sortBuf
	keep := ^uint64(0)
	fields := sc.fields[:0]
	flat := sc.flat64[:0]
	for i, m := range g.mapped {
		if m == nil {
			continue
		}
		keep &^= g.mask[i] << g.shift[i]
		off := len(flat)
		for _, c := range m {
			flat = append(flat, uint64(c)<<g.shift[i])
		}
		fields = append(fields, fieldTable{shift: g.shift[i], mask: g.mask[i], off: off})
	}
	sc.fields, sc.flat64 = fields, flat
	for j, k := range src {
		out := k & keep
		for _, f := range fields {
			out |= flat[f.off+int(k>>f.shift&f.mask)]
		}
		dst[j] = out
	}
}

// rollUpRadixTail sorts the generalised keys and merges equal neighbours.
func (g *grouper) rollUpRadixTail(src *nodeGroups, levels []int, keys []uint64) *nodeGroups {
	sc := &g.sortBuf
	n := src.n
	vals := grow(sc.rows, n)
	sc.rows = vals
	copy(vals, src.count)
	keys, vals = sc.radixSort(keys, vals, g.total)
	return mergeSorted(g, levels, keys, vals, func(k uint64) uint64 { return k })
}

// fieldTable locates one column's lookup table in a flat scratch slice.
type fieldTable struct {
	shift uint
	mask  uint64
	off   int
}

// rollUpDense groups src at levels by counting into a table of the whole
// generalised key space, indexed in mixed radix with the most significant
// field first, so scanning the table yields the classes in key order and
// each class's key is decoded from its index.
func (g *grouper) rollUpDense(src *nodeGroups, levels []int, space int) *nodeGroups {
	sc := &g.sortBuf
	if g.chunkCost(src.levels) < src.n {
		tabs := g.chunkTables(src.levels, levels, true)
		cnt := sc.zeroCounts(space)
		denseChunked(tabs, src.keys, src.count, cnt)
		return g.collectChunked(cnt, tabs, levels)
	}
	fields := sc.fields[:0]
	flat := sc.flat32[:0]
	place := uint32(1)
	for r := len(g.ranks) - 1; r >= 0; r-- {
		i := g.ranks[r]
		card := uint32(max(g.hs[i].Cardinality(levels[i]), 1))
		if card > 1 {
			// A column generalised to one value adds nothing to the index.
			off := len(flat)
			if m := g.mapped[i]; m != nil {
				for _, c := range m {
					flat = append(flat, c*place)
				}
			} else {
				for c := range uint32(g.hs[i].Cardinality(src.levels[i])) {
					flat = append(flat, c*place)
				}
			}
			fields = append(fields, fieldTable{shift: g.shift[i], mask: g.mask[i], off: off})
		}
		place *= card
	}
	sc.fields, sc.flat32 = fields, flat
	cnt := sc.zeroCounts(space)
	for j, k := range src.keys {
		var x uint32
		for _, f := range fields {
			x += flat[f.off+int(k>>f.shift&f.mask)]
		}
		cnt[x] += src.count[j]
	}
	return g.collectDense(cnt, levels, func(x uint32) uint64 {
		// Decode the mixed-radix index, least significant field first.
		var key uint64
		for r := len(g.ranks) - 1; r >= 0; r-- {
			i := g.ranks[r]
			card := uint32(max(g.hs[i].Cardinality(levels[i]), 1))
			key |= uint64(x%card) << g.shift[i]
			x /= card
		}
		return key
	})
}

// zeroCounts returns a zeroed table of n counts. The table is kept zeroed
// between uses (collecting clears what it reads), so only growing it
// costs a clear.
func (sc *sortScratch) zeroCounts(n int) []uint32 {
	if cap(sc.counts) < n {
		sc.counts = make([]uint32, n, n+n/4)
	}
	return sc.counts[:n]
}

// collectDense turns the counts of a dense table into classes in key
// order, zeroing the table; decode gives the key of an index.
func (g *grouper) collectDense(cnt []uint32, levels []int, decode func(uint32) uint64) *nodeGroups {
	sc := &g.sortBuf
	k, c := sc.collectBufs(len(cnt))
	n := 0
	for x, v := range cnt {
		if v != 0 {
			k[n], c[n] = decode(uint32(x)), v
			cnt[x] = 0
			n++
		}
	}
	return g.groupsOf(levels, k[:n], c[:n])
}

// collectChunked is collectDense for a table indexed through chunk tables:
// it walks the table one least significant digit row at a time, so keys
// are put together from the inverse tables without dividing.
func (g *grouper) collectChunked(cnt []uint32, tabs []chunkTable, levels []int) *nodeGroups {
	sc := &g.sortBuf
	k, c := sc.collectBufs(len(cnt))
	t0 := tabs[0]
	card0 := int(t0.card)
	var digits [64]uint32
	n := 0
	for base := 0; base < len(cnt); base += card0 {
		var hi uint64
		for ci := 1; ci < len(tabs); ci++ {
			hi |= tabs[ci].inv[digits[ci]]
		}
		row := cnt[base : base+card0]
		for d, v := range row {
			if v != 0 {
				k[n], c[n] = hi|t0.inv[d], v
				row[d] = 0
				n++
			}
		}
		for ci := 1; ci < len(tabs); ci++ {
			if digits[ci]++; digits[ci] < tabs[ci].card {
				break
			}
			digits[ci] = 0
		}
	}
	return g.groupsOf(levels, k[:n], c[:n])
}

// collectBufs returns scratch for up to n classes.
func (sc *sortScratch) collectBufs(n int) ([]uint64, []uint32) {
	sc.ka, sc.ca = grow(sc.ka, n), grow(sc.ca, n)
	return sc.ka, sc.ca
}

// groupsOf copies classes collected in scratch into groups of exactly their
// size: groups are cached, and an oversized buffer per node costs more in
// allocation and collection than the copy.
func (g *grouper) groupsOf(levels []int, keys []uint64, count []uint32) *nodeGroups {
	dst := g.newGroups(levels, len(keys))
	copy(dst.keys, keys)
	copy(dst.count, count)
	return dst
}

// rollOne maps the field of column i of the sorted keys inK through m and
// writes the merged, sorted classes to outK/outC, returning their number.
func (g *grouper) rollOne(inK []uint64, inC []uint32, outK []uint64, outC []uint32, i int, m []uint32) int {
	sh, fm := g.shift[i], g.mask[i]
	clr := ^(fm << sh)
	n := 0
	if sh == 0 {
		// Least significant field: equal keys are adjacent.
		for j, k := range inK {
			nk := k&clr | uint64(m[k&fm])
			if n > 0 && outK[n-1] == nk {
				outC[n-1] += inC[j]
				continue
			}
			outK[n], outC[n] = nk, inC[j]
			n++
		}
		return n
	}
	hiShift := sh + g.width[i]
	sc := &g.sortBuf
	for j := 0; j < len(inK); {
		// A segment: equal fields above column i, and equal mapped code.
		// It consists of one sorted run per original code.
		k := inK[j]
		hi := k >> hiShift
		c := k >> sh & fm
		mc := m[c]
		add := uint64(mc) << sh
		start := j
		bounds := append(sc.bounds[:0], 0)
		for j < len(inK) {
			k = inK[j]
			if k>>hiShift != hi {
				break
			}
			c2 := k >> sh & fm
			if c2 != c {
				if m[c2] != mc {
					break
				}
				c = c2
				bounds = append(bounds, j-start)
			}
			j++
		}
		bounds = append(bounds, j-start)
		sc.bounds = bounds
		switch len(bounds) {
		case 2: // one run: already sorted
			for x := start; x < j; x++ {
				outK[n], outC[n] = inK[x]&clr|add, inC[x]
				n++
			}
		case 3: // two runs: merge straight from the input
			x, a1, y := start, start+bounds[1], start+bounds[1]
			for x < a1 && y < j {
				kx, ky := inK[x]&clr|add, inK[y]&clr|add
				switch {
				case kx < ky:
					outK[n], outC[n] = kx, inC[x]
					x++
				case ky < kx:
					outK[n], outC[n] = ky, inC[y]
					y++
				default:
					outK[n], outC[n] = kx, inC[x]+inC[y]
					x++
					y++
				}
				n++
			}
			for ; x < a1; x++ {
				outK[n], outC[n] = inK[x]&clr|add, inC[x]
				n++
			}
			for ; y < j; y++ {
				outK[n], outC[n] = inK[y]&clr|add, inC[y]
				n++
			}
		default:
			for x := start; x < j; x++ {
				outK[n+x-start], outC[n+x-start] = inK[x]&clr|add, inC[x]
			}
			n += sc.mergeRuns(outK[n:n+j-start], outC[n:n+j-start], bounds)
		}
	}
	return n
}

// mergeRuns merges the sorted runs k[bounds[r]:bounds[r+1]], adding the
// counts of equal keys, into k[:n] and returns n. Keys within a run are
// distinct.
func (sc *sortScratch) mergeRuns(k []uint64, c []uint32, bounds []int) int {
	sc.tk, sc.tc = grow(sc.tk, len(k)), grow(sc.tc, len(k))
	srcK, srcC, dstK, dstC := k, c, sc.tk[:len(k)], sc.tc[:len(k)]
	for round := 0; len(bounds) > 2; round++ {
		nb := append(sc.nb[round%2][:0], 0)
		out := 0
		for r := 0; r+1 < len(bounds); r += 2 {
			a0, a1 := bounds[r], bounds[r+1]
			if r+2 >= len(bounds) {
				out += copy(dstK[out:], srcK[a0:a1])
				copy(dstC[out-(a1-a0):], srcC[a0:a1])
				nb = append(nb, out)
				continue
			}
			b0, b1 := a1, bounds[r+2]
			x, y := a0, b0
			for x < a1 && y < b1 {
				kx, ky := srcK[x], srcK[y]
				switch {
				case kx < ky:
					dstK[out], dstC[out] = kx, srcC[x]
					x++
				case ky < kx:
					dstK[out], dstC[out] = ky, srcC[y]
					y++
				default:
					dstK[out], dstC[out] = kx, srcC[x]+srcC[y]
					x++
					y++
				}
				out++
			}
			for ; x < a1; x++ {
				dstK[out], dstC[out] = srcK[x], srcC[x]
				out++
			}
			for ; y < b1; y++ {
				dstK[out], dstC[out] = srcK[y], srcC[y]
				out++
			}
			nb = append(nb, out)
		}
		// The next round reads what this one wrote.
		sc.nb[round%2] = nb
		bounds = nb
		srcK, srcC, dstK, dstC = dstK, dstC, srcK, srcC
	}
	n := bounds[1]
	if &srcK[0] != &k[0] {
		copy(k[:n], srcK[:n])
		copy(c[:n], srcC[:n])
	}
	return n
}
