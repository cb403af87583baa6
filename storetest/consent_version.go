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
