// Package storetest is the conformance suite every accord.Store backend must
// pass. The sqlite and postgres packages run it against real databases, so
// both backends are held to exactly the same behaviour.
package storetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
)

// Opener returns a fresh, empty, migrated store for one test.
type Opener func(t *testing.T) accord.Store

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	t.Run("Bootstrap", func(t *testing.T) { testBootstrap(t, open(t)) })
	t.Run("BootstrapIsAtomic", func(t *testing.T) { testBootstrapAtomic(t, open(t)) })
	t.Run("Organisations", func(t *testing.T) { testOrganisations(t, open(t)) })
	t.Run("Members", func(t *testing.T) { testMembers(t, open(t)) })
	t.Run("Grants", func(t *testing.T) { testGrants(t, open(t)) })
	t.Run("Tokens", func(t *testing.T) { testTokens(t, open(t)) })
	t.Run("Keys", func(t *testing.T) { testKeys(t, open(t)) })
	t.Run("Datasets", func(t *testing.T) { testDatasets(t, open(t)) })
	t.Run("Agreements", func(t *testing.T) { testAgreements(t, open(t)) })
	t.Run("Decisions", func(t *testing.T) { testDecisions(t, open(t)) })
	t.Run("ConsentVersion", func(t *testing.T) { testConsentVersion(t, open(t)) })
	t.Run("ConsentBroaderPurpose", func(t *testing.T) { testConsentBroaderPurpose(t, open(t)) })
	t.Run("ConcurrentWrites", func(t *testing.T) { testConcurrent(t, open(t)) })
	runConsent(t, open)
}

// now is fixed and whole-microsecond so round trips compare exactly on
// every engine.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := accord.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Fixture creates an organisation and a member with an analyst grant.
func fixture(t *testing.T, s accord.Store, org, member string) *accord.Member {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Organisation(ctx, org); accord.ErrorCode(err) == accord.ENOTFOUND {
		must(t, s.CreateOrganisation(ctx, &accord.Organisation{ID: org, Name: "Org " + org, CreatedAt: now}))
	}
	m := &accord.Member{ID: member, OrganisationID: org, Name: "Member " + member, Role: accord.RoleAnalyst, CreatedAt: now}
	must(t, s.CreateMember(ctx, m))
	return m
}

func bootstrap() *accord.Bootstrap {
	h := sha256.Sum256([]byte("secret"))
	return &accord.Bootstrap{
		Coalition:    accord.Coalition{Name: "Riverside coalition", CreatedAt: now},
		Organisation: accord.Organisation{ID: "hub", Name: "Hub", CreatedAt: now},
		Admin:        accord.Member{ID: "admin", OrganisationID: "hub", Name: "Admin", Role: accord.RoleCoalitionAdmin, CreatedAt: now},
		Grant: accord.Grant{ID: "g1", MemberID: "admin", OrganisationID: "hub", Role: accord.RoleCoalitionAdmin,
			Reason: "first run", GrantedBy: "system", CreatedAt: now, ExpiresAt: now.Add(365 * 24 * time.Hour)},
		Token: accord.Token{ID: "t1", MemberID: "admin", Name: "first", Hash: h[:], CreatedAt: now, ExpiresAt: now.Add(90 * 24 * time.Hour)},
	}
}

func testBootstrap(t *testing.T, s accord.Store) {
	ctx := context.Background()
	_, err := s.Coalition(ctx)
	wantCode(t, err, accord.ENOTFOUND)
	must(t, s.Bootstrap(ctx, bootstrap()))
	c, err := s.Coalition(ctx)
	must(t, err)
	if c.Name != "Riverside coalition" || !c.CreatedAt.Equal(now) {
		t.Fatalf("coalition = %+v", c)
	}
	wantCode(t, s.Bootstrap(ctx, bootstrap()), accord.ECONFLICT)
	h := sha256.Sum256([]byte("secret"))
	tok, err := s.TokenByHash(ctx, h[:])
	must(t, err)
	if tok.MemberID != "admin" {
		t.Fatalf("token member = %q", tok.MemberID)
	}
	gs, err := s.Grants(ctx, accord.GrantFilter{MemberID: "admin", ActiveAt: now})
	must(t, err)
	if len(gs) != 1 || gs[0].Role != accord.RoleCoalitionAdmin {
		t.Fatalf("grants = %+v", gs)
	}
}

