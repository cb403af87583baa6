package consent

import (
	"hash/maphash"
	"maps"
	"math/bits"
	"slices"
)

// Filter keeps the rows of subjects whose data may not be used for a
// purpose (never given, withdrawn or expired) out of that use. It is built
// from the store's withheld set for one dataset and purpose at one moment.
type Filter struct {
	withheld map[string]struct{}
	// bloom is a blocked Bloom filter of the withheld keys: one 64-bit word
	// per key, four bits set in it. On the load path a lookup sits between
	// the decoding of one row and the next, which evicts what it touched, so
	// its cost is mostly cache misses: the table of full 64-bit hashes this
	// replaced (512 KB for 20,000 keys) cost about 150 ns a row there, this
	// one (16 bits a key: 40 KB) about 80 ns, one word a lookup. The keys it
	// lets through (the withheld ones and about 0.5% of the others) are
	// confirmed in the map. The load path looks rows up in batches
	// (AppendWithheld), and only once per consent change.
	bloom []uint64
	seed  maphash.Seed
}

// bloomBitsPerKey sizes the Bloom filter: at 16 bits a key and four bits
// set per key, about 0.5% of keys that are not withheld need the map.
const bloomBitsPerKey = 16

// NewFilter returns a filter excluding the given subject keys.
func NewFilter(withheld []string) *Filter {
	f := &Filter{withheld: make(map[string]struct{}, len(withheld)), seed: maphash.MakeSeed()}
	for _, k := range withheld {
		f.withheld[k] = struct{}{}
	}
	f.fillBloom()
	return f
}

// Update returns a filter that also withholds the keys in withhold and no
// longer withholds those in release. The filter itself is left as it was:
// loads running on it keep one consistent view.
func (f *Filter) Update(withhold, release []string) *Filter {
	g := &Filter{withheld: maps.Clone(f.withheld), seed: f.seed}
	if g.withheld == nil {
		g.withheld = map[string]struct{}{}
	}
	for _, k := range release {
		delete(g.withheld, k)
	}
	for _, k := range withhold {
		g.withheld[k] = struct{}{}
	}
	g.fillBloom()
	return g
}

func (f *Filter) fillBloom() {
	f.bloom = make([]uint64, max(1, (len(f.withheld)*bloomBitsPerKey+63)/64))
	for k := range f.withheld {
		h := maphash.String(f.seed, k)
		f.bloom[f.bloomWord(h)] |= bloomBits(h)
	}
}

// bloomWord picks a key's word from the high half of its hash, by
// multiplication rather than a modulo: the table need not be a power of two.
func (f *Filter) bloomWord(h uint64) uint64 {
	return (h >> 32) * uint64(len(f.bloom)) >> 32
}

// bloomBits picks a key's four bits from the low half of its hash.
func bloomBits(h uint64) uint64 {
	return 1<<(h&63) | 1<<(h>>6&63) | 1<<(h>>12&63) | 1<<(h>>18&63)
}

// Withheld reports whether key's rows are excluded.
func (f *Filter) Withheld(key string) bool {
	if len(f.withheld) == 0 {
		return false
	}
	h := maphash.String(f.seed, key)
	if b := bloomBits(h); f.bloom[f.bloomWord(h)]&b != b {
		return false
	}
	_, ok := f.withheld[key]
	return ok
}

// AppendWithheld appends to dst the positions in keys of the withheld
// keys, ascending. A batch costs less than a Withheld call per key between
// other work: the probes do not depend on one another, so the processor
// overlaps their cache misses instead of waiting for each in turn.
func (f *Filter) AppendWithheld(dst []uint32, keys []string) []uint32 {
	if len(f.withheld) == 0 {
		return dst
	}
	start := len(dst)
	for i, k := range keys {
		h := maphash.String(f.seed, k)
		if b := bloomBits(h); f.bloom[f.bloomWord(h)]&b == b {
			dst = append(dst, uint32(i))
		}
	}
	kept := start
	for _, i := range dst[start:] {
		if _, ok := f.withheld[keys[i]]; ok {
			dst[kept] = i
			kept++
		}
	}
	return dst[:kept]
}

// Len is the number of withheld subjects.
func (f *Filter) Len() int { return len(f.withheld) }

