//go:build unix

package sqlite_test

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/accord-coalition/accord/sqlite"
	"github.com/accord-coalition/accord/storetest"
)

// BenchmarkApplyConsent100k applies 100,000 consent changes in one batch
// (one transaction, multi-row prepared statements); the target is under
// 5 s. Besides wall time it reports the process CPU time of the batch,
// which a machine shared with other work does not inflate.
func BenchmarkApplyConsent100k(b *testing.B) {
	const n = 100_000
	for b.Loop() {
		b.StopTimer()
		s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "accord.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		before := cpuTime()
		d := storetest.ApplyManyConsent(b, s, n)
		cpu := cpuTime() - before
		b.StopTimer()
		s.Close()
		b.StartTimer()
		b.ReportMetric(float64(n)/d.Seconds(), "changes/s")
		b.ReportMetric(d.Seconds(), "s/100k")
		b.ReportMetric(cpu.Seconds(), "cpu-s/100k")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkWithheldReads: the whole withheld set of a purpose against the
// changes since the last read; ACCORD_BENCH_WITHHELD_N sets the subjects.
func BenchmarkWithheldReads(b *testing.B) {
	s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "accord.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.BenchWithheldReads(b, s, storetest.WithheldBenchSubjects())
}
