package storetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
)

// runConsent holds the consent cases; Run calls it.
func runConsent(t *testing.T, open Opener) {
	t.Run("ConsentSubjects", func(t *testing.T) { testConsentSubjects(t, open(t)) })
	t.Run("ConsentHistoryAndState", func(t *testing.T) { testConsentState(t, open(t)) })
	t.Run("ConsentBatchIsAtomic", func(t *testing.T) { testConsentAtomic(t, open(t)) })
	t.Run("ConsentWithheld", func(t *testing.T) { testConsentWithheld(t, open(t)) })
	t.Run("WithheldChanges", func(t *testing.T) { testWithheldChanges(t, open(t)) })
	t.Run("WithheldChangesConcurrent", func(t *testing.T) { testWithheldChangesConcurrent(t, open(t)) })
	t.Run("DerivationFlags", func(t *testing.T) { testDerivationFlags(t, open(t)) })
	t.Run("ConsentLinks", func(t *testing.T) { testConsentLinks(t, open(t)) })
}

// ConsentFixture creates organisation org and registers subjects of dataset.
func ConsentFixture(t testing.TB, s accord.Store, org, dataset string, subjects ...string) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Organisation(ctx, org); accord.ErrorCode(err) == accord.ENOTFOUND {
		if err := s.CreateOrganisation(ctx, &accord.Organisation{ID: org, Name: "Org " + org, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	reg := make([]accord.ConsentSubject, len(subjects))
	for i, k := range subjects {
		reg[i] = accord.ConsentSubject{DatasetID: dataset, OrganisationID: org, Key: k, Source: "dataset", RegisteredAt: now}
	}
	if _, err := s.RegisterConsentSubjects(ctx, reg); err != nil {
		t.Fatal(err)
	}
}

// ConsentEvent returns a valid event for tests.
func ConsentEvent(dataset, subject, purpose string, state accord.ConsentState, at time.Time) *accord.ConsentEvent {
	return &accord.ConsentEvent{DatasetID: dataset, SubjectKey: subject, Purpose: purpose, State: state, Time: at,
		Method: accord.MethodPaper, Agreement: "housing-survey@1", RecordedBy: "test", RecordedAt: at}
}

func apply(t *testing.T, s accord.Store, events ...*accord.ConsentEvent) *accord.ConsentApplied {
	t.Helper()
	out, err := s.ApplyConsent(context.Background(), &accord.ConsentBatch{Events: events})
	must(t, err)
	return out
}

func testConsentSubjects(t *testing.T, s accord.Store) {
	ctx := context.Background()
	ConsentFixture(t, s, "riverside", "survey", "s1", "s2")
	n, err := s.RegisterConsentSubjects(ctx, []accord.ConsentSubject{
		{DatasetID: "survey", OrganisationID: "riverside", Key: "s2", Source: "import", RegisteredAt: now},
		{DatasetID: "survey", OrganisationID: "riverside", Key: "s3", Source: "import", RegisteredAt: now},
		{DatasetID: "survey", OrganisationID: "riverside", Key: "s3", Source: "import", RegisteredAt: now.Add(time.Hour)},
	})
	must(t, err)
	if n != 1 {
		t.Fatalf("newly registered = %d, want 1 (s2 was already there, s3 is named twice)", n)
	}
	if sub, err := s.ConsentSubject(ctx, "survey", "s3"); err != nil || !sub.RegisteredAt.Equal(now) {
		t.Fatalf("a subject named twice: %+v, %v; want the first registration", sub, err)
	}
	// Many at once, across statements, some already registered.
	var many []accord.ConsentSubject
	for i := range 600 {
		many = append(many, accord.ConsentSubject{DatasetID: "survey", OrganisationID: "riverside", Key: fmt.Sprintf("m%03d", i%550), Source: "import", RegisteredAt: now})
	}
	many = append(many, accord.ConsentSubject{DatasetID: "survey", OrganisationID: "riverside", Key: "s1", Source: "import", RegisteredAt: now})
	n, err = s.RegisterConsentSubjects(ctx, many)
	must(t, err)
	if n != 550 {
		t.Fatalf("newly registered of 601 names (550 distinct new keys) = %d", n)
	}
	sub, err := s.ConsentSubject(ctx, "survey", "s2")
	must(t, err)
	if sub.Source != "dataset" || sub.OrganisationID != "riverside" || !sub.RegisteredAt.Equal(now) {
		t.Fatalf("re-registering changed the subject: %+v", sub)
	}
	_, err = s.ConsentSubject(ctx, "survey", "nobody")
	wantCode(t, err, accord.ENOTFOUND)
	_, err = s.RegisterConsentSubjects(ctx, []accord.ConsentSubject{{DatasetID: "survey", OrganisationID: "no-such-org", Key: "x"}})
	wantCode(t, err, accord.EINVALID)
}

func testConsentState(t *testing.T, s accord.Store) {
	ctx := context.Background()
	ConsentFixture(t, s, "riverside", "survey", "s1")
	given := ConsentEvent("survey", "s1", "advocacy.report", accord.ConsentGiven, now)
	given.ExpiresAt = now.Add(30 * 24 * time.Hour)
	out := apply(t, s, given, ConsentEvent("survey", "s1", "research.academic", accord.ConsentGiven, now))
	if out.Events != 2 || given.ID == "" || given.OrganisationID != "riverside" {
		t.Fatalf("applied = %+v, event = %+v", out, given)
	}
	// A paper form decided earlier but entered later does not override
	// the newer decision, yet stays in the history.
	apply(t, s, ConsentEvent("survey", "s1", "research.academic", accord.ConsentWithdrawn, now.Add(2*time.Hour)))
	apply(t, s, ConsentEvent("survey", "s1", "research.academic", accord.ConsentGiven, now.Add(time.Hour)))
	hist, err := s.ConsentHistory(ctx, "survey", "s1")
	must(t, err)
	if len(hist) != 4 {
		t.Fatalf("history has %d events, want 4", len(hist))
	}
	for i := 1; i < len(hist); i++ {
		if hist[i-1].After(hist[i]) {
			t.Fatalf("history out of order at %d: %v after %v", i, hist[i-1].Time, hist[i].Time)
		}
	}
	if hist[0].Seq == 0 || hist[0].Agreement != "housing-survey@1" || hist[0].Method != accord.MethodPaper {
		t.Fatalf("event did not round-trip: %+v", hist[0])
	}
	ev, err := s.ConsentEvent(ctx, given.ID)
	must(t, err)
	if !ev.ExpiresAt.Equal(given.ExpiresAt) || ev.State != accord.ConsentGiven {
		t.Fatalf("event = %+v", ev)
	}
	_, err = s.ConsentEvent(ctx, "cev_missing")
	wantCode(t, err, accord.ENOTFOUND)

	st, err := s.ConsentStatuses(ctx, "survey", "s1", now.Add(3*time.Hour))
	must(t, err)
	want := map[string]accord.ConsentState{"advocacy.report": accord.ConsentGiven, "research.academic": accord.ConsentWithdrawn}
	if len(st) != 2 {
		t.Fatalf("statuses = %+v", st)
	}
	for _, x := range st {
		if x.State != want[x.Purpose] {
			t.Fatalf("%s is %s, want %s", x.Purpose, x.State, want[x.Purpose])
		}
	}
	// Given consent lapses when its expiry passes.
	st, err = s.ConsentStatuses(ctx, "survey", "s1", now.Add(31*24*time.Hour))
	must(t, err)
	if st[0].Purpose != "advocacy.report" || st[0].State != accord.ConsentExpired {
		t.Fatalf("after expiry: %+v", st[0])
	}
	// Equal decision times: the later record wins.
	apply(t, s, ConsentEvent("survey", "s1", "advocacy.report", accord.ConsentWithdrawn, now))
	st, _ = s.ConsentStatuses(ctx, "survey", "s1", now)
	if st[0].State != accord.ConsentWithdrawn {
		t.Fatalf("tie not broken by recording order: %+v", st[0])
	}
}

func testConsentAtomic(t *testing.T, s accord.Store) {
	ctx := context.Background()
	ConsentFixture(t, s, "riverside", "survey", "s1")
	ConsentFixture(t, s, "eastside", "clinic", "c1")
	_, err := s.ApplyConsent(ctx, &accord.ConsentBatch{Events: []*accord.ConsentEvent{
		ConsentEvent("survey", "s1", "advocacy.report", accord.ConsentGiven, now),
		ConsentEvent("survey", "ghost", "advocacy.report", accord.ConsentGiven, now),
	}})
	wantCode(t, err, accord.EINVALID)
	if msg := accord.ErrorMessage(err); msg == "" || !containsAll(msg, "change 2", "ghost") {
		t.Fatalf("message %q should name the change and the subject", msg)
	}
	bad := ConsentEvent("survey", "s1", "advocacy.report", "maybe", now)
	_, err = s.ApplyConsent(ctx, &accord.ConsentBatch{Events: []*accord.ConsentEvent{bad}})
	wantCode(t, err, accord.EINVALID)
	wrongOrg := ConsentEvent("survey", "s1", "advocacy.report", accord.ConsentGiven, now)
	wrongOrg.OrganisationID = "eastside"
	_, err = s.ApplyConsent(ctx, &accord.ConsentBatch{Events: []*accord.ConsentEvent{wrongOrg}})
	wantCode(t, err, accord.EINVALID)
	// A failing batch registers nothing either.
	_, err = s.ApplyConsent(ctx, &accord.ConsentBatch{
		Register: []accord.ConsentSubject{{DatasetID: "survey", OrganisationID: "riverside", Key: "new", Source: "import", RegisteredAt: now}},
		Events:   []*accord.ConsentEvent{ConsentEvent("survey", "other", "advocacy.report", accord.ConsentGiven, now)},
	})
	wantCode(t, err, accord.EINVALID)
	if _, err := s.ConsentSubject(ctx, "survey", "new"); accord.ErrorCode(err) != accord.ENOTFOUND {
		t.Fatalf("a failed batch left a registered subject (%v)", err)
	}
	hist, err := s.ConsentHistory(ctx, "survey", "s1")
	must(t, err)
	if len(hist) != 0 {
		t.Fatalf("a failed batch left %d events", len(hist))
	}
	// Registering in the batch makes the subject's changes acceptable.
	out, err := s.ApplyConsent(ctx, &accord.ConsentBatch{
		Register: []accord.ConsentSubject{{DatasetID: "survey", OrganisationID: "riverside", Key: "new", Source: "import", RegisteredAt: now}},
		Events:   []*accord.ConsentEvent{ConsentEvent("survey", "new", "advocacy.report", accord.ConsentGiven, now)},
	})
	must(t, err)
	if out.Registered != 1 || out.Events != 1 {
		t.Fatalf("applied = %+v", out)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func testConsentWithheld(t *testing.T, s accord.Store) {
	ctx := context.Background()
	ConsentFixture(t, s, "riverside", "survey", "a", "b", "c", "d", "e")
	ConsentFixture(t, s, "riverside", "other", "a")
	exp := ConsentEvent("survey", "d", "advocacy.report", accord.ConsentGiven, now)
	exp.ExpiresAt = now.Add(time.Hour)
	apply(t, s,
		ConsentEvent("survey", "a", "advocacy.report", accord.ConsentGiven, now),
		ConsentEvent("survey", "b", "advocacy.report", accord.ConsentGiven, now),
		ConsentEvent("survey", "b", "advocacy.report", accord.ConsentWithdrawn, now.Add(time.Minute)),
		ConsentEvent("survey", "c", "research.academic", accord.ConsentGiven, now),
		exp,
		ConsentEvent("survey", "e", "advocacy.report", accord.ConsentExpired, now),
		ConsentEvent("other", "a", "advocacy.report", accord.ConsentWithdrawn, now),
	)
	got, err := s.WithheldSubjects(ctx, "survey", "advocacy.report", now.Add(2*time.Minute))
	must(t, err)
	if want := []string{"b", "c", "e"}; !slices.Equal(got, want) {
		t.Fatalf("withheld = %v, want %v", got, want)
	}
	got, _ = s.WithheldSubjects(ctx, "survey", "advocacy.report", now.Add(2*time.Hour))
	if want := []string{"b", "c", "d", "e"}; !slices.Equal(got, want) {
		t.Fatalf("withheld after d's expiry = %v, want %v", got, want)
	}
	got, _ = s.WithheldSubjects(ctx, "nothing", "advocacy.report", now)
	if len(got) != 0 {
		t.Fatalf("unknown dataset withheld = %v", got)
	}
}

func testDerivationFlags(t *testing.T, s accord.Store) {
	ctx := context.Background()
	ConsentFixture(t, s, "riverside", "survey", "a", "b", "c")
	ConsentFixture(t, s, "eastside", "clinic", "x")
	d := func(id, kind, dataset, org, purpose string, at time.Time) *accord.Derivation {
		return &accord.Derivation{ID: id, Kind: kind, OrganisationID: org, DatasetID: dataset, Purpose: purpose, CreatedBy: "m", CreatedAt: at}
	}
	must(t, s.RecordDerivation(ctx, d("ext-old", accord.DerivationExtract, "survey", "riverside", "advocacy.report", now)))
	must(t, s.RecordDerivation(ctx, d("rel-old", accord.DerivationRelease, "survey", "riverside", "advocacy.report", now.Add(time.Minute))))
	must(t, s.RecordDerivation(ctx, d("ext-new", accord.DerivationExtract, "survey", "riverside", "advocacy.report", now.Add(3*time.Hour))))
	must(t, s.RecordDerivation(ctx, d("ext-research", accord.DerivationExtract, "survey", "riverside", "research.academic", now)))
	must(t, s.RecordDerivation(ctx, d("clinic-ext", accord.DerivationDerivedDataset, "clinic", "eastside", "advocacy.report", now)))
	wantCode(t, s.RecordDerivation(ctx, d("ext-old", accord.DerivationExtract, "survey", "riverside", "advocacy.report", now)), accord.ECONFLICT)
	wantCode(t, s.RecordDerivation(ctx, d("bad", "copy", "survey", "riverside", "advocacy.report", now)), accord.EINVALID)

	out := apply(t, s,
		ConsentEvent("survey", "a", "advocacy.report", accord.ConsentGiven, now.Add(-time.Hour)),
		ConsentEvent("survey", "a", "advocacy.report", accord.ConsentWithdrawn, now.Add(time.Hour)),
		ConsentEvent("survey", "b", "advocacy.report", accord.ConsentWithdrawn, now.Add(30*time.Second)),
	)
	if out.Flagged != 2 {
		t.Fatalf("flagged = %d, want 2 (ext-old and rel-old)", out.Flagged)
	}
	flags, err := s.DerivationFlags(ctx, accord.DerivationFlagFilter{OrganisationID: "riverside"})
	must(t, err)
	byID := map[string]*accord.DerivationFlag{}
	for _, f := range flags {
		byID[f.Derivation.ID] = f
	}
	if len(flags) != 2 || byID["ext-old"] == nil || byID["rel-old"] == nil {
		t.Fatalf("flags = %+v", flags)
	}
	if byID["ext-old"].Withdrawals != 2 || byID["rel-old"].Withdrawals != 1 {
		t.Fatalf("withdrawal counts: ext-old %d (want 2), rel-old %d (want 1)", byID["ext-old"].Withdrawals, byID["rel-old"].Withdrawals)
	}
	if !byID["ext-old"].LastWithdrawal.Equal(now.Add(time.Hour)) || byID["ext-old"].Regenerate == "" {
		t.Fatalf("flag = %+v", byID["ext-old"])
	}
	// A later withdrawal adds to the open flag, not a new one.
	out = apply(t, s, ConsentEvent("survey", "c", "advocacy.report", accord.ConsentWithdrawn, now.Add(4*time.Hour)))
	if out.Flagged != 1 { // only ext-new is newly flagged
		t.Fatalf("flagged = %d, want 1", out.Flagged)
	}
	flags, _ = s.DerivationFlags(ctx, accord.DerivationFlagFilter{DatasetID: "survey"})
	if len(flags) != 3 {
		t.Fatalf("flags = %d, want 3", len(flags))
	}
	must(t, s.ResolveDerivationFlag(ctx, "ext-old", now.Add(5*time.Hour)))
	wantCode(t, s.ResolveDerivationFlag(ctx, "ext-old", now.Add(5*time.Hour)), accord.ECONFLICT)
	wantCode(t, s.ResolveDerivationFlag(ctx, "ext-research", now), accord.ENOTFOUND)
	open, _ := s.DerivationFlags(ctx, accord.DerivationFlagFilter{DatasetID: "survey", OpenOnly: true})
	if len(open) != 2 {
		t.Fatalf("open flags = %d, want 2", len(open))
	}
	// A resolved flag stays resolved: the regenerated artefact is a new derivation.
	apply(t, s, ConsentEvent("survey", "b", "advocacy.report", accord.ConsentWithdrawn, now.Add(6*time.Hour)))
	all, _ := s.DerivationFlags(ctx, accord.DerivationFlagFilter{DatasetID: "survey"})
	for _, f := range all {
		if f.Derivation.ID == "ext-old" && (f.ResolvedAt.IsZero() || f.Withdrawals != 3) {
			t.Fatalf("resolved flag changed: %+v", f)
		}
	}
	other, _ := s.DerivationFlags(ctx, accord.DerivationFlagFilter{OrganisationID: "eastside"})
	if len(other) != 0 {
		t.Fatalf("another dataset's derivation was flagged: %+v", other)
	}
}

func testConsentLinks(t *testing.T, s accord.Store) {
	ctx := context.Background()
	ConsentFixture(t, s, "riverside", "survey", "s1")
	link := func(id, secret string) *accord.ConsentLink {
		h := sha256.Sum256([]byte(secret))
		return &accord.ConsentLink{ID: id, OrganisationID: "riverside", DatasetID: "survey", SubjectKey: "s1", Agreement: "housing-survey@1",
			Language: "fr", Hash: h[:], CreatedBy: "m", CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
	}
	must(t, s.CreateConsentLink(ctx, link("l1", "one")))
	h := sha256.Sum256([]byte("one"))
	got, err := s.ConsentLinkByHash(ctx, h[:])
	must(t, err)
	if got.ID != "l1" || got.SubjectKey != "s1" || got.Language != "fr" || !got.Active(now) || got.Active(now.Add(25*time.Hour)) {
		t.Fatalf("link = %+v", got)
	}
	// A new link for the same subject revokes the old one.
	l2 := link("l2", "two")
	l2.CreatedAt = now.Add(time.Minute)
	must(t, s.CreateConsentLink(ctx, l2))
	old, err := s.ConsentLink(ctx, "l1")
	must(t, err)
	if old.Active(now.Add(2 * time.Minute)) {
		t.Fatal("issuing a second link left the first one usable")
	}
	must(t, s.TouchConsentLink(ctx, "l2", now.Add(time.Hour)))
	must(t, s.RevokeConsentLink(ctx, "l2", now.Add(2*time.Hour)))
	wantCode(t, s.RevokeConsentLink(ctx, "l2", now.Add(2*time.Hour)), accord.ECONFLICT)
	wantCode(t, s.RevokeConsentLink(ctx, "nope", now), accord.ENOTFOUND)
	l2, _ = s.ConsentLink(ctx, "l2")
	if !l2.LastUsedAt.Equal(now.Add(time.Hour)) || l2.Active(now.Add(3*time.Hour)) {
		t.Fatalf("link = %+v", l2)
	}
	_, err = s.ConsentLinkByHash(ctx, []byte("guess"))
	wantCode(t, err, accord.ENOTFOUND)
	stranger := link("l3", "three")
	stranger.SubjectKey = "unknown"
	wantCode(t, s.CreateConsentLink(ctx, stranger), accord.EINVALID)
	dup := link("l2", "four")
	wantCode(t, s.CreateConsentLink(ctx, dup), accord.ECONFLICT)
}

// ApplyManyConsent applies n changes over n/2 subjects in one batch and
// returns how long the batch took (for benchmarks).
func ApplyManyConsent(tb testing.TB, s accord.Store, n int) time.Duration {
	tb.Helper()
	ctx := context.Background()
	subjects := make([]string, n/2+1)
	for i := range subjects {
		subjects[i] = fmt.Sprintf("subj-%07d", i)
	}
	ConsentFixture(tb, s, "riverside", "survey", subjects...)
	events := make([]*accord.ConsentEvent, n)
	purposes := []string{"advocacy.report", "research.academic"}
	for i := range events {
		state := accord.ConsentGiven
		if i%7 == 0 {
			state = accord.ConsentWithdrawn
		}
		events[i] = ConsentEvent("survey", subjects[i/2], purposes[i%2], state, now.Add(time.Duration(i)*time.Millisecond))
	}
	start := time.Now()
	if _, err := s.ApplyConsent(ctx, &accord.ConsentBatch{Events: events}); err != nil {
		tb.Fatal(err)
	}
	return time.Since(start)
}
