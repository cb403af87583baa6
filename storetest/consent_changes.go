package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
)

// testWithheldChanges keeps a withheld set per purpose up to date from
// WithheldChanges alone, through random registrations, decisions (some
// back-dated, some about broader or narrower purposes, some expiring),
// changes to another dataset, and the clock moving, and checks it after
// every step against a full WithheldSubjects read. It also checks that
// the changes name only subjects that something touched since the last
// read: the point of the call is not to return everyone.
func testWithheldChanges(t *testing.T, s accord.Store) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 11))
	ConsentFixture(t, s, "riverside", "survey", "s00", "s01", "s02")
	ConsentFixture(t, s, "riverside", "other", "s00", "s01")
	subjects := []string{"s00", "s01", "s02"}
	purposes := []string{"research", "research.academic", "research.academic.health", "advocacy"}
	watched := []string{"research.academic", "research", "advocacy"}

	type cache struct {
		version int64
		at      time.Time
		set     map[string]bool
		touched map[string]bool // subjects touched since the last read
	}
	clock := now
	caches := map[string]*cache{}
	for _, p := range watched {
		v, err := s.ConsentVersion(ctx, "survey")
		must(t, err)
		list, err := s.WithheldSubjects(ctx, "survey", p, clock)
		must(t, err)
		c := &cache{version: v, at: clock, set: map[string]bool{}, touched: map[string]bool{}}
		for _, k := range list {
			c.set[k] = true
		}
		caches[p] = c
	}
	touch := func(k string) {
		for _, c := range caches {
			c.touched[k] = true
		}
	}
	// expiries remembers every given consent with an expiry, so the test
	// knows which subjects may lapse within a read's window.
	type expiry struct {
		key string
		at  time.Time
	}
	var expiries []expiry
	randomEvent := func(dataset string, keys []string) *accord.ConsentEvent {
		state := accord.ConsentGiven
		switch rng.IntN(4) {
		case 0:
			state = accord.ConsentWithdrawn
		case 1:
			state = accord.ConsentExpired
		}
		// A quarter of the decisions are back-dated, some before the
		// subject's latest decision, which must then leave it alone.
		at := clock
		if rng.IntN(4) == 0 {
			at = clock.Add(-time.Duration(rng.IntN(48)) * time.Hour)
		}
		e := ConsentEvent(dataset, keys[rng.IntN(len(keys))], purposes[rng.IntN(len(purposes))], state, at)
		if state == accord.ConsentGiven && rng.IntN(2) == 0 {
			e.ExpiresAt = clock.Add(time.Duration(1+rng.IntN(12)) * time.Hour)
		}
		return e
	}

	for step := range 120 {
		switch rng.IntN(5) {
		case 0: // new subjects, alone or with their first decisions
			var fresh []accord.ConsentSubject
			for range 1 + rng.IntN(3) {
				k := fmt.Sprintf("s%02d", len(subjects))
				subjects = append(subjects, k)
				fresh = append(fresh, accord.ConsentSubject{DatasetID: "survey", OrganisationID: "riverside", Key: k, Source: "import", RegisteredAt: clock})
				touch(k)
			}
			if rng.IntN(2) == 0 {
				_, err := s.RegisterConsentSubjects(ctx, fresh)
				must(t, err)
				break
			}
			var events []*accord.ConsentEvent
			for _, f := range fresh {
				e := randomEvent("survey", []string{f.Key})
				events = append(events, e)
				if !e.ExpiresAt.IsZero() {
					expiries = append(expiries, expiry{e.SubjectKey, e.ExpiresAt})
				}
			}
			_, err := s.ApplyConsent(ctx, &accord.ConsentBatch{Register: fresh, Events: events})
			must(t, err)
		case 1: // the clock moves, so given consents lapse
			clock = clock.Add(time.Duration(1+rng.IntN(6)) * time.Hour)
		case 2: // another dataset's subjects, with the same keys
			apply(t, s, randomEvent("other", []string{"s00", "s01"}))
		default: // a batch of decisions
			var events []*accord.ConsentEvent
			for range 1 + rng.IntN(5) {
				e := randomEvent("survey", subjects)
				events = append(events, e)
				touch(e.SubjectKey)
				if !e.ExpiresAt.IsZero() {
					expiries = append(expiries, expiry{e.SubjectKey, e.ExpiresAt})
				}
			}
			apply(t, s, events...)
		}

		for _, p := range watched {
			c := caches[p]
			v, err := s.ConsentVersion(ctx, "survey")
			must(t, err)
			changes, err := s.WithheldChanges(ctx, "survey", p, c.version, c.at, clock)
			must(t, err)
			for _, e := range expiries {
				if e.at.After(c.at) && !e.at.After(clock) {
					c.touched[e.key] = true
				}
			}
			for _, ch := range changes {
				if !c.touched[ch.Key] {
					t.Fatalf("step %d, %s: change for %s, which nothing touched since the last read", step, p, ch.Key)
				}
				if ch.Withheld {
					c.set[ch.Key] = true
				} else {
					delete(c.set, ch.Key)
				}
			}
			want, err := s.WithheldSubjects(ctx, "survey", p, clock)
			must(t, err)
			got := make([]string, 0, len(c.set))
			for k := range c.set {
				got = append(got, k)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("step %d, %s: set kept up to date from changes = %v, a full read = %v", step, p, got, want)
			}
			c.version, c.at, c.touched = v, clock, map[string]bool{}
		}
	}
	// Nothing happened: nothing changed.
	for _, p := range watched {
		c := caches[p]
		changes, err := s.WithheldChanges(ctx, "survey", p, c.version, c.at, clock)
		must(t, err)
		if len(changes) != 0 {
			t.Fatalf("%s: %d changes with nothing changed", p, len(changes))
		}
	}
}

