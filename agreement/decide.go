package agreement

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/accord-coalition/accord"
)

// Request is one attempted data access: may this member of this
// organisation, with these active roles, take this action on these columns
// of this dataset, for this purpose, at this time?
type Request struct {
	Member       string        `json:"member"`
	Organisation string        `json:"organisation"`
	Roles        []accord.Role `json:"roles"` // roles of the member's active grants in Organisation
	Action       Action        `json:"action"`
	Dataset      string        `json:"dataset"`
	Columns      []string      `json:"columns,omitempty"`
	Purpose      string        `json:"purpose,omitempty"`
	// Tier is how far the result will travel; empty means internal,
	// except for release, where it means public.
	Tier Tier      `json:"tier,omitempty"`
	Time time.Time `json:"time"`
	// Custodian is the organisation holding the dataset as the node records
	// it (never taken from the caller's input). When empty, the custodian
	// named by the loaded agreements is used.
	Custodian string `json:"custodian,omitempty"`
}

// NewRequest fills the principal part of a request: member, organisation
// and the roles of the principal's grants that apply in org.
func NewRequest(p *accord.Principal, org string) Request {
	r := Request{Organisation: org}
	if p == nil {
		return r
	}
	if p.Member != nil {
		r.Member = p.Member.ID
	}
	for _, g := range p.Grants {
		if g.OrganisationID == org && !slices.Contains(r.Roles, g.Role) {
			r.Roles = append(r.Roles, g.Role)
		}
	}
	return r
}

// Decision is the answer to a Request. Reason is written for the person
// who asked. Clause names what decided: for an allowed request, the
// permission; for a refusal, the prohibition, or else the clause that came
// closest to allowing it (so repeated refusals point at the clause to
// amend), or "default deny" when no agreement came close.
type Decision struct {
	Allow     bool   `json:"allow"`
	Reason    string `json:"reason"`
	Clause    string `json:"clause"`
	Agreement string `json:"agreement,omitempty"`
	Version   int    `json:"version,omitempty"`
}

// DefaultDeny is the clause of refusals no agreement came close to allowing.
const DefaultDeny = "default deny"

// memberRoles says which member roles may attempt each action at all.
// Grants give authority; agreements then decide the data.
var memberRoles = map[Action][]accord.Role{
	ActionQuery:        {accord.RoleAnalyst, accord.RoleSteward, accord.RoleCustodian},
	ActionAssessRisk:   {accord.RoleAnalyst, accord.RoleSteward, accord.RoleCustodian},
	ActionExtract:      {accord.RoleAnalyst, accord.RoleCustodian},
	ActionRelease:      {accord.RoleSteward, accord.RoleCustodian},
	ActionImport:       {accord.RoleCustodian},
	ActionConsentRead:  {accord.RoleCustodian},
	ActionConsentWrite: {accord.RoleCustodian},
	ActionReidentify:   {accord.RoleAnalyst, accord.RoleSteward, accord.RoleCustodian},
	ActionShare:        {accord.RoleAnalyst, accord.RoleSteward, accord.RoleCustodian},
	ActionLink:         {accord.RoleAnalyst, accord.RoleSteward, accord.RoleCustodian},
	ActionProfile:      {accord.RoleAnalyst, accord.RoleSteward, accord.RoleCustodian},
}

// custodianActions are what a custodian may do with its own dataset at the
// internal tier without any permission: its data is its own, and the
// agreement governs sharing, not the custodian's internal work. Release is
// not among them: publishing always needs a permission.
var custodianActions = []Action{ActionImport, ActionConsentRead, ActionConsentWrite,
	ActionQuery, ActionExtract, ActionAssessRisk}

// Decide builds a Decider from the lifecycles and decides one request.
// Servers should build the Decider once and reuse it.
func Decide(req Request, agreements ...*Lifecycle) Decision {
	x, err := NewDecider(agreements...)
	if err != nil {
		return Decision{Reason: "The agreements could not be loaded: " + accord.ErrorMessage(err), Clause: DefaultDeny}
	}
	return x.Decide(req)
}

// failure is the closest a request came to being allowed; higher ranks
// are closer, and the closest one explains the refusal.
type failure struct {
	rank   int
	sub    int // among versions not in force: how close each came
	v      *version
	r      *rule
	reason string
}

// closeness orders states that are not in force, so a refusal explains
// the version nearest to governing (one about to start rather than a draft).
var closeness = map[State]int{StateDraft: 1, StateProposed: 2, StateSuperseded: 3,
	StateExpired: 4, StateTerminated: 4, StateSuspended: 5, StateSigned: 6}