func testBootstrapAtomic(t *testing.T, s accord.Store) {
	ctx := context.Background()
	b := bootstrap()
	b.Token.Hash = nil // fails on the last insert
	if err := s.Bootstrap(ctx, b); err == nil {
		t.Fatal("bootstrap with an invalid token succeeded")
	}
	_, err := s.Coalition(ctx)
	wantCode(t, err, accord.ENOTFOUND)
	orgs, err := s.Organisations(ctx)
	must(t, err)
	if len(orgs) != 0 {
		t.Fatalf("a failed bootstrap left organisations behind: %+v", orgs)
	}
	must(t, s.Bootstrap(ctx, bootstrap()))
}

func testOrganisations(t *testing.T, s accord.Store) {
	ctx := context.Background()
	must(t, s.CreateOrganisation(ctx, &accord.Organisation{ID: "zeta", Name: "Zeta", CreatedAt: now}))
	must(t, s.CreateOrganisation(ctx, &accord.Organisation{ID: "alpha", Name: "Alpha Union", CreatedAt: now}))
	wantCode(t, s.CreateOrganisation(ctx, &accord.Organisation{ID: "alpha", Name: "Again", CreatedAt: now}), accord.ECONFLICT)
	for _, bad := range []accord.Organisation{{ID: "A", Name: "x"}, {ID: "ok-id", Name: " "}, {ID: "9abc", Name: "x"}, {ID: "has space", Name: "x"}} {
		wantCode(t, s.CreateOrganisation(ctx, &bad), accord.EINVALID)
	}
	o, err := s.Organisation(ctx, "alpha")
	must(t, err)
	if o.Name != "Alpha Union" || !o.CreatedAt.Equal(now) {
		t.Fatalf("organisation = %+v", o)
	}
	_, err = s.Organisation(ctx, "nope")
	wantCode(t, err, accord.ENOTFOUND)
	list, err := s.Organisations(ctx)
	must(t, err)
	if len(list) != 2 || list[0].ID != "alpha" || list[1].ID != "zeta" {
		t.Fatalf("organisations = %+v", list)
	}
}

