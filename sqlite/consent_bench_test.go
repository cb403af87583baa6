package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/accord-coalition/accord/sqlite"
	"github.com/accord-coalition/accord/storetest"
)

// BenchmarkApplyConsent100k applies 100,000 consent changes in one batch
// (one transaction, prepared statements); the target is under 5 s.
func BenchmarkApplyConsent100k(b *testing.B) {
	const n = 100_000
	for b.Loop() {
		b.StopTimer()
		s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "accord.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		d := storetest.ApplyManyConsent(b, s, n)
		b.StopTimer()
		s.Close()
		b.StartTimer()
		b.ReportMetric(float64(n)/d.Seconds(), "changes/s")
		b.ReportMetric(d.Seconds(), "s/100k")
	}
}