// Mask is one bit per row, set for rows that are kept.
type Mask struct {
	words []uint64
	n     int
}

func fullMask(n int) Mask {
	m := Mask{words: make([]uint64, (n+63)/64), n: n}
	for i := range m.words {
		m.words[i] = ^uint64(0)
	}
	if r := n % 64; r != 0 {
		m.words[len(m.words)-1] = 1<<r - 1
	}
	return m
}

func (m *Mask) drop(i int) { m.words[i>>6] &^= 1 << (i & 63) }

// Len is the number of rows the mask covers.
func (m Mask) Len() int { return m.n }

// Keep reports whether row i is kept.
func (m Mask) Keep(i int) bool { return m.words[i>>6]&(1<<(i&63)) != 0 }

// Count is the number of kept rows.
func (m Mask) Count() int {
	n := 0
	for _, w := range m.words {
		n += bits.OnesCount64(w)
	}
	return n
}

// Kept returns the indexes of the kept rows, ascending.
func (m Mask) Kept() []int {
	out := make([]int, 0, m.Count())
	m.Runs(func(start, end int) {
		for i := start; i < end; i++ {
			out = append(out, i)
		}
	})
	return out
}

// Runs calls fn with each maximal run [start, end) of kept rows, in order.
// An aggregate keeps its tight loop inside a run, so a mask that excludes
// few rows costs it almost nothing: whole 64-row words are skipped or taken
// at once.
func (m Mask) Runs(fn func(start, end int)) {
	start := -1
	for wi, w := range m.words {
		base := wi << 6
		switch w {
		case ^uint64(0):
			if start < 0 {
				start = base
			}
			continue
		case 0:
			if start >= 0 {
				fn(start, base)
				start = -1
			}
			continue
		}
		for b := 0; b < 64; {
			if start < 0 {
				rest := w >> b // find the next kept row
				if rest == 0 {
					break
				}
				b += bits.TrailingZeros64(rest)
				start = base + b
			} else {
				rest := ^w >> b // find the next dropped row
				if rest == 0 {
					break // the run goes on into the next word
				}
				b += bits.TrailingZeros64(rest)
				fn(start, base+b)
				start = -1
			}
		}
	}
	if start >= 0 {
		fn(start, m.n)
	}
}

// MaskStrings scans a subject column of plain strings.
func (f *Filter) MaskStrings(values []string) Mask {
	m := fullMask(len(values))
	if len(f.withheld) == 0 {
		return m
	}
	for i, v := range values {
		if _, ok := f.withheld[v]; ok {
			m.drop(i)
		}
	}
	return m
}

// withheldCodes marks, per dictionary code, whether its subject is withheld.
func (f *Filter) withheldCodes(dict []string) (marks []uint64, any bool) {
	marks = make([]uint64, (len(dict)+63)/64)
	if len(f.withheld) == 0 {
		return marks, false
	}
	// Look up the smaller side: usually the withheld set.
	if len(f.withheld) < len(dict) {
		pos := make(map[string]uint32, len(f.withheld))
		for k := range f.withheld {
			pos[k] = 0
		}
		for c, v := range dict {
			if _, ok := pos[v]; ok {
				marks[c>>6] |= 1 << (c & 63)
				any = true
			}
		}
		return marks, any
	}
	for c, v := range dict {
		if _, ok := f.withheld[v]; ok {
			marks[c>>6] |= 1 << (c & 63)
			any = true
		}
	}
	return marks, any
}

// MaskCodes scans a dictionary-encoded subject column: each distinct key is
// looked up once, then each row costs one bit test.
func (f *Filter) MaskCodes(codes []uint32, dict []string) Mask {
	m := fullMask(len(codes))
	marks, any := f.withheldCodes(dict)
	if !any {
		return m
	}
	for i, c := range codes {
		if marks[c>>6]&(1<<(c&63)) != 0 {
			m.drop(i)
		}
	}
	return m
}

// SubjectIndex lists, per dictionary code, the rows holding it (CSR
// layout). Built once when a dataset is loaded, it lets a filter touch only
// the rows of withheld subjects instead of scanning the whole column.
type SubjectIndex struct {
	dict    []string
	code    map[string]uint32
	offsets []uint32 // rows of code c are rows[offsets[c]:offsets[c+1]]
	rows    []uint32
	n       int
}