// testWithheldChangesConcurrent keeps a withheld set up to date from
// WithheldChanges while several writers apply consent changes at once, and
// checks it against a full read at the end. It holds only if changes to a
// dataset commit in the order of their versions: a reader that has seen
// version v and asks for what was written after v must miss nothing, even
// while a transaction that took an earlier version is still open.
func testWithheldChangesConcurrent(t *testing.T, s accord.Store) {
	ctx := context.Background()
	var keys []string
	for i := range 200 {
		keys = append(keys, fmt.Sprintf("s%03d", i))
	}
	ConsentFixture(t, s, "riverside", "survey", keys...)
	at := now.Add(24 * time.Hour)
	set := map[string]bool{}
	list, err := s.WithheldSubjects(ctx, "survey", "research", at)
	must(t, err)
	for _, k := range list {
		set[k] = true
	}
	version, err := s.ConsentVersion(ctx, "survey")
	must(t, err)

	const writers, batches = 4, 25
	errs := make(chan error, writers)
	done := make(chan struct{})
	for w := range writers {
		go func() {
			rng := rand.New(rand.NewPCG(uint64(w), 99))
			for b := range batches {
				var events []*accord.ConsentEvent
				for range 1 + rng.IntN(8) {
					state := accord.ConsentGiven
					if rng.IntN(3) == 0 {
						state = accord.ConsentWithdrawn
					}
					events = append(events, ConsentEvent("survey", keys[rng.IntN(len(keys))], "research", state,
						now.Add(time.Duration(b*writers+w)*time.Second)))
				}
				if _, err := s.ApplyConsent(ctx, &accord.ConsentBatch{Events: events}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	read := func() error {
		v, err := s.ConsentVersion(ctx, "survey")
		if err != nil {
			return err
		}
		changes, err := s.WithheldChanges(ctx, "survey", "research", version, at, at)
		if err != nil {
			return err
		}
		for _, c := range changes {
			if c.Withheld {
				set[c.Key] = true
			} else {
				delete(set, c.Key)
			}
		}
		version = v
		return nil
	}
	go func() {
		for range writers {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		close(done)
	}()
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		must(t, read())
	}
	must(t, read())
	want, err := s.WithheldSubjects(ctx, "survey", "research", at)
	must(t, err)
	got := make([]string, 0, len(set))
	for k := range set {
		got = append(got, k)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("kept up to date while writers ran: %d withheld, a full read: %d\n%v\n%v", len(got), len(want), got, want)
	}
}