func testMembers(t *testing.T, s accord.Store) {
	ctx := context.Background()
	must(t, s.CreateOrganisation(ctx, &accord.Organisation{ID: "org-a", Name: "A", CreatedAt: now}))
	must(t, s.CreateOrganisation(ctx, &accord.Organisation{ID: "org-b", Name: "B", CreatedAt: now}))
	g := &accord.Grant{ID: "g-m1", MemberID: "m1", OrganisationID: "org-a", Role: accord.RoleCustodian, Reason: "holds the survey", GrantedBy: "admin", CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
	must(t, s.CreateMember(ctx, &accord.Member{ID: "m1", OrganisationID: "org-a", Name: "Ama", Role: accord.RoleCustodian, CreatedAt: now}, g))
	must(t, s.CreateMember(ctx, &accord.Member{ID: "m2", OrganisationID: "org-b", Name: "Bo", Role: accord.RoleAnalyst, CreatedAt: now}))
	wantCode(t, s.CreateMember(ctx, &accord.Member{ID: "m1", OrganisationID: "org-a", Name: "Dup", Role: accord.RoleAnalyst, CreatedAt: now}), accord.ECONFLICT)
	wantCode(t, s.CreateMember(ctx, &accord.Member{ID: "m3", OrganisationID: "ghost", Name: "X", Role: accord.RoleAnalyst, CreatedAt: now}), accord.EINVALID)
	wantCode(t, s.CreateMember(ctx, &accord.Member{ID: "m4", OrganisationID: "org-a", Name: "X", Role: "wizard", CreatedAt: now}), accord.EINVALID)
	// A member whose grant is invalid is not created at all.
	bad := &accord.Grant{ID: "g-m5", MemberID: "m5", OrganisationID: "org-a", Role: accord.RoleAnalyst, GrantedBy: "admin", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	wantCode(t, s.CreateMember(ctx, &accord.Member{ID: "m5", OrganisationID: "org-a", Name: "Half", Role: accord.RoleAnalyst, CreatedAt: now}, bad), accord.EINVALID)
	_, err := s.Member(ctx, "m5")
	wantCode(t, err, accord.ENOTFOUND)

	m, err := s.Member(ctx, "m1")
	must(t, err)
	if m.Name != "Ama" || m.Role != accord.RoleCustodian || m.OrganisationID != "org-a" {
		t.Fatalf("member = %+v", m)
	}
	all, err := s.Members(ctx, accord.MemberFilter{})
	must(t, err)
	onlyB, err := s.Members(ctx, accord.MemberFilter{OrganisationID: "org-b"})
	must(t, err)
	if len(all) != 2 || len(onlyB) != 1 || onlyB[0].ID != "m2" {
		t.Fatalf("members all=%d org-b=%+v", len(all), onlyB)
	}
	gs, err := s.Grants(ctx, accord.GrantFilter{MemberID: "m1"})
	must(t, err)
	if len(gs) != 1 || gs[0].Reason != "holds the survey" {
		t.Fatalf("grants = %+v", gs)
	}
}

func testGrants(t *testing.T, s accord.Store) {
	ctx := context.Background()
	fixture(t, s, "org-a", "m1")
	mk := func(id string, role accord.Role, expires time.Time) *accord.Grant {
		return &accord.Grant{ID: id, MemberID: "m1", OrganisationID: "org-a", Role: role, Reason: "r", GrantedBy: "admin", CreatedAt: now, ExpiresAt: expires}
	}
	must(t, s.CreateGrant(ctx, mk("g1", accord.RoleAnalyst, now.Add(48*time.Hour))))
	must(t, s.CreateGrant(ctx, mk("g2", accord.RoleCustodian, now.Add(2*time.Hour))))
	wantCode(t, s.CreateGrant(ctx, mk("g1", accord.RoleAnalyst, now.Add(time.Hour))), accord.ECONFLICT)

	bad := []*accord.Grant{
		mk("b1", accord.RoleAnalyst, time.Time{}),               // no expiry
		mk("b2", accord.RoleAnalyst, now.Add(-time.Hour)),       // past
		mk("b3", accord.RoleAnalyst, now.Add(400*24*time.Hour)), // too long
		mk("b4", "owner", now.Add(time.Hour)),                   // unknown role
		{ID: "b5", MemberID: "m1", OrganisationID: "org-a", Role: accord.RoleAnalyst, GrantedBy: "x", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}, // no reason
		{ID: "b6", MemberID: "ghost", OrganisationID: "org-a", Role: accord.RoleAnalyst, Reason: "r", CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
		{ID: "b7", MemberID: "m1", OrganisationID: "ghost", Role: accord.RoleAnalyst, Reason: "r", CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
	}
	for _, g := range bad {
		wantCode(t, s.CreateGrant(ctx, g), accord.EINVALID)
	}
	active, err := s.Grants(ctx, accord.GrantFilter{MemberID: "m1", ActiveAt: now.Add(3 * time.Hour)})
	must(t, err)
	if len(active) != 1 || active[0].ID != "g1" {
		t.Fatalf("active after g2 expired = %+v", active)
	}
	must(t, s.RevokeGrant(ctx, "g1", now.Add(time.Hour)))
	wantCode(t, s.RevokeGrant(ctx, "g1", now.Add(time.Hour)), accord.ECONFLICT)
	wantCode(t, s.RevokeGrant(ctx, "nope", now), accord.ENOTFOUND)
	active, err = s.Grants(ctx, accord.GrantFilter{MemberID: "m1", ActiveAt: now.Add(time.Minute + time.Hour)})
	must(t, err)
	if len(active) != 1 || active[0].ID != "g2" {
		t.Fatalf("active after revoke = %+v", active)
	}
	must(t, s.TouchGrants(ctx, []string{"g2"}, now.Add(30*time.Minute)))
	must(t, s.TouchGrants(ctx, []string{"g2"}, now.Add(10*time.Minute))) // older use never moves it back
	g, err := s.Grant(ctx, "g2")
	must(t, err)
	if !g.LastUsedAt.Equal(now.Add(30 * time.Minute)) {
		t.Fatalf("last used = %v", g.LastUsedAt)
	}
	g1, err := s.Grant(ctx, "g1")
	must(t, err)
	if !g1.RevokedAt.Equal(now.Add(time.Hour)) || g1.Active(now.Add(2*time.Hour)) {
		t.Fatalf("revoked grant = %+v", g1)
	}
	_, err = s.Grant(ctx, "nope")
	wantCode(t, err, accord.ENOTFOUND)
	byOrg, err := s.Grants(ctx, accord.GrantFilter{OrganisationID: "org-a"})
	must(t, err)
	if len(byOrg) != 2 {
		t.Fatalf("grants by organisation = %d", len(byOrg))
	}
}

func testTokens(t *testing.T, s accord.Store) {
	ctx := context.Background()
	fixture(t, s, "org-a", "m1")
	h1 := sha256.Sum256([]byte("one"))
	h2 := sha256.Sum256([]byte("two"))
	must(t, s.CreateToken(ctx, &accord.Token{ID: "t1", MemberID: "m1", Name: "laptop", Hash: h1[:], CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
	must(t, s.CreateToken(ctx, &accord.Token{ID: "t2", MemberID: "m1", Name: "ci", Hash: h2[:], CreatedAt: now.Add(time.Second), ExpiresAt: now.Add(time.Hour)}))
	wantCode(t, s.CreateToken(ctx, &accord.Token{ID: "t3", MemberID: "m1", Name: "dup", Hash: h1[:], CreatedAt: now, ExpiresAt: now.Add(time.Hour)}), accord.ECONFLICT)
	wantCode(t, s.CreateToken(ctx, &accord.Token{ID: "t4", MemberID: "m1", Name: "noexp", Hash: []byte("x"), CreatedAt: now}), accord.EINVALID)
	tok, err := s.TokenByHash(ctx, h2[:])
	must(t, err)
	if tok.ID != "t2" || tok.Name != "ci" || string(tok.Hash) != string(h2[:]) {
		t.Fatalf("token = %+v", tok)
	}
	_, err = s.TokenByHash(ctx, []byte("unknown"))
	wantCode(t, err, accord.ENOTFOUND)
	list, err := s.Tokens(ctx, "m1")
	must(t, err)
	if len(list) != 2 || list[0].ID != "t1" {
		t.Fatalf("tokens = %+v", list)
	}
	must(t, s.RevokeToken(ctx, "t1", now.Add(time.Minute)))
	wantCode(t, s.RevokeToken(ctx, "t1", now.Add(time.Minute)), accord.ECONFLICT)
	wantCode(t, s.RevokeToken(ctx, "zz", now), accord.ENOTFOUND)
	t1, err := s.Token(ctx, "t1")
	must(t, err)
	if t1.Active(now.Add(2 * time.Minute)) {
		t.Fatal("revoked token still active")
	}
	must(t, s.TouchToken(ctx, "t2", now.Add(5*time.Minute)))
	t2, err := s.Token(ctx, "t2")
	must(t, err)
	if !t2.LastUsedAt.Equal(now.Add(5 * time.Minute)) {
		t.Fatalf("last used = %v", t2.LastUsedAt)
	}
}

func testKeys(t *testing.T, s accord.Store) {
	ctx := context.Background()
	must(t, s.PutKey(ctx, &accord.WrappedKey{ID: "dataset:a", Wrapped: []byte{1, 2, 3}, CreatedAt: now}))
	wantCode(t, s.PutKey(ctx, &accord.WrappedKey{ID: "dataset:a", Wrapped: []byte{9}, CreatedAt: now}), accord.ECONFLICT)
	k, err := s.Key(ctx, "dataset:a")
	must(t, err)
	if string(k.Wrapped) != "\x01\x02\x03" {
		t.Fatalf("key = %v", k.Wrapped)
	}
	must(t, s.DeleteKey(ctx, "dataset:a"))
	_, err = s.Key(ctx, "dataset:a")
	wantCode(t, err, accord.ENOTFOUND)
	wantCode(t, s.DeleteKey(ctx, "dataset:a"), accord.ENOTFOUND)
}

// testConcurrent checks that simultaneous writers neither fail with
// engine lock errors nor lose writes.
func testConcurrent(t *testing.T, s accord.Store) {
	ctx := context.Background()
	fixture(t, s, "org-a", "m1")
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := sha256.Sum256(fmt.Appendf(nil, "tok-%d", i))
			errs <- s.CreateToken(ctx, &accord.Token{ID: fmt.Sprintf("t%02d", i), MemberID: "m1", Name: "c", Hash: h[:], CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	list, err := s.Tokens(ctx, "m1")
	must(t, err)
	if len(list) != n {
		t.Fatalf("tokens after %d concurrent writes = %d", n, len(list))
	}
}
