package anon

import (
	"math"
	"math/bits"
)

// Chunked lookups: a roll-up that changes many columns must rewrite every
// field of every source key. Looking fields up one by one costs a load, a
// shift and a mask per column, which dominates the search on Adult-sized
// data (nine columns, thousands of source classes per roll-up). Adjacent
// fields are therefore read in chunks of up to chunkBits bits, one table
// lookup per chunk. A chunk's table is filled for the combinations of codes
// that can occur at the source levels only, so building it costs the
// product of those cardinalities, and it is used only when that is less
// than the number of source keys.

// chunkBits is the widest run of adjacent key fields read in one lookup:
// 2^12 four-byte entries stay in the first-level cache.
const chunkBits = 12

// keyChunk is a run of adjacent key fields.
type keyChunk struct {
	shift uint   // of the least significant field
	mask  uint64 // over the run, after shifting
	cols  []int  // columns, least significant field first
}

// chunkTable is one chunk's lookup for one roll-up.
type chunkTable struct {
	shift uint
	mask  uint64
	dense []uint32 // key bits -> the chunk's digit of the dense index
	keys  []uint64 // key bits -> generalised key bits (radix path)
	inv   []uint64 // digit -> generalised key bits
	place uint32   // place value of the chunk in the dense index
	recip uint64   // ⌊2^64 / place⌋ + 1, for dividing by place (> 1)
	card  uint32   // number of dense values of the chunk
}

// makeChunks groups the key fields into chunks, least significant first.
func (g *grouper) makeChunks() {
	g.chunks = nil
	var cur *keyChunk
	for r := len(g.ranks) - 1; r >= 0; r-- {
		i := g.ranks[r]
		if g.width[i] == 0 {
			continue
		}
		if cur == nil || g.shift[i]+g.width[i]-cur.shift > chunkBits {
			g.chunks = append(g.chunks, keyChunk{shift: g.shift[i]})
			cur = &g.chunks[len(g.chunks)-1]
		}
		cur.cols = append(cur.cols, i)
		cur.mask = 1<<(g.shift[i]+g.width[i]-cur.shift) - 1
	}
}

// chunkCost is the number of table entries filling the chunk tables for a
// roll-up from src levels takes.
func (g *grouper) chunkCost(from []int) int {
	total := 0
	for _, ch := range g.chunks {
		n := 1
		for _, i := range ch.cols {
			n *= max(g.hs[i].Cardinality(from[i]), 1)
		}
		total += n
	}
	return total
}

// chunkTables returns the lookup tables of a roll-up from levels from to
// levels to (g.mapped holds the code maps; nil for an unchanged column).
// With dense set they hold each chunk's digit of the dense index, whose
// place value grows with the chunk's significance (so the dense order is
// key order), and the inverse; otherwise the generalised key bits. Dense tables are cached:
// the search rolls up between the same pairs of levels of a chunk's
// columns again and again.
func (g *grouper) chunkTables(from, to []int, dense bool) []chunkTable {
	sc := &g.sortBuf
	tabs := sc.chunkTabs[:0]
	place := uint32(1)
	for ci, ch := range g.chunks {
		t := chunkTable{shift: ch.shift, mask: ch.mask, place: place, card: 1}
		for _, i := range ch.cols {
			t.card *= uint32(max(g.hs[i].Cardinality(to[i]), 1))
		}
		if !dense {
			if ci >= len(sc.chunkKeys) {
				sc.chunkKeys = append(sc.chunkKeys, nil)
			}
			sc.chunkKeys[ci] = grow(sc.chunkKeys[ci], int(ch.mask)+1)
			t.keys = sc.chunkKeys[ci]
			g.fillChunk(&t, ch, from, to)
		} else if key, ok := chunkCacheKey(ci, ch, from, to); !ok {
			t.dense, t.inv = make([]uint32, g.chunkSpan(ch, from)), make([]uint64, t.card)
			g.fillChunk(&t, ch, from, to)
		} else if c, hit := sc.chunkCache[key]; hit {
			t.dense, t.inv = c.dense, c.inv
		} else {
			t.dense, t.inv = make([]uint32, g.chunkSpan(ch, from)), make([]uint64, t.card)
			g.fillChunk(&t, ch, from, to)
			if len(sc.chunkCache) >= chunkCacheSize {
				clear(sc.chunkCache)
			}
			if sc.chunkCache == nil {
				sc.chunkCache = map[chunkKey]chunkTable{}
			}
			sc.chunkCache[key] = t
		}
		t.place, t.recip = place, math.MaxUint64/uint64(place)+1
		tabs = append(tabs, t)
		place *= t.card
	}
	sc.chunkTabs = tabs
	return tabs
}

// chunkSpan is the size of a chunk's table for keys at levels from: one
// past the largest value its bits take, which is far below 2^width once
// the chunk's columns are generalised.
func (g *grouper) chunkSpan(ch keyChunk, from []int) int {
	top := 0
	for _, i := range ch.cols {
		top |= (max(g.hs[i].Cardinality(from[i]), 1) - 1) << (g.shift[i] - ch.shift)
	}
	return top + 1
}

// chunkCacheSize bounds the cached dense tables (at most 16 KiB each).
const chunkCacheSize = 512

