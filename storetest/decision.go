package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
)

func testDecisions(t *testing.T, s accord.Store) {
	ctx := context.Background()
	for i, ds := range []string{"a", "b", "a"} {
		must(t, s.RecordDecision(ctx, &accord.PolicyDecision{Time: now.Add(time.Duration(i) * time.Hour), MemberID: "m", OrganisationID: "o",
			Action: "query", Dataset: ds, Columns: []string{"age", "sex"}, Purpose: "advocacy.report", Allowed: i == 0, Clause: "permission #1", Agreement: "x", Version: 2}))
	}
	all, err := s.Decisions(ctx, time.Time{})
	must(t, err)
	onlyA, err := s.Decisions(ctx, time.Time{}, "a")
	must(t, err)
	late, err := s.Decisions(ctx, now.Add(30*time.Minute), "a", "b")
	must(t, err)
	if len(all) != 3 || len(onlyA) != 2 || len(late) != 2 {
		t.Fatalf("decisions all=%d a=%d late=%d", len(all), len(onlyA), len(late))
	}
	d := all[0]
	if !d.Allowed || d.Columns[1] != "sex" || d.Version != 2 || !d.Time.Equal(now) || all[1].Allowed {
		t.Fatalf("decision = %+v", d)
	}
	// Uses: allowed decisions only, once each, from the time on.
	for i, u := range []accord.PolicyDecision{
		{Dataset: "a", Purpose: "advocacy.report", Action: "extract", Allowed: true},
		{Dataset: "a", Purpose: "advocacy.report", Action: "extract", Allowed: true},
		{Dataset: "b", Purpose: "research", Action: "query", Allowed: true},
		{Dataset: "b", Purpose: "marketing", Action: "query", Allowed: false},
	} {
		u.Time, u.MemberID, u.OrganisationID, u.Clause = now.Add(time.Duration(3+i)*time.Hour), "m", "o", "c"
		must(t, s.RecordDecision(ctx, &u))
	}
	uses, err := s.DecisionUses(ctx, now.Add(90*time.Minute))
	must(t, err)
	want := []accord.DecisionUse{{Dataset: "a", Purpose: "advocacy.report", Action: "extract"}, {Dataset: "b", Purpose: "research", Action: "query"}}
	if !slices.Equal(uses, want) {
		t.Fatalf("uses = %v, want %v", uses, want)
	}
	uses, err = s.DecisionUses(ctx, time.Time{})
	must(t, err)
	if len(uses) != 3 || uses[0] != (accord.DecisionUse{Dataset: "a", Purpose: "advocacy.report", Action: "extract"}) ||
		uses[1] != (accord.DecisionUse{Dataset: "a", Purpose: "advocacy.report", Action: "query"}) {
		t.Fatalf("all uses = %v", uses)
	}
}
