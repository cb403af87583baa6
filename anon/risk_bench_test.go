package anon_test

import (
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/accord-coalition/accord/anon"
	"github.com/accord-coalition/accord/synth"
)

// adultTable returns a synthetic Adult table, keeping the last one made:
// the benchmarks of one size share it, and tables of sizes a -bench
// pattern skips are never built.
func adultTable(rows int) *anon.Table {
	if lastTable == nil || lastTable.Rows != rows {
		lastTable = nil
		runtime.GC()
		lastTable = synth.Adult(rows, 1)
	}
	return lastTable
}

var lastTable *anon.Table

// benchSizes are the rows of the scaling curve; 10M needs about 1 GB and
// runs only with ACCORD_BENCH_10M=1.
func benchSizes() []int {
	sizes := []int{10_000, 100_000, 1_000_000}
	if os.Getenv("ACCORD_BENCH_10M") != "" {
		sizes = append(sizes, 10_000_000)
	}
	return sizes
}

// BenchmarkAssess measures Assess over the nine Adult quasi-identifiers of
// synthetic Adult tables. The table is built before the timer starts: the
// figure is the assessment of loaded data. peak-MB is the heap in use at
// the end of a run plus what the run allocated, an upper bound of its peak.
func BenchmarkAssess(b *testing.B) {
	for _, rows := range benchSizes() {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			t := adultTable(rows)
			opts := anon.RiskOptions{QuasiIdentifiers: synth.AdultColumns}
			benchAssess(b, t, opts)
		})
	}
}

// BenchmarkAssessSensitive adds l-diversity and t-closeness of
// salary-class over the other eight columns.
func BenchmarkAssessSensitive(b *testing.B) {
	for _, rows := range benchSizes() {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			t := adultTable(rows)
			opts := anon.RiskOptions{
				QuasiIdentifiers: synth.AdultColumns[:8],
				Sensitive:        "salary-class",
				SensitiveHierarchy: &anon.Hierarchy{Attribute: "salary-class",
					Rows: [][]string{{"<=50K", "*"}, {">50K", "*"}}},
			}
			benchAssess(b, t, opts)
		})
	}
}

func benchAssess(b *testing.B, t *anon.Table, opts anon.RiskOptions) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var r *anon.RiskReport
	for b.Loop() {
		var err error
		if r, err = anon.Assess(t, opts); err != nil {
			b.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	perRun := float64(after.TotalAlloc-before.TotalAlloc) / float64(b.N)
	b.ReportMetric(float64(t.Rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric((float64(before.HeapAlloc)+perRun)/(1<<20), "peak-MB")
	b.ReportMetric(float64(r.Classes), "classes")
}

// BenchmarkClassSizes is the grouping alone, the part other engines reuse.
func BenchmarkClassSizes(b *testing.B) {
	for _, rows := range benchSizes() {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			t := adultTable(rows)
			for b.Loop() {
				if _, err := anon.ClassSizes(t, synth.AdultColumns); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(t.Rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkGroupBy also labels every row with its class.
func BenchmarkGroupBy(b *testing.B) {
	for _, rows := range benchSizes() {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			t := adultTable(rows)
			for b.Loop() {
				if _, err := anon.GroupBy(t, synth.AdultColumns); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(t.Rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkAssessVsMap alternates Assess with the map baseline in every
// iteration, so that both meet the same load on a shared machine, and
// reports their times and the speed-up of Assess over the map. The map
// runs slower right after Assess than on its own, so the speed-up is an
// upper bound; compare with Assess and BaselineMap run back to back.
func BenchmarkAssessVsMap(b *testing.B) {
	for _, rows := range benchSizes() {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			t := adultTable(rows)
			opts := anon.RiskOptions{QuasiIdentifiers: synth.AdultColumns}
			var assess, grouped time.Duration
			for b.Loop() {
				start := time.Now()
				if _, err := anon.Assess(t, opts); err != nil {
					b.Fatal(err)
				}
				mid := time.Now()
				mapGroup(b, t)
				assess += mid.Sub(start)
				grouped += time.Since(mid)
			}
			b.ReportMetric(float64(assess)/1e6/float64(b.N), "assess-ms")
			b.ReportMetric(float64(grouped)/1e6/float64(b.N), "map-ms")
			b.ReportMetric(grouped.Seconds()/assess.Seconds(), "speedup")
		})
	}
}

func mapGroup(b *testing.B, t *anon.Table) {
	m := map[uint64]uint32{}
	for r := range t.Rows {
		var k uint64
		for _, c := range t.Columns {
			k = k*uint64(len(c.Dict)) + uint64(c.Codes[r])
		}
		m[k]++
	}
	if len(m) == 0 {
		b.Fatal("no classes")
	}
}

// BenchmarkBaselineMap groups the same rows with a Go map over mixed-radix
// keys, the straightforward way. It runs beside the others so that their
// ratio to it is measured under the same load on a shared machine.
func BenchmarkBaselineMap(b *testing.B) {
	for _, rows := range benchSizes() {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			t := adultTable(rows)
			for b.Loop() {
				mapGroup(b, t)
			}
			b.ReportMetric(float64(t.Rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkLinkage joins two independent synthetic Adult tables of the
// same size on all nine columns (paired by name).
func BenchmarkLinkage(b *testing.B) {
	for _, rows := range benchSizes() {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			a, other := adultTable(rows), synth.Adult(rows, 2)
			var r *anon.LinkageReport
			for b.Loop() {
				var err error
				if r, err = anon.Linkage(a, other, anon.LinkageOptions{NamesOnly: true}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(2*rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(r.Reidentifiable), "reidentifiable")
		})
	}
}
