package anon_test

import (
	"encoding/csv"
	"fmt"
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
