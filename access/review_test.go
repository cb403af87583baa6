package access

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
)

func TestReviewFindsEveryKind(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	members := []*accord.Member{
		{ID: "ana", Name: "Ana", OrganisationID: "a", Role: accord.RoleAnalyst},
		{ID: "bo", Name: "Bo", OrganisationID: "b", Role: accord.RoleCustodian},
		{ID: "cy", Name: "Cy", OrganisationID: "a", Role: accord.RoleAnalyst},
	}
	g := func(id, member, org string, role accord.Role, created, expires, used, revoked time.Time) *accord.Grant {
		return &accord.Grant{ID: id, MemberID: member, OrganisationID: org, Role: role, CreatedAt: created, ExpiresAt: expires, LastUsedAt: used, RevokedAt: revoked}
	}
	grants := []*accord.Grant{
		g("g1", "ana", "a", accord.RoleAnalyst, now.Add(-10*day), now.Add(5*day), now.Add(-day), time.Time{}),          // expiring soon
		g("g2", "ana", "a", accord.RoleSteward, now.Add(-60*day), now.Add(100*day), time.Time{}, time.Time{}),          // unused + creep
		g("g3", "bo", "b", accord.RoleCustodian, now.Add(-60*day), now.Add(-day), time.Time{}, time.Time{}),            // expired
		g("g4", "bo", "c", accord.RoleCustodian, now.Add(-5*day), now.Add(100*day), now.Add(-day), time.Time{}),        // second org...
		g("g5", "bo", "b", accord.RoleCustodian, now.Add(-5*day), now.Add(100*day), now.Add(-day), time.Time{}),        // ...multi-organisation
		g("g6", "cy", "a", accord.RoleCoalitionAdmin, now.Add(-5*day), now.Add(100*day), now.Add(-day), now.Add(-day)), // revoked: ignored
		g("g7", "cy", "a", accord.RoleAnalyst, now.Add(-5*day), now.Add(100*day), now.Add(-40*day), time.Time{}),       // unused (last use old)
	}
	r := Run(members, grants, Options{Now: now})
	type key struct{ kind, member, grant string }
	got := map[key]bool{}
	for _, f := range r.Findings {
		got[key{f.Kind, f.MemberID, f.GrantID}] = true
	}
	want := []key{
		{"expiring-soon", "ana", "g1"},
		{"unused", "ana", "g2"},
		{"permission-creep", "ana", "g2"},
		{"expired", "bo", "g3"},
		{"multi-organisation", "bo", ""},
		{"unused", "cy", "g7"},
	}
	for _, k := range want {
		if !got[k] {
			t.Errorf("missing finding %+v", k)
		}
	}
	if len(r.Findings) != len(want) {
		t.Errorf("findings = %d, want %d: %+v", len(r.Findings), len(want), r.Findings)
	}
	if r.ActiveGrants != 5 {
		t.Errorf("active grants = %d, want 5", r.ActiveGrants)
	}
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"permission-creep", "Ana (ana)", "holds roles in b, c", "beyond the member's current role analyst"} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("text report lacks %q:\n%s", s, buf.String())
		}
	}
}

func TestReviewOfCleanCoalition(t *testing.T) {
	now := time.Now()
	r := Run([]*accord.Member{{ID: "a", Role: accord.RoleAnalyst}},
		[]*accord.Grant{{ID: "g", MemberID: "a", OrganisationID: "o", Role: accord.RoleAnalyst, CreatedAt: now, ExpiresAt: now.Add(200 * 24 * time.Hour), LastUsedAt: now}},
		Options{Now: now})
	if len(r.Findings) != 0 {
		t.Fatalf("findings = %+v", r.Findings)
	}
	var buf bytes.Buffer
	r.WriteText(&buf)
	if !strings.Contains(buf.String(), "Nothing needs attention") {
		t.Fatal(buf.String())
	}
}
