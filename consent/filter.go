package consent

import (
	"hash/maphash"
	"math/bits"
	"slices"
)

// Filter keeps the rows of subjects whose data may not be used for a
// purpose (never given, withdrawn or expired) out of that use. It is built
// from the store's withheld set for one dataset and purpose at one moment.
type Filter struct {
	withheld map[string]struct{}
	// fingerprints is an open-addressing table of 64-bit hashes of the
	// withheld keys: compact enough to stay in cache, so the common case (a
	// key that is not withheld) costs one hash and a probe or two instead of
	// a walk through the map's larger memory. Zero marks an empty slot.
	fingerprints []uint64
	seed         maphash.Seed
}

// NewFilter returns a filter excluding the given subject keys.
func NewFilter(withheld []string) *Filter {
	f := &Filter{withheld: make(map[string]struct{}, len(withheld)), seed: maphash.MakeSeed()}
	for _, k := range withheld {
		f.withheld[k] = struct{}{}
	}
	size := 1
	for size < 2*len(f.withheld) {
		size <<= 1
	}
	f.fingerprints = make([]uint64, size)
	for k := range f.withheld {
		h := f.hash(k)
		for i := h & uint64(size-1); ; i = (i + 1) & uint64(size-1) {
			if f.fingerprints[i] == 0 {
				f.fingerprints[i] = h
				break
			}
		}
	}
	return f
}

func (f *Filter) hash(key string) uint64 {
	h := maphash.String(f.seed, key)
	if h == 0 {
		h = 1 // zero marks an empty slot
	}
	return h
}

// Withheld reports whether key's rows are excluded.
func (f *Filter) Withheld(key string) bool {
	if len(f.withheld) == 0 {
		return false
	}
	h := f.hash(key)
	mask := uint64(len(f.fingerprints) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch f.fingerprints[i] {
		case 0:
			return false
		case h:
			// Same fingerprint: confirm, since two keys may share one.
			if _, ok := f.withheld[key]; ok {
				return true
			}
		}
	}
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
