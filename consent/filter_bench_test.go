package consent

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// The benchmark data: a survey-like table of n rows, n/10 distinct
// subjects with skewed row counts (some people answer many times), an
// integer measure, and 2 % of subjects withheld for the purpose.
const benchRows = 10_000_000

type benchTable struct {
	codes    []uint32
	dict     []string
	values   []int64
	withheld []string
}

var (
	benchMu     sync.Mutex
	benchTables = map[int]*benchTable{}
)

func benchData(rows int) *benchTable {
	benchMu.Lock()
	defer benchMu.Unlock()
	if bt := benchTables[rows]; bt != nil {
		return bt
	}
	subjects := max(rows/10, 1)
	rng := rand.New(rand.NewPCG(42, 7))
	bt := &benchTable{codes: make([]uint32, rows), dict: make([]string, subjects), values: make([]int64, rows)}
	for i := range bt.dict {
		bt.dict[i] = fmt.Sprintf("subj-%07d", i)
	}
	z := rand.NewZipf(rng, 1.1, 10, uint64(subjects-1))
	for i := range bt.codes {
		bt.codes[i] = uint32(z.Uint64())
		bt.values[i] = int64(rng.IntN(100))
	}
	for i := 0; i < subjects; i += 50 {
		bt.withheld = append(bt.withheld, bt.dict[rng.IntN(subjects)])
	}
	benchTables[rows] = bt
	return bt
}

// sum is the simple aggregate the filter is measured against: the SUM of
// a column, four-way unrolled. It is kept out of line, as a query engine's
// compiled kernel would be; inlined into a caller with more live
// variables, Go spills the accumulators to the stack and the kernel's own
// speed, not the filter, decides the comparison.
//
//go:noinline
func sum(v []int64) int64 {
	var s0, s1, s2, s3 int64
	for len(v) >= 4 {
		s0 += v[0]
		s1 += v[1]
		s2 += v[2]
		s3 += v[3]
		v = v[4:]
	}
	for _, x := range v {
		s0 += x
	}
	return s0 + s1 + s2 + s3
}

// sumBlocks is COUNT and SUM over the kept rows: each block whole, minus
// its excluded rows.
func sumBlocks(p *IndexedFilter, v []int64) (s int64, n int) {
	p.Blocks(func(start, end int, dropped []uint32) {
		x := sum(v[start:end])
		for _, r := range dropped {
			x -= v[r]
		}
		s += x
		n += end - start - len(dropped)
	})
	return s, n
}

// sumRuns is the same over the runs of a kept-rows mask.
func sumRuns(m Mask, v []int64) (s int64, n int) {
	m.Runs(func(start, end int) {
		s += sum(v[start:end])
		n += end - start
	})
	return s, n
}

// sumMinus is the same as the total minus the excluded rows afterwards.
func sumMinus(p *IndexedFilter, v []int64) (s int64, n int) {
	s = sum(v)
	for _, r := range p.DroppedRows() {
		s -= v[r]
	}
	return s, len(v) - p.Dropped()
}

var sink int64

// BenchmarkFilterOverhead10M compares COUNT and SUM of a column over all
// rows (plain) with the same over the rows a consent filter keeps:
//
//   - blocks: per block of rows, the block's total minus its excluded rows
//     (IndexedFilter.Blocks), the filter resolved once per consent change;
//   - mask: a kept-rows mask, the aggregate over its runs;
//   - minus: the whole total, then minus the excluded rows;
//   - resolve+blocks: blocks, resolving the filter against the subject
//     index on every query;
//   - scan: a mask built by scanning the dictionary codes, no index.
//
// Every iteration runs plain, a variant, plain again, for each variant in
// turn; the reported ratio is the median over iterations of the variant's
// time over the mean of the two plain runs around it, so that a burst of
// other work on a shared machine moves one ratio, not the figure. Smaller
// tables (10,000 and 1 M rows, a tenth as many subjects) are built the
// same way, each timed section repeated to about 10 M rows of work.
func BenchmarkFilterOverhead10M(b *testing.B) {
	for _, rows := range []int{10_000, 1_000_000, benchRows} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) { benchFilterOverhead(b, rows) })
	}
}

func benchFilterOverhead(b *testing.B, rows int) {
	bt := benchData(rows)
	codes, values := bt.codes, bt.values
	f := NewFilter(bt.withheld)
	ix := NewSubjectIndex(codes, bt.dict)
	p := f.ForIndex(ix)
	reps := max(1, benchRows/rows)
	plain := func() (s int64, n int) { return sum(values), len(values) }
	variants := []struct {
		name string
		run  func() (int64, int)
	}{
		{"blocks", func() (int64, int) { return sumBlocks(p, values) }},
		{"mask", func() (int64, int) { return sumRuns(p.Mask(), values) }},
		{"minus", func() (int64, int) { return sumMinus(p, values) }},
		{"resolve+blocks", func() (int64, int) { return sumBlocks(f.ForIndex(ix), values) }},
		{"scan", func() (int64, int) { return sumRuns(f.MaskCodes(codes, bt.dict), values) }},
	}
	// Every variant must give the brute-force answer.
	var want int64
	wantN := 0
	for i, v := range values {
		if !f.Withheld(bt.dict[codes[i]]) {
			want += v
			wantN++
		}
	}
	for _, v := range variants {
		if s, n := v.run(); s != want || n != wantN {
			b.Fatalf("%s: sum %d count %d, want %d %d", v.name, s, n, want, wantN)
		}
	}
	timed := func(run func() (int64, int)) time.Duration {
		t := time.Now()
		for range reps {
			s, n := run()
			sink += s + int64(n)
		}
		return time.Since(t)
	}
	ratios := make([][]float64, len(variants))
	var plainTotal time.Duration
	for b.Loop() {
		for k, v := range variants {
			before := timed(plain)
			d := timed(v.run)
			after := timed(plain)
			plainTotal += before + after
			ratios[k] = append(ratios[k], 2*float64(d)/float64(before+after))
		}
	}
	for k, v := range variants {
		slices.Sort(ratios[k])
		b.ReportMetric(ratios[k][len(ratios[k])/2], v.name+"/plain")
	}
	b.ReportMetric(float64(plainTotal.Nanoseconds())/float64(2*len(variants)*b.N*reps)/1e6, "plain-ms")
	b.ReportMetric(100*float64(len(values)-wantN)/float64(len(values)), "%rows-dropped")
	b.ReportMetric(float64(4*p.Dropped())/(1<<10), "resolved-filter-KiB")
	b.ReportMetric(float64(4*(len(ix.rows)+len(ix.offsets)))/(1<<20), "index-arrays-MiB")
}

// BenchmarkSubjectIndex10M is the one-off cost of indexing the subject
// column when a dataset is loaded.
func BenchmarkSubjectIndex10M(b *testing.B) {
	bt := benchData(benchRows)
	b.ResetTimer()
	for b.Loop() {
		ix := NewSubjectIndex(bt.codes, bt.dict)
		sink += int64(len(ix.rows))
	}
}