// chunkKey identifies a chunk's dense table: the levels of its columns
// before and after, four bits each.
type chunkKey struct {
	chunk    int
	from, to uint64
}

func chunkCacheKey(ci int, ch keyChunk, from, to []int) (chunkKey, bool) {
	k := chunkKey{chunk: ci}
	if len(ch.cols) > 16 {
		return k, false
	}
	for j, i := range ch.cols {
		if from[i] > 15 || to[i] > 15 {
			return k, false
		}
		k.from |= uint64(from[i]) << (4 * j)
		k.to |= uint64(to[i]) << (4 * j)
	}
	return k, true
}

// fillChunk enumerates the code combinations of the chunk's columns at the
// source levels, like an odometer, least significant field fastest.
func (g *grouper) fillChunk(t *chunkTable, ch keyChunk, from, to []int) {
	n := len(ch.cols)
	var codes, cards, local [16]uint32
	if n > len(codes) {
		panic("anon: more than 16 fields in a key chunk")
	}
	mul := uint32(1)
	for j, i := range ch.cols {
		cards[j] = uint32(max(g.hs[i].Cardinality(from[i]), 1))
		local[j] = mul
		mul *= uint32(max(g.hs[i].Cardinality(to[i]), 1))
	}
	for {
		var bitsIn, key uint64
		var idx uint32
		for j, i := range ch.cols {
			c := codes[j]
			mc := c
			if m := g.mapped[i]; m != nil {
				mc = m[c]
			}
			bitsIn |= uint64(c) << (g.shift[i] - ch.shift)
			key |= uint64(mc) << g.shift[i]
			idx += mc * local[j]
		}
		if t.dense != nil {
			t.dense[bitsIn] = idx
			t.inv[idx] = key
		} else {
			t.keys[bitsIn] = key
		}
		j := 0
		for ; j < n; j++ {
			codes[j]++
			if codes[j] < cards[j] {
				break
			}
			codes[j] = 0
		}
		if j == n {
			return
		}
	}
}

// denseChunked counts src into cnt through the chunk tables.
func denseChunked(tabs []chunkTable, keys []uint64, count, cnt []uint32) {
	switch len(tabs) {
	case 3:
		t0, t1, t2 := tabs[0], tabs[1], tabs[2]
		for j, k := range keys {
			x := t0.dense[k>>t0.shift&t0.mask] + t1.dense[k>>t1.shift&t1.mask]*t1.place + t2.dense[k>>t2.shift&t2.mask]*t2.place
			cnt[x] += count[j]
		}
	case 4:
		t0, t1, t2, t3 := tabs[0], tabs[1], tabs[2], tabs[3]
		for j, k := range keys {
			x := t0.dense[k>>t0.shift&t0.mask] + t1.dense[k>>t1.shift&t1.mask]*t1.place + t2.dense[k>>t2.shift&t2.mask]*t2.place + t3.dense[k>>t3.shift&t3.mask]*t3.place
			cnt[x] += count[j]
		}
	default:
		for j, k := range keys {
			cnt[chunkIndex(tabs, k)] += count[j]
		}
	}
}

// chunkIndex is the dense index of key k, for any number of chunks.
func chunkIndex(tabs []chunkTable, k uint64) uint32 {
	var x uint32
	for c := range tabs {
		t := &tabs[c]
		x += t.dense[k>>t.shift&t.mask] * t.place
	}
	return x
}

// denseIndex writes the dense index of every key through the chunk tables.
func denseIndex(tabs []chunkTable, keys []uint64, idx []uint32) {
	switch len(tabs) {
	case 3:
		t0, t1, t2 := tabs[0], tabs[1], tabs[2]
		for j, k := range keys {
			idx[j] = t0.dense[k>>t0.shift&t0.mask] + t1.dense[k>>t1.shift&t1.mask]*t1.place + t2.dense[k>>t2.shift&t2.mask]*t2.place
		}
	default:
		for j, k := range keys {
			idx[j] = chunkIndex(tabs, k)
		}
	}
}

// keysChunked writes the generalised keys of src through the chunk tables.
func keysChunked(tabs []chunkTable, src, dst []uint64) {
	switch len(tabs) {
	case 3:
		t0, t1, t2 := tabs[0], tabs[1], tabs[2]
		for j, k := range src {
			dst[j] = t0.keys[k>>t0.shift&t0.mask] | t1.keys[k>>t1.shift&t1.mask] | t2.keys[k>>t2.shift&t2.mask]
		}
	default:
		for j, k := range src {
			var out uint64
			for c := range tabs {
				t := &tabs[c]
				out |= t.keys[k>>t.shift&t.mask]
			}
			dst[j] = out
		}
	}
}

// decodeDense returns the generalised key of dense index x. The division
// by each place value is a multiplication by its precomputed reciprocal
// (exact for 32-bit dividends: Lemire, Kaser and Kurz 2019).
func decodeDense(tabs []chunkTable, x uint32) uint64 {
	var key uint64
	for c := len(tabs) - 1; c > 0; c-- {
		t := &tabs[c]
		d := uint64(x) // place 1: every less significant chunk is constant
		if t.place > 1 {
			d, _ = bits.Mul64(t.recip, uint64(x))
		}
		x -= uint32(d) * t.place
		key |= t.inv[d]
	}
	return key | tabs[0].inv[x]
}
