package storetest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
)

// WithheldBenchSubjects is how many subjects BenchWithheldReads registers:
// 100,000, or ACCORD_BENCH_WITHHELD_N.
func WithheldBenchSubjects() int {
	if n, err := strconv.Atoi(os.Getenv("ACCORD_BENCH_WITHHELD_N")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// BenchWithheldReads measures the two ways a store gives a purpose's
// withheld set on a dataset of n registered subjects, all of whom gave
// consent for advocacy and one in fifty of whom then withdrew it from
// advocacy.report: the whole set (WithheldSubjects, the first use of a
// purpose) and the changes since the last read after a change that swaps
// two subjects (WithheldChanges, the first use after each change). Each
// iteration makes the change untimed, then times both reads.
func BenchWithheldReads(b *testing.B, s accord.Store, n int) {
	ctx := context.Background()
	key := func(i int) string { return fmt.Sprintf("s%08d", i) }
	event := func(i int, purpose string, state accord.ConsentState, at time.Time) *accord.ConsentEvent {
		return &accord.ConsentEvent{DatasetID: "big", OrganisationID: "org", SubjectKey: key(i), Purpose: purpose, State: state,
			Time: at, RecordedAt: at, Method: accord.MethodImport, Agreement: "demo@1", RecordedBy: "m"}
	}
	if err := s.CreateOrganisation(ctx, &accord.Organisation{ID: "org", Name: "Org", CreatedAt: now}); err != nil {
		b.Fatal(err)
	}
	began := time.Now()
	const batch = 100_000
	for lo := 0; lo < n; lo += batch {
		cb := &accord.ConsentBatch{}
		for i := lo; i < min(lo+batch, n); i++ {
			cb.Register = append(cb.Register, accord.ConsentSubject{DatasetID: "big", OrganisationID: "org", Key: key(i), Source: "dataset", RegisteredAt: now})
			cb.Events = append(cb.Events, event(i, "advocacy", accord.ConsentGiven, now))
			if i%50 == 0 {
				cb.Events = append(cb.Events, event(i, "advocacy.report", accord.ConsentWithdrawn, now.Add(time.Hour)))
			}
		}
		if _, err := s.ApplyConsent(ctx, cb); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%d subjects registered with their consent in %s", n, time.Since(began).Round(time.Second))
	want := (n + 49) / 50
	version, err := s.ConsentVersion(ctx, "big")
	if err != nil {
		b.Fatal(err)
	}
	at := now.Add(2 * time.Hour)
	pairs := max(1, n/50-1)
	var full, changes time.Duration
	for i := 0; b.Loop(); i++ {
		// Subject 50p withdrawn gives consent again; 50p+1 withdraws it.
		p := 1 + i%pairs
		give, withdraw := 50*p, 50*p+1
		if (i/pairs)%2 == 1 {
			give, withdraw = withdraw, give
		}
		at = at.Add(time.Minute)
		if _, err := s.ApplyConsent(ctx, &accord.ConsentBatch{Events: []*accord.ConsentEvent{
			event(withdraw, "advocacy.report", accord.ConsentWithdrawn, at), event(give, "advocacy.report", accord.ConsentGiven, at)}}); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		list, err := s.WithheldSubjects(ctx, "big", "advocacy.report", at)
		full += time.Since(t0)
		if err != nil || len(list) != want {
			b.Fatalf("whole set: %v, %d withheld, want %d", err, len(list), want)
		}
		t0 = time.Now()
		ch, err := s.WithheldChanges(ctx, "big", "advocacy.report", version, at.Add(-time.Minute), at)
		changes += time.Since(t0)
		if err != nil || len(ch) != 2 {
			b.Fatalf("changes: %v, %d, want the two swapped subjects", err, len(ch))
		}
		if version, err = s.ConsentVersion(ctx, "big"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(full.Seconds()/float64(b.N), "whole-set-s")
	b.ReportMetric(changes.Seconds()/float64(b.N), "changes-s")
	b.ReportMetric(full.Seconds()/changes.Seconds(), "whole/changes")
}