// NewSubjectIndex indexes a dictionary-encoded subject column.
func NewSubjectIndex(codes []uint32, dict []string) *SubjectIndex {
	ix := &SubjectIndex{dict: dict, code: make(map[string]uint32, len(dict)),
		offsets: make([]uint32, len(dict)+1), rows: make([]uint32, len(codes)), n: len(codes)}
	for c, v := range dict {
		ix.code[v] = uint32(c)
	}
	for _, c := range codes {
		ix.offsets[c+1]++
	}
	for c := 1; c < len(ix.offsets); c++ {
		ix.offsets[c] += ix.offsets[c-1]
	}
	next := make([]uint32, len(dict))
	copy(next, ix.offsets[:len(dict)])
	for i, c := range codes {
		ix.rows[next[c]] = uint32(i)
		next[c]++
	}
	return ix
}

// IndexedFilter is a filter resolved against one indexed column: the rows
// to drop are known, so each use only builds the mask. A query engine keeps
// one per dataset and purpose until the next consent change.
type IndexedFilter struct {
	n       int
	dropped []uint32
	// blocks[b] is where block b's rows start in dropped: worked out once
	// here, so a query walks the dropped rows once, not twice.
	blocks []uint32
}

// ForIndex resolves the withheld keys against ix. Its cost grows with the
// withheld subjects and their rows, not with the table.
func (f *Filter) ForIndex(ix *SubjectIndex) *IndexedFilter {
	p := &IndexedFilter{n: ix.n}
	for k := range f.withheld {
		if c, ok := ix.code[k]; ok {
			p.dropped = append(p.dropped, ix.rows[ix.offsets[c]:ix.offsets[c+1]]...)
		}
	}
	// In row order, so whoever walks them reads the table front to back.
	slices.Sort(p.dropped)
	p.blocks = make([]uint32, (p.n+BlockRows-1)/BlockRows+1)
	k := 0
	for b := range p.blocks {
		for k < len(p.dropped) && int(p.dropped[k]) < b*BlockRows {
			k++
		}
		p.blocks[b] = uint32(k)
	}
	return p
}

// Dropped is the number of rows the filter excludes.
func (p *IndexedFilter) Dropped() int { return len(p.dropped) }

// DroppedRows lists the excluded rows in ascending order.
// Decomposable aggregates (COUNT, SUM, MEAN, sums of squares, also per
// group) are computed fastest as the total minus these rows: the filter then
// costs in proportion to the withheld rows, not the table. Do not modify
// the slice.
func (p *IndexedFilter) DroppedRows() []uint32 { return p.dropped }

// BlockRows is how many rows Blocks hands over at a time: 32 KB of 8-byte
// values, so a block is still in the first-level cache when its excluded
// rows are read back.
const BlockRows = 4096

// Blocks calls fn with consecutive blocks [start, end) of at most
// BlockRows rows that together cover the table, in order, each with the
// excluded rows it holds (ascending; do not modify). A decomposable
// aggregate (COUNT, SUM, MEAN, sums of squares, also per group) is fastest
// computed per block as the block's total minus its excluded rows: the
// scan then stays one tight loop and the excluded values are read while
// still in cache, where breaking the scan into runs at every excluded row
// (Mask.Runs) or subtracting them after the scan (DroppedRows) reads them
// back from memory.
func (p *IndexedFilter) Blocks(fn func(start, end int, dropped []uint32)) {
	for b := 0; b+1 < len(p.blocks); b++ {
		lo, hi := p.blocks[b], p.blocks[b+1]
		fn(b*BlockRows, min((b+1)*BlockRows, p.n), p.dropped[lo:hi:hi])
	}
}

// Mask returns the kept-rows mask: one bit per row, then one clear per
// dropped row.
func (p *IndexedFilter) Mask() Mask {
	m := fullMask(p.n)
	for _, r := range p.dropped {
		m.words[r>>6] &^= 1 << (r & 63)
	}
	return m
}

// MaskIndexed resolves the filter against ix and builds the mask.
func (f *Filter) MaskIndexed(ix *SubjectIndex) Mask { return f.ForIndex(ix).Mask() }