const (
	rankNone = iota
	rankNotInForce
	rankNotParty
	rankNoPermission
	rankUndeclaredPurpose
	rankOrganisation
	rankPurpose
	rankWindow
	rankTier
	rankColumns
)

// Decide answers one request. It denies by default; only versions in
// force at req.Time count; prohibitions win over permissions, in any
// agreement.
func (x *Decider) Decide(req Request) Decision {
	if d, ok := checkRequest(req); !ok {
		return d
	}
	t := req.Time
	tier := req.Tier
	if tier == "" {
		tier = TierInternal
		if req.Action == ActionRelease {
			tier = TierPublic
		}
	}
	// Internal means inside the custodian: whatever another organisation
	// receives has left it, so is at least controlled, whatever the request
	// calls it. Otherwise a partner could ask for "internal" and be judged
	// against a narrower reach than its use has.
	if tier == TierInternal && req.Organisation != x.custodianOf(req) {
		tier = TierControlled
	}
	// Only agreements the organisation is a party to can bind or allow it;
	// the index hands over exactly their prohibitions and permissions.
	for _, b := range x.prohibits[datasetOrgAction{req.Dataset, req.Organisation, req.Action}] {
		if b.e.v.inForce(t) && b.p.matches(req, b.e.custodian) {
			return Decision{Reason: fmt.Sprintf("%s is prohibited for %s on dataset `%s` by %s.",
				req.Action, req.Organisation, req.Dataset, b.p.clause), Clause: b.p.clause, Agreement: b.e.v.a.ID, Version: b.e.v.a.Version}
		}
	}
	if d, ok := x.custodianDecision(req, tier); ok {
		return d
	}
	if req.Purpose == "" {
		return deny("Every use of data needs a declared purpose; the request names none.")
	}
	for _, g := range x.allows[datasetOrgActionPurpose{req.Dataset, req.Organisation, req.Action, req.Purpose}] {
		if !g.e.v.inForce(t) {
			continue
		}
		if _, ok := g.r.check(req, tier); ok {
			// The reason is prebuilt: the request itself is recorded beside
			// the decision, and allowing must not cost an allocation.
			v := g.e.v
			return Decision{Allow: true, Clause: g.r.clause, Agreement: v.a.ID, Version: v.a.Version, Reason: g.r.allowed}
		}
	}
	// Refused. Explain why, from the agreements the organisation is party
	// to, or if none came close, from every agreement on the dataset.
	var best failure
	if d, ok := x.permit(req, tier, x.byParty[datasetOrg{req.Dataset, req.Organisation}], &best); ok || best.rank >= rankNoPermission {
		return d
	}
	// Nothing the organisation is party to came close: look at every
	// agreement on the dataset to explain the refusal.
	best = failure{}
	d, _ := x.permit(req, tier, x.byDataset[req.Dataset], &best)
	return d
}

// permit looks for a permission among entries; without one it returns the
// refusal explained by the closest failure, which it also leaves in best.
// Decide's indexed lookups find every allowing permission first; permit
// walks the same rules slowly to say how close a refused request came.
func (x *Decider) permit(req Request, tier Tier, entries []*entry, best *failure) (Decision, bool) {
	t := req.Time
	note := func(f failure) {
		if f.rank > best.rank || f.rank == best.rank && f.sub > best.sub {
			*best = f
		}
	}
	for _, e := range entries {
		v := e.v
		if !v.inForce(t) {
			if best.rank <= rankNotInForce {
				note(failure{rank: rankNotInForce, sub: closeness[v.state(t)], v: v})
			}
			continue
		}
		if v.parties[req.Organisation] == nil {
			note(failure{rank: rankNotParty, v: v})
			continue
		}
		all := e.rules[req.Action]
		if len(all) == 0 {
			note(failure{rank: rankNoPermission, v: v})
			continue
		}
		if !v.purposes[req.Purpose] {
			note(failure{rank: rankUndeclaredPurpose, v: v})
			continue
		}
		rules := e.fit[orgActionPurpose{req.Organisation, req.Action, req.Purpose}]
		if len(rules) == 0 {
			if mine := e.mine[orgAction{req.Organisation, req.Action}]; len(mine) > 0 {
				note(failure{rank: rankPurpose, v: v, r: mine[0]})
			} else {
				note(failure{rank: rankOrganisation, v: v, r: all[0]})
			}
			continue
		}
		for _, r := range rules {
			if f, ok := r.check(req, tier); !ok {
				f.v = v
				note(f)
				continue
			}
			return Decision{Allow: true, Clause: r.clause, Agreement: v.a.ID, Version: v.a.Version, Reason: r.allowed}, true
		}
	}
	return best.decision(req, tier), false
}

