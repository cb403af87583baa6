package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
)

func testConsentVersion(t *testing.T, s accord.Store) {
	ctx := context.Background()
	must(t, s.CreateOrganisation(ctx, &accord.Organisation{ID: "org-a", Name: "A", CreatedAt: now}))
	v0, err := s.ConsentVersion(ctx, "ds")
	must(t, err)
	if v0 != 0 {
		t.Fatalf("version before any consent = %d", v0)
	}
	_, err = s.RegisterConsentSubjects(ctx, []accord.ConsentSubject{{DatasetID: "ds", OrganisationID: "org-a", Key: "k1", Source: "dataset", RegisteredAt: now}})
	must(t, err)
	v1, _ := s.ConsentVersion(ctx, "ds")
	ev := func(id string, state accord.ConsentState, expires time.Time) *accord.ConsentEvent {
		return &accord.ConsentEvent{ID: id, OrganisationID: "org-a", DatasetID: "ds", SubjectKey: "k1", Purpose: "p.x", State: state, Time: now,
			ExpiresAt: expires, Method: accord.MethodImport, Agreement: "a-b@1", RecordedBy: "m", RecordedAt: now}
	}
	_, err = s.ApplyConsent(ctx, &accord.ConsentBatch{Events: []*accord.ConsentEvent{ev("e1", accord.ConsentGiven, now.Add(48*time.Hour))}})
	must(t, err)
	v2, _ := s.ConsentVersion(ctx, "ds")
	if !(v0 < v1 && v1 < v2) {
		t.Fatalf("versions %d, %d, %d do not grow with changes", v0, v1, v2)
	}
	if other, _ := s.ConsentVersion(ctx, "other"); other != 0 {
		t.Fatalf("another dataset's version moved: %d", other)
	}
	next, err := s.NextConsentExpiry(ctx, "ds", "p.x", now)
	must(t, err)
	if !next.Equal(now.Add(48 * time.Hour)) {
		t.Fatalf("next expiry = %v", next)
	}
	if next, _ := s.NextConsentExpiry(ctx, "ds", "p.x", now.Add(72*time.Hour)); !next.IsZero() {
		t.Fatalf("expiry after the last = %v", next)
	}
}

// testConsentBroaderPurpose: a decision about a broader purpose covers the
// narrower ones; the latest decision among them counts.
func testConsentBroaderPurpose(t *testing.T, s accord.Store) {
	ctx := context.Background()
	must(t, s.CreateOrganisation(ctx, &accord.Organisation{ID: "org-a", Name: "A", CreatedAt: now}))
	var subjects []accord.ConsentSubject
	for _, k := range []string{"k1", "k2", "k3"} {
		subjects = append(subjects, accord.ConsentSubject{DatasetID: "ds", OrganisationID: "org-a", Key: k, Source: "dataset", RegisteredAt: now})
	}
	_, err := s.RegisterConsentSubjects(ctx, subjects)
	must(t, err)
	ev := func(id, key, purpose string, state accord.ConsentState, at time.Time) *accord.ConsentEvent {
		return &accord.ConsentEvent{ID: id, OrganisationID: "org-a", DatasetID: "ds", SubjectKey: key, Purpose: purpose, State: state, Time: at,
			Method: accord.MethodImport, Agreement: "a-b@1", RecordedBy: "m", RecordedAt: now}
	}
	_, err = s.ApplyConsent(ctx, &accord.ConsentBatch{Events: []*accord.ConsentEvent{
		ev("e1", "k1", "research.academic", accord.ConsentGiven, now),                    // k1: yes to the narrow purpose…
		ev("e2", "k1", "research", accord.ConsentWithdrawn, now.Add(time.Hour)),          // …then no to research as a whole
		ev("e3", "k2", "research", accord.ConsentGiven, now),                             // k2: yes to research covers academic
		ev("e4", "k3", "research", accord.ConsentGiven, now),                             // k3: yes to research…
		ev("e5", "k3", "research.academic", accord.ConsentWithdrawn, now.Add(time.Hour)), // …but later no to the academic part
	}})
	must(t, err)
	got, err := s.WithheldSubjects(ctx, "ds", "research.academic", now.Add(2*time.Hour))
	must(t, err)
	if len(got) != 2 || got[0] != "k1" || got[1] != "k3" {
		t.Fatalf("withheld for research.academic = %v, want [k1 k3]", got)
	}
	got, err = s.WithheldSubjects(ctx, "ds", "research", now.Add(2*time.Hour))
	must(t, err)
	if len(got) != 1 || got[0] != "k1" {
		t.Fatalf("withheld for research = %v, want [k1]", got)
	}
}
