package agreement

import (
	"strings"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
)

var (
	analyst   = []accord.Role{accord.RoleAnalyst}
	steward   = []accord.Role{accord.RoleSteward}
	custodian = []accord.Role{accord.RoleCustodian}
)

// scenario: version 1 is signed in December 2024 and in force from
// 2025-01-01; version 2 amends it and is signed by every party on
// 2025-06-01, when it takes over.
func scenario(t *testing.T) (v1, v2 *Lifecycle) {
	v1 = signedBy(t, mustParse(t, "example-v1.yaml"), date(2024, 12, 1))
	v2 = signedBy(t, mustParse(t, "example.yaml"), date(2025, 6, 1))
	return v1, v2
}

func TestDecide(t *testing.T) {
	v1, v2 := scenario(t)
	july := date(2025, 7, 1)
	april := date(2025, 4, 1)

	suspended := signedBy(t, mustParse(t, "example-v1.yaml"), date(2024, 12, 1))
	if err := suspended.Apply(Event{Kind: EventSuspend, At: date(2025, 2, 1), Organisation: "riverside-tenants"}); err != nil {
		t.Fatal(err)
	}
	terminated := signedBy(t, mustParse(t, "example-v1.yaml"), date(2024, 12, 1))
	if err := terminated.Apply(Event{Kind: EventTerminate, At: date(2025, 2, 1), Organisation: "city-research"}); err != nil {
		t.Fatal(err)
	}
	partly, err := NewLifecycle(mustParse(t, "example-v1.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_ = partly.Apply(Event{Kind: EventPropose, At: date(2024, 12, 1), Organisation: "city-research"})
	_ = partly.Apply(Event{Kind: EventSign, At: date(2024, 12, 2), Signature: sig(t, partly.Agreement, "city-research")})

	// Version 3 adds a prohibition on advocacy use by City Research, which
	// permission #1 would otherwise allow.
	v2digest, _ := DigestOf(v2.Agreement)
	v3src := strings.NewReplacer(
		"version: 2\n", "version: 3\n",
		"  version: 1\n  digest: sha256:b9c3cd48589f1166f53d61cf970de4621512811110d661f8aea2ff6c55a117a9", "  version: 2\n  digest: "+v2digest.String(),
		"\nobligations:", "  - actions: [query]\n    purposes: [advocacy]\n    organisations: [city-research]\n\nobligations:",
	).Replace(string(readTestdata(t, "example.yaml")))
	v3 := signedBy(t, mustParseString(t, v3src), date(2025, 8, 1))

	// Version 3 proposed but signed by only one party: it changes nothing.
	v3partly, err := NewLifecycle(mustParseString(t, v3src))
	if err != nil {
		t.Fatal(err)
	}
	_ = v3partly.Apply(Event{Kind: EventPropose, At: date(2025, 8, 1), Organisation: "city-research"})
	_ = v3partly.Apply(Event{Kind: EventSign, At: date(2025, 8, 1), Signature: sig(t, v3partly.Agreement, "city-research")})

	query := Request{Member: "ben", Organisation: "city-research", Roles: analyst, Action: ActionQuery,
		Dataset: "survey-2025", Columns: []string{"age_band", "damp"}, Purpose: "research.academic", Time: july}
	extract := query
	extract.Action, extract.Columns = ActionExtract, []string{"respondent", "age_band", "household_size"}
	release := Request{Member: "chloe", Organisation: "housing-coalition", Roles: steward, Action: ActionRelease,
		Dataset: "survey-2025", Columns: []string{"ward", "damp"}, Purpose: "advocacy.report", Time: july}
	own := Request{Member: "ana", Organisation: "riverside-tenants", Roles: custodian, Action: ActionExtract,
		Dataset: "survey-2025", Columns: []string{"full_name", "rent_arrears"}, Purpose: "advocacy.report", Time: july}

	// Version 2 with the extract permission reaching only the internal
	// tier, which no recipient can use: what it receives has left the
	// custodian.
	v2internal := signedBy(t, mustParseString(t, strings.Replace(string(readTestdata(t, "example.yaml")),
		"    tier: controlled\n", "    tier: internal\n", 1)), date(2025, 6, 1))

	with := func(r Request, f func(*Request)) Request {
		r.Columns = append([]string(nil), r.Columns...)
		f(&r)
		return r
	}
	all := []*Lifecycle{v1, v2}
	cases := []struct {
		name   string
		req    Request
		ls     []*Lifecycle
		allow  bool
		clause string
		reason string
	}{
		{"query allowed", query, all, true, "agreement survey-share v2 permission #1", "Allowed by agreement survey-share v2 permission #1."},
		{"extract allowed", extract, all, true, "agreement survey-share v2 permission #2", ""},
		{"release allowed", release, all, true, "agreement survey-share v2 permission #3", ""},
		{"purpose hierarchy", with(query, func(r *Request) { r.Purpose = "advocacy.report" }), all, true, "agreement survey-share v2 permission #1", ""},

		{"purpose mismatch", with(extract, func(r *Request) { r.Purpose = "advocacy.report" }), all, false,
			"agreement survey-share v2 permission #2", "only for research.academic, not for `advocacy.report`"},
		{"undeclared purpose", with(query, func(r *Request) { r.Purpose = "marketing.ads" }), all, false,
			"agreement survey-share v2", "Purpose `marketing.ads` is not declared"},
		{"no purpose", with(query, func(r *Request) { r.Purpose = "" }), all, false, DefaultDeny, "needs a declared purpose"},
		{"column outside scope", with(extract, func(r *Request) { r.Columns = append(r.Columns, "phone") }), all, false,
			"agreement survey-share v2 permission #2", "Column `phone` of dataset `survey-2025` is outside the scope"},
		{"column not allowed for that use", with(query, func(r *Request) {
			r.Organisation, r.Roles, r.Action, r.Columns, r.Tier = "housing-coalition", steward, ActionRelease, []string{"ward", "household_size"}, TierPublic
			r.Purpose = "advocacy.report"
		}), all, false, "agreement survey-share v2 permission #3", "`household_size` of dataset `survey-2025` is outside the scope"},
		{"outside the permission's window", with(extract, func(r *Request) { r.Time = date(2026, 2, 1) }), all, false,
			"agreement survey-share v2 permission #2", "applies only from 2025-03-01"},
		{"tier beyond the permission", with(extract, func(r *Request) { r.Tier = TierPublic }), all, false,
			"agreement survey-share v2 permission #2", "up to the controlled tier, not public"},
		{"a partner's internal is controlled", with(extract, func(r *Request) { r.Tier = TierInternal }), all, true,
			"agreement survey-share v2 permission #2", ""},
		{"a partner cannot use an internal permission", with(extract, func(r *Request) { r.Tier = TierInternal }),
			[]*Lifecycle{v1, v2internal}, false, "agreement survey-share v2 permission #2", "up to the internal tier, not controlled"},
		{"expired", with(query, func(r *Request) { r.Time = date(2027, 1, 1) }), all, false,
			"agreement survey-share v2", "expired"},
		{"suspended", with(query, func(r *Request) { r.Time = april }), []*Lifecycle{suspended}, false,
			"agreement survey-share v1", "it is suspended"},
		{"terminated", with(query, func(r *Request) { r.Time = april }), []*Lifecycle{terminated}, false,
			"agreement survey-share v1", "it is terminated"},
		{"not yet signed by all parties", with(query, func(r *Request) { r.Time = april }), []*Lifecycle{partly}, false,
			"agreement survey-share v1", "waiting for riverside-tenants"},
		{"before validity starts", with(query, func(r *Request) { r.Time = date(2024, 12, 15) }), all, false,
			"agreement survey-share v1", "validity starts on 2025-01-01"},
		{"wrong organisation", with(query, func(r *Request) { r.Organisation = "outsider" }), all, false,
			"agreement survey-share v2", "outsider is not a party"},
		{"wrong party role", with(extract, func(r *Request) { r.Organisation = "housing-coalition" }), all, false,
			"agreement survey-share v2 permission #2", "lets only city-research extract"},
		{"wrong member role", with(query, func(r *Request) { r.Roles = []accord.Role{accord.RoleAuditor} }), all, false,
			DefaultDeny, "do not allow query"},
		{"no role at all", with(query, func(r *Request) { r.Roles = nil }), all, false, DefaultDeny, "(none)"},
		{"prohibited activity", with(query, func(r *Request) { r.Action = ActionLink }), all, false,
			"agreement survey-share v2 prohibition #1", "link is prohibited"},
		{"prohibited column", with(extract, func(r *Request) { r.Columns = []string{"respondent", "rent_arrears"} }), all, false,
			"agreement survey-share v2 prohibition #2", "prohibited"},
		{"prohibition overrides permission", with(query, func(r *Request) { r.Purpose = "advocacy.report"; r.Time = date(2025, 9, 1) }),
			[]*Lifecycle{v1, v2, v3}, false, "agreement survey-share v3 prohibition #3", "prohibited"},
		{"prohibition binds only the named party", with(release, func(r *Request) { r.Time = date(2025, 9, 1) }),
			[]*Lifecycle{v1, v2, v3}, true, "agreement survey-share v3 permission #3", ""},
		{"amendment: old version governs before it", with(query, func(r *Request) { r.Time = april }), all, true,
			"agreement survey-share v1 permission #1", ""},
		{"amendment: new column only under new version (before)", with(extract, func(r *Request) { r.Time = april }), all, false,
			"agreement survey-share v1 permission #2", "`household_size` of dataset `survey-2025` is outside the scope"},
		{"amendment: new party only under new version", with(release, func(r *Request) { r.Action = ActionQuery; r.Time = april }), all, false,
			"agreement survey-share v1", "housing-coalition is not a party"},
		{"amendment supersedes old version", query, all, true, "agreement survey-share v2 permission #1", ""},
		{"old version alone after supersession still counts if loaded alone", query, []*Lifecycle{v1}, true, "agreement survey-share v1 permission #1", ""},
		{"half-signed amendment changes nothing", with(query, func(r *Request) { r.Purpose = "advocacy.report"; r.Time = date(2025, 9, 1) }),
			[]*Lifecycle{v1, v2, v3partly}, true, "agreement survey-share v2 permission #1", ""},
		{"custodian works on own data internally", own, all, true, "custodian of dataset `survey-2025`", "custodian may extract"},
		{"custodian imports", with(own, func(r *Request) { r.Action, r.Columns, r.Purpose = ActionImport, nil, "" }), all, true,
			"custodian of dataset `survey-2025`", ""},
		{"custodian may not publish without a permission", with(own, func(r *Request) { r.Action, r.Roles = ActionRelease, steward }), all, false,
			"agreement survey-share v2 permission #3", "lets only housing-coalition release"},
		{"custodian named by the node", with(own, func(r *Request) { r.Custodian = "city-research" }), all, false,
			"agreement survey-share v2 permission #2", "lets only city-research extract"},
		{"other party cannot import", with(query, func(r *Request) { r.Action, r.Roles = ActionImport, custodian }), all, false,
			"agreement survey-share v2", "does not permit import"},
		{"unknown dataset", with(query, func(r *Request) { r.Dataset = "payroll" }), all, false, DefaultDeny, "No agreement covers dataset `payroll`"},
		{"no agreements", query, nil, false, DefaultDeny, "No agreement covers"},
		{"extract without columns", with(extract, func(r *Request) { r.Columns = nil }), all, false, DefaultDeny, "must name the columns"},
		{"query without columns (a count)", with(query, func(r *Request) { r.Columns = nil }), all, true, "agreement survey-share v2 permission #1", ""},
		{"no time", with(query, func(r *Request) { r.Time = time.Time{} }), all, false, DefaultDeny, "no time"},
		{"unknown action", with(query, func(r *Request) { r.Action = "delete" }), all, false, DefaultDeny, "not an action"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Decide(c.req, c.ls...)
			if d.Allow != c.allow || d.Clause != c.clause || !strings.Contains(d.Reason, c.reason) {
				t.Fatalf("got %+v\nwant allow=%v clause=%q reason containing %q", d, c.allow, c.clause, c.reason)
			}
			if d.Reason == "" {
				t.Fatal("decision without reason")
			}
		})
	}
}

// TestDecideRolesWithoutData: coalition admins, auditors and community
// representatives take no data action, not even on their own
// organisation's data, while every action stays open to some role.
func TestDecideRolesWithoutData(t *testing.T) {
	v1, v2 := scenario(t)
	base := Request{Member: "ana", Organisation: "riverside-tenants", Action: ActionQuery,
		Dataset: "survey-2025", Columns: []string{"age_band"}, Purpose: "advocacy.report", Time: date(2025, 7, 1), Custodian: "riverside-tenants"}
	for action, roles := range memberRoles {
		if len(roles) == 0 {
			t.Errorf("action %s: no role may attempt it", action)
		}
		for _, r := range []accord.Role{accord.RoleCoalitionAdmin, accord.RoleAuditor, accord.RoleCommunityRep} {
			req := base
			req.Action, req.Roles = action, []accord.Role{r}
			if d := Decide(req, v1, v2); d.Allow || d.Clause != DefaultDeny {
				t.Errorf("%s may %s: %+v", r, action, d)
			}
		}
	}
	// The same request with the custodian role is allowed, so the refusals
	// above come from the roles alone.
	req := base
	req.Roles = []accord.Role{accord.RoleCustodian}
	if d := Decide(req, v1, v2); !d.Allow {
		t.Fatalf("custodian refused its own query: %+v", d)
	}
}

func TestDeciderState(t *testing.T) {
	v1, v2 := scenario(t)
	x, err := NewDecider(v1, v2)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		ver  int
		at   time.Time
		want State
	}{
		{1, date(2025, 5, 31), StateActive},
		{1, date(2025, 6, 1), StateSuperseded},
		{2, date(2025, 5, 31), StateDraft},
		{2, date(2025, 6, 1), StateActive},
		{2, date(2027, 1, 1), StateExpired},
		{3, date(2025, 6, 1), ""},
	} {
		if got := x.State("survey-share", c.ver, c.at); got != c.want {
			t.Errorf("v%d at %s: %s, want %s", c.ver, day(c.at), got, c.want)
		}
	}
	if got := x.InForce(date(2025, 7, 1)); len(got) != 1 || got[0].Version != 2 {
		t.Fatalf("in force: %v", got)
	}
}

