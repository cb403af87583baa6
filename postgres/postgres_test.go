package postgres_test

import (
	"context"
	"testing"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/postgres"
	"github.com/accord-coalition/accord/postgres/pgtest"
	"github.com/accord-coalition/accord/storetest"
)

func open(t testing.TB) accord.Store {
	db, err := postgres.Open(context.Background(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) accord.Store { return open(t) })
}

// BenchmarkWithheldReads: the whole withheld set of a purpose against the
// changes since the last read; ACCORD_BENCH_WITHHELD_N sets the subjects.
func BenchmarkWithheldReads(b *testing.B) {
	storetest.BenchWithheldReads(b, open(b), storetest.WithheldBenchSubjects())
}

// BenchmarkApplyConsent100k applies 100,000 consent changes in one batch,
// as the SQLite benchmark of the same name does; the target is under 5 s.
func BenchmarkApplyConsent100k(b *testing.B) {
	const n = 100_000
	for b.Loop() {
		b.StopTimer()
		s := open(b)
		b.StartTimer()
		d := storetest.ApplyManyConsent(b, s, n)
		b.ReportMetric(d.Seconds(), "s/100k")
	}
}
