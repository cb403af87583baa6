package dataset_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/anon"
	"github.com/accord-coalition/accord/dataset"
	"github.com/accord-coalition/accord/ingest"
)

// consentModel is the brute-force answer: a subject's rows are withheld
// for research when it is registered and its latest decision about
// research is not "given" (or there is none), or was given until a time
// that has come.
type consentModel struct {
	registered map[string]bool
	given      map[string]bool
	until      map[string]time.Time
}

func (m *consentModel) withheld(key string, at time.Time) bool {
	return m.registered[key] && (!m.given[key] || !m.until[key].IsZero() && !at.Before(m.until[key]))
}

// TestTableForPurposeProperty loads random datasets for a purpose, again
// and again as consent changes, and checks each load against the brute
// force: the kept rows in their original order, no row of a withheld
// subject, the right count withheld. Loads after the first reuse what the
// filter resolved per chunk, so they are checked too, as are a subject
// column reclassified and a dataset deleted and imported again under the
// same name while a caller still holds the old description.
func TestTableForPurposeProperty(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(5, 6))
	// Keys that need CSV quoting, and keys that are prefixes of others.
	pool := []string{"a,b", `q"uote`, "s1", "s10", "s100", " s1", "s1 "}
	for i := range 40 {
		pool = append(pool, fmt.Sprintf("m-%d", i))
	}
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tick := func() time.Time { clock = clock.Add(time.Minute); return clock }
	for trial := range 25 {
		svc := service(t)
		svc.ChunkRows = 1 + rng.IntN(40)
		maxRows := 150
		if trial%3 == 0 { // chunks longer than a lookup batch
			svc.ChunkRows, maxRows = 200+rng.IntN(600), 1500
		}
		svc.Now = func() time.Time { return clock }
		id := fmt.Sprintf("ds-%d", trial)
		d, rows := importSubjects(t, svc, id, pool, rng, maxRows)
		classify(t, svc, d, "subject")
		d, _ = svc.Store.Dataset(ctx, id)

		m := &consentModel{registered: map[string]bool{}, given: map[string]bool{}, until: map[string]time.Time{}}
		change := func() {
			var b accord.ConsentBatch
			for _, k := range pool {
				if rng.IntN(3) == 0 {
					continue
				}
				m.registered[k] = true
				b.Register = append(b.Register, accord.ConsentSubject{DatasetID: id, OrganisationID: "org", Key: k, Source: "dataset", RegisteredAt: clock})
				if rng.IntN(2) == 0 {
					continue
				}
				state := accord.ConsentGiven
				if rng.IntN(3) == 0 {
					state = accord.ConsentWithdrawn
				}
				m.given[k] = state == accord.ConsentGiven
				// Some consents are given for a while; the clock moves
				// past some of them between loads.
				var until time.Time
				if state == accord.ConsentGiven && rng.IntN(3) == 0 {
					until = clock.Add(time.Duration(2+rng.IntN(30)) * time.Minute)
				}
				m.until[k] = until
				b.Events = append(b.Events, &accord.ConsentEvent{ID: accord.NewID("ce"), DatasetID: id, OrganisationID: "org",
					SubjectKey: k, Purpose: "research", State: state, Time: tick(), ExpiresAt: until, RecordedAt: clock,
					Method: accord.MethodImport, Agreement: "demo@1", RecordedBy: "m"})
			}
			if _, err := svc.Store.ApplyConsent(ctx, &b); err != nil {
				t.Fatal(err)
			}
		}
		check := func(step string, d *accord.Dataset, rows [][2]string, subject int) {
			t.Helper()
			for range 2 { // the first load resolves the chunks, the second reuses them
				tab, n, err := svc.TableForPurpose(ctx, d, "research.academic", "value", "subject", "other")
				if err != nil {
					t.Fatalf("trial %d %s: %v", trial, step, err)
				}
				var want [][]string
				for _, r := range rows {
					if !m.withheld(r[subject], clock) {
						want = append(want, []string{r[1], r[0], "x" + r[1]})
					}
				}
				if got := tableRows(tab); n != len(rows)-len(want) || fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("trial %d %s: withheld %d of %d rows, kept\n%q\nwant\n%q", trial, step, n, len(rows), got, want)
				}
				// Streamed, the same rows in the same order.
				var streamed [][]string
				n, err = svc.RowsForPurpose(ctx, d, "research.academic", []string{"value", "subject", "other"}, func(row []string) error {
					streamed = append(streamed, slices.Clone(row))
					return nil
				})
				if err != nil || n != len(rows)-len(want) || fmt.Sprint(streamed) != fmt.Sprint(want) {
					t.Fatalf("trial %d %s: streamed %v, withheld %d of %d rows, kept\n%q\nwant\n%q", trial, step, err, n, len(rows), streamed, want)
				}
				if len(want) > 0 {
					stop, calls := errors.New("enough"), 0
					_, err := svc.RowsForPurpose(ctx, d, "research.academic", []string{"value"}, func([]string) error { calls++; return stop })
					if !errors.Is(err, stop) || calls != 1 {
						t.Fatalf("trial %d %s: a stop from the caller gave %v after %d rows", trial, step, err, calls)
					}
				}
			}
		}
		check("unregistered", d, rows, 0)
		for step := range 6 {
			change()
			check(fmt.Sprintf("change %d", step), d, rows, 0)
			clock = clock.Add(time.Duration(rng.IntN(20)) * time.Minute)
			check(fmt.Sprintf("change %d, later", step), d, rows, 0)
		}
		// The value column as the subject key: nobody registered under
		// those keys, so nothing is withheld.
		classify(t, svc, d, "value")
		dv, _ := svc.Store.Dataset(ctx, id)
		check("value as subject", dv, rows, 1)
		classify(t, svc, dv, "subject")
		check("subject again", d, rows, 0)
		// Same name, other rows; the old description still in hand.
		if err := svc.Delete(ctx, d); err != nil {
			t.Fatal(err)
		}
		d2, rows2 := importSubjects(t, svc, id, pool, rng, maxRows)
		classify(t, svc, d2, "subject")
		d2, _ = svc.Store.Dataset(ctx, id)
		check("imported again, old description", d, rows2, 0)
		check("imported again", d2, rows2, 0)
	}
}