func deny(reason string) Decision { return Decision{Reason: reason, Clause: DefaultDeny} }

// checkRequest refuses malformed requests and members whose roles cannot
// take the action at all.
func checkRequest(req Request) (Decision, bool) {
	roles, known := memberRoles[req.Action]
	switch {
	case req.Time.IsZero():
		return deny("The request has no time."), false
	case !known:
		return deny(fmt.Sprintf("`%s` is not an action Accord knows.", req.Action)), false
	case req.Dataset == "":
		return deny("The request names no dataset."), false
	case req.Organisation == "":
		return deny("The request names no organisation."), false
	case req.Tier != "" && req.Tier.Rank() == 0:
		return deny(fmt.Sprintf("`%s` is not a tier.", req.Tier)), false
	case (req.Action == ActionExtract || req.Action == ActionRelease) && len(req.Columns) == 0:
		// Rows leave with exactly the columns decided on; "no columns"
		// must never be read as "all columns" further down the path.
		return deny(fmt.Sprintf("A request to %s must name the columns it needs.", req.Action)), false
	}
	for _, r := range req.Roles {
		if slices.Contains(roles, r) {
			return Decision{}, true
		}
	}
	return deny(fmt.Sprintf("Your roles in %s (%s) do not allow %s; it needs one of: %s.",
		req.Organisation, roleList(req.Roles), req.Action, roleList(roles))), false
}

func roleList(rs []accord.Role) string {
	if len(rs) == 0 {
		return "none"
	}
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// custodianOf returns the custodian of the request's dataset: as the node
// records it, else as the loaded agreements name it ("" if neither does).
func (x *Decider) custodianOf(req Request) string {
	if req.Custodian != "" {
		return req.Custodian
	}
	return x.custodian[req.Dataset]
}

// custodianDecision allows a custodian's internal work on its own dataset.
func (x *Decider) custodianDecision(req Request, tier Tier) (Decision, bool) {
	custodian := x.custodianOf(req)
	if custodian == "" || custodian != req.Organisation || !slices.Contains(custodianActions, req.Action) {
		return Decision{}, false
	}
	if tier != TierInternal {
		return Decision{}, false // sharing beyond the custodian needs a permission
	}
	if req.Action.NeededUse() != "" && req.Purpose == "" {
		return deny("Every use of data needs a declared purpose; the request names none."), true
	}
	return Decision{Allow: true, Clause: "custodian of dataset `" + req.Dataset + "`",
		Reason: fmt.Sprintf("%s holds dataset `%s`; a custodian may %s its own data internally.", req.Organisation, req.Dataset, req.Action)}, true
}

// matches reports whether a prohibition covers the request.
func (p *prohibition) matches(req Request, custodian string) bool {
	if !slices.Contains(p.actions, req.Action) {
		return false
	}
	if len(p.orgs) > 0 {
		if !slices.Contains(p.orgs, req.Organisation) {
			return false
		}
	} else if req.Organisation == custodian {
		return false
	}
	if len(p.purposes) > 0 && !slices.ContainsFunc(p.purposes, func(q string) bool { return covers(q, req.Purpose) }) {
		return false
	}
	if len(p.columns) > 0 && !slices.ContainsFunc(req.Columns, func(c string) bool { return slices.Contains(p.columns, c) }) {
		return false
	}
	return true
}

// check tests one permission the organisation may exercise for the
// request's purpose; on failure it says how close it came.
func (r *rule) check(req Request, tier Tier) (failure, bool) {
	if (!r.window.From.IsZero() && req.Time.Before(r.window.From)) || (!r.window.Until.IsZero() && !req.Time.Before(r.window.Until)) {
		return failure{rank: rankWindow, r: r}, false
	}
	if tier.Rank() > r.tier.Rank() {
		return failure{rank: rankTier, r: r}, false
	}
	need := req.Action.NeededUse()
	for _, c := range req.Columns {
		if u, ok := r.columns[c]; !ok || u.Rank() < need.Rank() {
			return failure{rank: rankColumns, r: r, reason: c}, false
		}
	}
	return failure{}, true
}
