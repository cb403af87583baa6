package anon_test

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/accord-coalition/accord/anon"
	"github.com/accord-coalition/accord/synth"
)

// Benchmarks of the optimal generalisation search. Run single-core:
//
//	go test ./anon/ -run '^$' -bench 'Anonymise' -cpu 1 -benchtime 5x
//
// Results are recorded in docs/bench/anon-search.md.

var adultQINames = []string{"sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation", "salary-class"}

func readAdult(b *testing.B) (*anon.Table, map[string]*anon.Hierarchy) {
	b.Helper()
	f, err := os.Open("testdata/adult/adult.csv")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		b.Fatal(err)
	}
	tb := anon.NewTableBuilder(recs[0])
	for _, rec := range recs[1:] {
		if err := tb.Append(rec); err != nil {
			b.Fatal(err)
		}
	}
	hs, err := anon.LoadHierarchies(os.DirFS("testdata"), "adult", adultQINames)
	if err != nil {
		b.Fatal(err)
	}
	return tb.Table(), hs
}

func allQIs(hs map[string]*anon.Hierarchy) []anon.QuasiIdentifier {
	var qis []anon.QuasiIdentifier
	for _, n := range adultQINames {
		qis = append(qis, anon.QuasiIdentifier{Column: n, Hierarchy: hs[n]})
	}
	return qis
}

// BenchmarkAnonymiseAdult is the engine time with the data loaded: Adult,
// all 9 attributes quasi-identifiers (12,960 transformations), k = 5.
func BenchmarkAnonymiseAdult(b *testing.B) {
	tab, hs := readAdult(b)
	for _, m := range []anon.Metric{anon.MetricEntropy, anon.MetricDiscernibility, anon.MetricLoss} {
		for _, supp := range []float64{0, 1} {
			b.Run(fmt.Sprintf("%v/suppression=%g", m, supp), func(b *testing.B) {
				cfg := anon.Config{QuasiIdentifiers: allQIs(hs), Criteria: []anon.Criterion{anon.KAnonymity(5)}, SuppressionLimit: supp, Metric: m}
				var res *anon.Result
				cpu := cpuTime()
				for b.Loop() {
					var err error
					if res, err = anon.Anonymise(tab, cfg); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, cpu)
				b.ReportMetric(float64(res.Search.Checked), "checked")
				b.ReportMetric(res.InformationLoss, "loss")
			})
		}
	}
}

// BenchmarkAnonymiseSynthetic scales the search to synthetic Adult-like
// tables of up to 1.2 million rows, 9 quasi-identifiers, k = 5.
func BenchmarkAnonymiseSynthetic(b *testing.B) {
	_, hs := readAdult(b)
	for _, rows := range []int{30_000, 300_000, 1_200_000} {
		tab := synth.Adult(rows, 1)
		for _, supp := range []float64{0, 0.01} {
			b.Run(fmt.Sprintf("rows=%d/suppression=%g", rows, supp), func(b *testing.B) {
				cfg := anon.Config{QuasiIdentifiers: allQIs(hs), Criteria: []anon.Criterion{anon.KAnonymity(5)}, SuppressionLimit: supp, Metric: anon.MetricEntropy}
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				var res *anon.Result
				cpu := cpuTime()
				for b.Loop() {
					var err error
					if res, err = anon.Anonymise(tab, cfg); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, cpu)
				var after runtime.MemStats
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				b.ReportMetric(float64(res.Search.Checked), "checked")
				b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "MiB-alloc/op")
				b.ReportMetric(float64(after.Sys)/(1<<20), "MiB-sys")
			})
		}
	}
}

// cpuTime returns the CPU time the process has used. The benchmark machine
// is shared, so wall time per operation includes waiting for the CPU;
// CPU time per operation is the fairer measure of the engine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkAnonymiseLattice1M searches a lattice of about a million
// transformations: Adult's 9 quasi-identifiers plus three numeric codes
// masked digit by digit (5 × 4 × 4 more levels, 1,036,800 in all).
func BenchmarkAnonymiseLattice1M(b *testing.B) {
	tab, hs := readAdult(b)
	rng := rand.New(rand.NewPCG(3, 5))
	names := append(append([]string(nil), adultQINames...), "zip", "dept", "site")
	tb := anon.NewTableBuilder(names)
	extra := []struct {
		n      int
		format string
	}{{200, "%04d"}, {60, "%03d"}, {30, "%03d"}}
	row := make([]string, len(names))
	for r := range tab.Rows {
		for i, n := range adultQINames {
			col, _ := tab.Column(n)
			row[i] = col.Value(r)
		}
		for j, e := range extra {
			// Skewed, as real codes are: a few common, many rare.
			v := int(float64(e.n) * rng.Float64() * rng.Float64())
			row[len(adultQINames)+j] = fmt.Sprintf(e.format, v*7%1000+v/7)
		}
		if err := tb.Append(row); err != nil {
			b.Fatal(err)
		}
	}
	wide := tb.Table()
	qis := allQIs(hs)
	for _, n := range names[len(adultQINames):] {
		col, _ := wide.Column(n)
		h, err := anon.MaskHierarchy(n, col.Dict)
		if err != nil {
			b.Fatal(err)
		}
		qis = append(qis, anon.QuasiIdentifier{Column: n, Hierarchy: h})
	}
	for _, supp := range []float64{0, 0.01} {
		b.Run(fmt.Sprintf("suppression=%g", supp), func(b *testing.B) {
			cfg := anon.Config{QuasiIdentifiers: qis, Criteria: []anon.Criterion{anon.KAnonymity(5)}, SuppressionLimit: supp, Metric: anon.MetricEntropy}
			var res *anon.Result
			cpu := cpuTime()
			for b.Loop() {
				var err error
				if res, err = anon.Anonymise(wide, cfg); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
			b.ReportMetric(float64(res.Search.Transformations), "transformations")
			b.ReportMetric(float64(res.Search.Checked), "checked")
		})
	}
}