// importSubjects imports rows subject,value,other with subjects drawn from
// pool, some many times, fewer than maxRows, and returns (subject, value) per row.
func importSubjects(t *testing.T, svc *dataset.Service, id string, pool []string, rng *rand.Rand, maxRows int) (*accord.Dataset, [][2]string) {
	t.Helper()
	var buf strings.Builder
	w := csv.NewWriter(&buf)
	w.Write([]string{"subject", "value", "other"})
	var rows [][2]string
	for i := range rng.IntN(maxRows) {
		r := [2]string{pool[rng.IntN(len(pool))], fmt.Sprintf("v%d", i)}
		rows = append(rows, r)
		w.Write([]string{r[0], r[1], "x" + r[1]})
	}
	w.Flush()
	rd, err := ingest.NewReader(strings.NewReader(buf.String()), ingest.Options{Delimiter: ','})
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.Import(context.Background(), dataset.ImportRequest{ID: id, OrganisationID: "org"}, rd)
	if err != nil {
		t.Fatal(err)
	}
	return d, rows
}

func classify(t *testing.T, svc *dataset.Service, d *accord.Dataset, subject string) {
	t.Helper()
	classes := map[string]string{"subject": accord.ClassQuasi, "value": accord.ClassQuasi, "other": accord.ClassSensitive}
	classes[subject] = accord.ClassSubject
	cols, err := dataset.Classify(d, classes)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Store.ConfirmClassification(context.Background(), d.ID, cols, "m", time.Now()); err != nil {
		t.Fatal(err)
	}
}

func tableRows(t *anon.Table) [][]string {
	var out [][]string
	for i := range t.Rows {
		var r []string
		for _, c := range t.Columns {
			r = append(r, c.Value(i))
		}
		out = append(out, r)
	}
	return out
}

