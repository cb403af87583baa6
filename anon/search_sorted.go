package anon

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
func (g *grouper) fromRowsSorted(levels []int) (*nodeGroups, []uint32) {
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
	rows := grow(sc.rows, n)
	sc.rows = rows
	for j := range rows {
		rows[j] = uint32(j)
	}
	keys, rows = sc.radixSort(keys, rows, g.total)
	parent := grow(g.parent, n)
	g.parent = parent
	classes := 0
	for j, k := range keys {
		if j == 0 || k != keys[j-1] {
			classes++
		}
		parent[rows[j]] = uint32(classes - 1)
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

// radixSort sorts keys (the low bits significant) with their payloads,
// least significant digit first. It returns the sorted slices, which are
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
	tv := grow(sc.rowTmp, n)
	sc.keyTmp, sc.rowTmp = tk, tv
	hist := grow(sc.hist, 1<<radixDigit)[:1<<digit]
	sc.hist = hist[:cap(hist)]
	for sh := uint(0); sh < bits; sh += digit {
		if diff>>sh&dmask == 0 {
			continue
		}
		clear(hist)
		for _, k := range keys {
			hist[k>>sh&dmask]++
		}
		var sum uint32
		for d, c := range hist {
			hist[d] = sum
			sum += c
		}
		for j, k := range keys {
			d := k >> sh & dmask
			p := hist[d]
			hist[d]++
			tk[p], tv[p] = k, vals[j]
		}
		keys, tk = tk, keys
		vals, tv = tv, vals
	}
	return keys, vals
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

// rollUpRadix generalises src to levels by mapping every changed field,
// radix-sorting the keys and merging equal neighbours.
func (g *grouper) rollUpRadix(src *nodeGroups, levels []int) *nodeGroups {
	sc := &g.sortBuf
	n := src.n
	keys := grow(sc.keyRows, n)
	sc.keyRows = keys
	clr := ^uint64(0)
	var ch []int
	for i, m := range g.mapped {
		if m != nil {
			clr &^= g.mask[i] << g.shift[i]
			ch = append(ch, i)
		}
	}
	for j, k := range src.keys {
		keys[j] = k & clr
	}
	for _, i := range ch {
		m, sh, mask := g.mapped[i], g.shift[i], g.mask[i]
		for j, k := range src.keys {
			keys[j] |= uint64(m[k>>sh&mask]) << sh
		}
	}
	// When the generalised key space is small, count into a dense table
	// indexed in key order instead of sorting.
	space := 1
	for i := range g.hs {
		space *= max(g.hs[i].Cardinality(levels[i]), 1)
		if space > 2*n+1024 {
			break
		}
	}
	if space <= 2*n+1024 {
		return g.rollUpDense(keys, src.count, levels, space)
	}
	vals := grow(sc.rows, n)
	sc.rows = vals
	copy(vals, src.count)
	keys, vals = sc.radixSort(keys, vals, g.total)
	dst := g.newGroups(levels, n)
	c := -1
	for j, k := range keys {
		if c < 0 || k != dst.keys[c] {
			c++
			dst.keys[c], dst.count[c] = k, vals[j]
			continue
		}
		dst.count[c] += vals[j]
	}
	dst.n = c + 1
	dst.keys, dst.count = dst.keys[:dst.n], dst.count[:dst.n]
	return dst
}

// rollUpDense groups generalised keys by counting into a table of the
// whole key space, indexed in mixed radix with the most significant field
// first, so scanning the table yields the classes in key order.
func (g *grouper) rollUpDense(keys []uint64, count []uint32, levels []int, space int) *nodeGroups {
	sc := &g.sortBuf
	idx := grow(sc.rowTmp, len(keys))
	sc.rowTmp = idx
	clear(idx)
	for _, i := range g.ranks {
		card := uint32(max(g.hs[i].Cardinality(levels[i]), 1))
		sh, mask := g.shift[i], g.mask[i]
		for j, k := range keys {
			idx[j] = idx[j]*card + uint32(k>>sh&mask)
		}
	}
	cnt := grow(sc.hist, space)
	sc.hist = cnt
	clear(cnt)
	at := grow(sc.keyTmp, space)
	sc.keyTmp = at
	classes := 0
	for j, x := range idx {
		if cnt[x] == 0 {
			classes++
			at[x] = keys[j]
		}
		cnt[x] += count[j]
	}
	dst := g.newGroups(levels, classes)
	c := 0
	for x, v := range cnt {
		if v != 0 {
			dst.keys[c], dst.count[c] = at[x], v
			c++
		}
	}
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