func TestNewDeciderRefuses(t *testing.T) {
	v1, v2 := scenario(t)
	if _, err := NewDecider(v1, v1); accord.ErrorCode(err) != accord.ECONFLICT {
		t.Fatalf("duplicate version: %v", err)
	}
	bad := signedBy(t, mustParseString(t, strings.Replace(string(readTestdata(t, "example.yaml")),
		"sha256:b9c3", "sha256:09c3", 1)), date(2025, 6, 1))
	if _, err := NewDecider(v1, bad); accord.ErrorCode(err) != accord.EINVALID {
		t.Fatalf("broken amendment chain: %v", err)
	}
	if d := Decide(Request{}, v1, v1); d.Allow || d.Clause != DefaultDeny {
		t.Fatalf("got %+v", d)
	}
	_ = v2
}

func TestNewRequest(t *testing.T) {
	p := &accord.Principal{Member: &accord.Member{ID: "ben"}, Grants: []*accord.Grant{
		{OrganisationID: "city-research", Role: accord.RoleAnalyst},
		{OrganisationID: "city-research", Role: accord.RoleAnalyst},
		{OrganisationID: "other", Role: accord.RoleCustodian},
	}}
	r := NewRequest(p, "city-research")
	if r.Member != "ben" || r.Organisation != "city-research" || len(r.Roles) != 1 || r.Roles[0] != accord.RoleAnalyst {
		t.Fatalf("got %+v", r)
	}
	if r := NewRequest(nil, "x1"); r.Organisation != "x1" || r.Roles != nil {
		t.Fatalf("nil principal: %+v", r)
	}
}

// A built Decider is read-only, so servers share one across requests.
func TestDeciderConcurrentUse(t *testing.T) {
	v1, v2 := scenario(t)
	x, err := NewDecider(v1, v2)
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Organisation: "city-research", Roles: analyst, Action: ActionQuery, Dataset: "survey-2025",
		Columns: []string{"age_band"}, Purpose: "research.academic", Time: date(2025, 7, 1)}
	done := make(chan bool)
	for range 4 {
		go func() {
			ok := true
			for range 200 {
				ok = ok && x.Decide(req).Allow
				_ = x.State("survey-share", 1, req.Time)
			}
			done <- ok
		}()
	}
	for range 4 {
		if !<-done {
			t.Fatal("a concurrent decision differed")
		}
	}
}