// TestTableForPurposeConcurrent loads one dataset for one purpose from
// several goroutines at once: they share the cached filter and what it
// resolves per chunk, and each must get the same rows.
func TestTableForPurposeConcurrent(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 8))
	svc := service(t)
	svc.ChunkRows = 7
	pool := []string{"a", "b", "c", "d", "e"}
	d, rows := importSubjects(t, svc, "ds", pool, rng, 300)
	classify(t, svc, d, "subject")
	d, _ = svc.Store.Dataset(ctx, "ds")
	var b accord.ConsentBatch
	for _, k := range pool {
		b.Register = append(b.Register, accord.ConsentSubject{DatasetID: "ds", OrganisationID: "org", Key: k, Source: "dataset", RegisteredAt: time.Now()})
	}
	b.Events = append(b.Events, &accord.ConsentEvent{ID: accord.NewID("ce"), DatasetID: "ds", OrganisationID: "org",
		SubjectKey: "a", Purpose: "research", State: accord.ConsentGiven, Time: time.Now().Add(-time.Hour), RecordedAt: time.Now(),
		Method: accord.MethodImport, Agreement: "demo@1", RecordedBy: "m"})
	if _, err := svc.Store.ApplyConsent(ctx, &b); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range rows {
		if r[0] == "a" {
			want = append(want, r[1])
		}
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			tab, n, err := svc.TableForPurpose(ctx, d, "research", "value")
			if err == nil && (n != len(rows)-len(want) || fmt.Sprint(tableRows(tab)) != fmt.Sprint(tableRows(valuesTable(want)))) {
				err = fmt.Errorf("withheld %d, kept %d rows, want %d", n, tab.Rows, len(want))
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func valuesTable(values []string) *anon.Table {
	b := anon.NewTableBuilder([]string{"value"})
	for _, v := range values {
		b.Append([]string{v})
	}
	return b.Table()
}

// countingStore counts how the consent filter reads the store.
type countingStore struct {
	accord.Store
	full, changes atomic.Int64
}

func (s *countingStore) WithheldSubjects(ctx context.Context, datasetID, purpose string, at time.Time) ([]string, error) {
	s.full.Add(1)
	return s.Store.WithheldSubjects(ctx, datasetID, purpose, at)
}

func (s *countingStore) WithheldChanges(ctx context.Context, datasetID, purpose string, since int64, from, at time.Time) ([]accord.WithheldChange, error) {
	s.changes.Add(1)
	return s.Store.WithheldChanges(ctx, datasetID, purpose, since, from, at)
}

// TestConsentFilterReadsOnlyChanges: the withheld set is read whole once;
// after that, consent changes and lapses are applied from what changed. A
// change that moves nobody in or out of the set for the purpose keeps
// what the filter worked out per chunk; one that does starts it again.
func TestConsentFilterReadsOnlyChanges(t *testing.T) {
	ctx := context.Background()
	svc := service(t)
	store := &countingStore{Store: svc.Store}
	svc.Store = store
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	svc.Now = func() time.Time { return clock }
	pool := []string{"a", "b", "c", "d"}
	d, rows := importSubjects(t, svc, "ds", pool, rand.New(rand.NewPCG(9, 10)), 200)
	classify(t, svc, d, "subject")
	d, _ = svc.Store.Dataset(ctx, "ds")
	decide := func(key, purpose string, state accord.ConsentState, until time.Time) {
		t.Helper()
		b := accord.ConsentBatch{Events: []*accord.ConsentEvent{{ID: accord.NewID("ce"), DatasetID: "ds", OrganisationID: "org",
			SubjectKey: key, Purpose: purpose, State: state, Time: clock, ExpiresAt: until, RecordedAt: clock,
			Method: accord.MethodImport, Agreement: "demo@1", RecordedBy: "m"}}}
		if key == "a" && purpose == "research" && state == accord.ConsentGiven && until.IsZero() {
			for _, k := range pool {
				b.Register = append(b.Register, accord.ConsentSubject{DatasetID: "ds", OrganisationID: "org", Key: k, Source: "dataset", RegisteredAt: clock})
			}
		}
		if _, err := svc.Store.ApplyConsent(ctx, &b); err != nil {
			t.Fatal(err)
		}
	}
	load := func(step string, kept ...string) {
		t.Helper()
		tab, _, err := svc.TableForPurpose(ctx, d, "research", "subject")
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, r := range rows {
			if slices.Contains(kept, r[0]) {
				want++
			}
		}
		got := 0
		for _, r := range tableRows(tab) {
			if !slices.Contains(kept, r[0]) {
				t.Fatalf("%s: row of %s kept", step, r[0])
			}
			got++
		}
		if got != want {
			t.Fatalf("%s: kept %d rows, want %d", step, got, want)
		}
	}
	resolved := func(step string, want int) {
		t.Helper()
		n, err := dataset.ResolvedChunks(ctx, svc, "ds", "research")
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Fatalf("%s: %d chunks resolved, want %d", step, n, want)
		}
	}
	decide("a", "research", accord.ConsentGiven, time.Time{})
	decide("b", "research", accord.ConsentGiven, clock.Add(time.Hour))
	decide("c", "research", accord.ConsentGiven, time.Time{})
	load("first", "a", "b", "c")
	resolved("first", d.Chunks)
	decide("d", "advocacy", accord.ConsentGiven, time.Time{}) // another purpose: nobody moves
	resolved("another purpose", d.Chunks)
	decide("c", "research", accord.ConsentWithdrawn, time.Time{})
	resolved("withdrawal", 0)
	load("withdrawal", "a", "b")
	clock = clock.Add(2 * time.Hour) // b's consent lapses
	load("lapse", "a")
	decide("c", "research", accord.ConsentGiven, time.Time{})
	load("given again", "a", "c")
	if full, changes := store.full.Load(), store.changes.Load(); full != 1 || changes != 4 {
		t.Fatalf("read the whole set %d times and the changes %d times, want 1 and 4", full, changes)
	}
	// Deleting the dataset drops its filters, which hold its subject keys.
	if n := dataset.CachedFilters(svc); n != 1 {
		t.Fatalf("%d filters cached, want 1", n)
	}
	if err := svc.Delete(ctx, d); err != nil {
		t.Fatal(err)
	}
	if n := dataset.CachedFilters(svc); n != 0 {
		t.Fatalf("%d filters cached after the dataset was deleted", n)
	}
}

// gatedStore holds every whole read of a withheld set until released, and
// counts version checks and whole reads.
type gatedStore struct {
	accord.Store
	versions, full atomic.Int64
	release        chan struct{}
}

func (s *gatedStore) ConsentVersion(ctx context.Context, datasetID string) (int64, error) {
	s.versions.Add(1)
	return s.Store.ConsentVersion(ctx, datasetID)
}

func (s *gatedStore) WithheldSubjects(ctx context.Context, datasetID, purpose string, at time.Time) ([]string, error) {
	s.full.Add(1)
	<-s.release
	return s.Store.WithheldSubjects(ctx, datasetID, purpose, at)
}

// TestColdUsesShareOneRead: uses of a purpose that all find its withheld
// set missing wait for one read of it instead of each reading every
// subject, which on a large dataset would multiply the longest wait.
func TestColdUsesShareOneRead(t *testing.T) {
	ctx := context.Background()
	svc := service(t)
	d, _ := importSubjects(t, svc, "ds", []string{"a", "b"}, rand.New(rand.NewPCG(1, 1)), 50)
	classify(t, svc, d, "subject")
	d, _ = svc.Store.Dataset(ctx, "ds")
	if _, err := svc.Store.RegisterConsentSubjects(ctx, []accord.ConsentSubject{{DatasetID: "ds", OrganisationID: "org", Key: "a", Source: "dataset", RegisteredAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	store := &gatedStore{Store: svc.Store, release: make(chan struct{})}
	svc.Store = store
	const users = 8
	errs := make(chan error, users)
	for range users {
		go func() {
			_, _, err := svc.TableForPurpose(ctx, d, "research", "value")
			errs <- err
		}()
	}
	// Every user has checked the version, and so has the one read: they
	// are all waiting, on the read or at its door. Reads of their own would
	// be blocked inside the store by now.
	for store.versions.Load() < users+1 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	close(store.release)
	for range users {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := store.full.Load(); n != 1 {
		t.Fatalf("%d users read the withheld set %d times", users, n)
	}
}
