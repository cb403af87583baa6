package consent

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// The benchmark data: 10 M rows of a survey-like table, 1 M distinct
// subjects with skewed row counts (some people answer many times), an
// integer measure, and 2 % of subjects withheld for the purpose.
const (
	benchRows     = 10_000_000
	benchSubjects = 1_000_000
)

type benchTable struct {
	codes    []uint32
	dict     []string
	values   []int64
	withheld []string
}

var benchOnce = sync.OnceValue(func() *benchTable {
	rng := rand.New(rand.NewPCG(42, 7))
	bt := &benchTable{codes: make([]uint32, benchRows), dict: make([]string, benchSubjects), values: make([]int64, benchRows)}
	for i := range bt.dict {
		bt.dict[i] = fmt.Sprintf("subj-%07d", i)
	}
	z := rand.NewZipf(rng, 1.1, 10, benchSubjects-1)
	for i := range bt.codes {
		bt.codes[i] = uint32(z.Uint64())
		bt.values[i] = int64(rng.IntN(100))
	}
	for i := 0; i < benchSubjects; i += 50 {
		bt.withheld = append(bt.withheld, bt.dict[rng.IntN(benchSubjects)])
	}
	return bt
})

// sum is the simple aggregate the filter is measured against: COUNT and
// SUM of a column over rows [start, end).
func sum(v []int64, start, end int) (int64, int) {
	var s0, s1, s2, s3 int64
	i := start
	for ; i+4 <= end; i += 4 {
		s0 += v[i]
		s1 += v[i+1]
		s2 += v[i+2]
		s3 += v[i+3]
	}
	for ; i < end; i++ {
		s0 += v[i]
	}
	return s0 + s1 + s2 + s3, end - start
}

func sumMasked(m Mask, v []int64) (int64, int) {
	var s int64
	var n int
	m.Runs(func(start, end int) {
		x, k := sum(v, start, end)
		s += x
		n += k
	})
	return s, n
}

var sink int64

// BenchmarkFilterOverhead10M alternates the plain aggregate (COUNT and SUM
// over 10 M rows) with the filtered ones and reports time ratios:
// subtract: total minus the withheld rows (filter resolved once per consent
// change); resolve+subtract: the same, resolving the filter every query;
// mask: a kept-rows mask and the aggregate over its runs; scan: the same
// mask built by scanning the dictionary codes without an index. Alternating makes the ratio fair
// on a machine shared with other work, where absolute times drift.
func BenchmarkFilterOverhead10M(b *testing.B) {
	bt := benchOnce()
	f := NewFilter(bt.withheld)
	ix := NewSubjectIndex(bt.codes, bt.dict)
	var plain, subtract, filtered, resolve, scan time.Duration
	var dropped int
	b.ResetTimer()
	for b.Loop() {
		t := time.Now()
		s, n := sum(bt.values, 0, len(bt.values))
		plain += time.Since(t)
		sink += s + int64(n)

		t = time.Now()
		p := f.ForIndex(ix)
		resolve += time.Since(t)
		dropped = p.Dropped()

		t = time.Now()
		s, n = sum(bt.values, 0, len(bt.values))
		for _, r := range p.DroppedRows() {
			s -= bt.values[r]
		}
		n -= p.Dropped()
		subtract += time.Since(t)
		sink += s + int64(n)

		t = time.Now()
		s, n = sumMasked(p.Mask(), bt.values)
		filtered += time.Since(t)
		sink += s + int64(n)

		t = time.Now()
		s, n = sumMasked(f.MaskCodes(bt.codes, bt.dict), bt.values)
		scan += time.Since(t)
		sink += s + int64(n)
	}
	b.ReportMetric(float64(plain.Nanoseconds())/float64(b.N)/1e6, "plain-ms")
	b.ReportMetric(float64(subtract)/float64(plain), "subtract/plain")
	b.ReportMetric(float64(subtract+resolve)/float64(plain), "resolve+subtract/plain")
	b.ReportMetric(float64(filtered)/float64(plain), "mask/plain")
	b.ReportMetric(float64(scan)/float64(plain), "scan/plain")
	b.ReportMetric(100*float64(dropped)/benchRows, "%rows-dropped")
}

// BenchmarkSubjectIndex10M is the one-off cost of indexing the subject
// column when a dataset is loaded.
func BenchmarkSubjectIndex10M(b *testing.B) {
	bt := benchOnce()
	b.ResetTimer()
	for b.Loop() {
		ix := NewSubjectIndex(bt.codes, bt.dict)
		sink += int64(len(ix.rows))
	}
}
