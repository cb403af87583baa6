package agreement

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/accord-coalition/accord"
)

// Decider answers access requests against a fixed set of agreement
// versions. Building it does the slow work once (lifecycle replay,
// supersession, per-dataset and per-action rule tables), so each decision
// is a few map lookups. Callers rebuild it when an agreement or a
// lifecycle step is added; it is safe for concurrent use once built.
type Decider struct {
	byDataset map[string][]*entry
	byParty   map[datasetOrg][]*entry // the entries each organisation is a party to
	// The two lookups of a typical decision, flattened so that it touches
	// as little memory as possible: the prohibitions binding an
	// organisation's action on a dataset, and the permissions that could
	// allow it for a declared purpose, in decision order.
	prohibits map[datasetOrgAction][]bound
	allows    map[datasetOrgActionPurpose][]granted
	versions  map[string][]*version // by agreement id, newest first
	custodian map[string]string     // dataset → custodian; "" if agreements disagree
}

// version is one agreement version as the decider sees it.
type version struct {
	a          *Agreement
	life       *Lifecycle
	clause     string     // "agreement survey-share v3"
	active     []interval // when in force, after supersession
	superseded time.Time  // when a later version came into force; zero if never
	by         int        // the superseding version
	parties    map[string]*Party
	purposes   map[string]bool
}

type datasetOrg struct{ dataset, org string }

type datasetOrgAction struct {
	dataset, org string
	action       Action
}

type datasetOrgActionPurpose struct {
	dataset, org string
	action       Action
	purpose      string
}

type bound struct {
	e *entry
	p *prohibition
}

type granted struct {
	e *entry
	r *rule
}

// entry is one version's rules for one dataset.
type entry struct {
	v            *version
	custodian    string
	rules        map[Action][]*rule           // every rule, to explain refusals
	mine         map[orgAction][]*rule        // the rules each organisation may exercise
	fit          map[orgActionPurpose][]*rule // ... for each declared purpose they cover
	prohibitions []*prohibition
}

// orgAction keys rules by who may use them, so a decision looks only at
// the few rules that could apply (a struct key costs no allocation).
type orgAction struct {
	org    string
	action Action
}

type orgActionPurpose struct {
	org     string
	action  Action
	purpose string
}

// rule is one permission as it applies to one dataset.
type rule struct {
	n        int
	clause   string
	allowed  string   // the reason given when it allows, built once
	orgs     []string // organisations that may exercise it
	purposes []string
	window   Window
	tier     Tier
	columns  map[string]Use // the columns it reaches, with their use
}

type prohibition struct {
	n        int
	clause   string
	actions  []Action
	columns  []string
	purposes []string
	orgs     []string // empty: every party but the custodian
}

// NewDecider indexes agreement versions for Decide. It refuses two
// lifecycles for the same version and an amendment whose previous
// reference does not match the loaded previous version.
func NewDecider(ls ...*Lifecycle) (*Decider, error) {
	x := &Decider{byDataset: map[string][]*entry{}, byParty: map[datasetOrg][]*entry{},
		prohibits: map[datasetOrgAction][]bound{}, allows: map[datasetOrgActionPurpose][]granted{},
		versions: map[string][]*version{}, custodian: map[string]string{}}
	for _, l := range ls {
		if l == nil || l.Agreement == nil {
			return nil, accord.Errorf(accord.EINVALID, "decider: empty lifecycle")
		}
		a := l.Agreement
		for _, v := range x.versions[a.ID] {
			if v.a.Version == a.Version {
				return nil, accord.Errorf(accord.ECONFLICT, "decider: agreement %s v%d loaded twice", a.ID, a.Version)
			}
		}
		x.versions[a.ID] = append(x.versions[a.ID], newVersion(l))
	}
	for id, vs := range x.versions {
		slices.SortFunc(vs, func(p, q *version) int { return q.a.Version - p.a.Version })
		for i := 0; i+1 < len(vs); i++ {
			if vs[i].a.Version == vs[i+1].a.Version+1 {
				if err := CheckAmendment(vs[i+1].a, vs[i].a); err != nil {
					return nil, fmt.Errorf("decider: %w", err)
				}
			}
		}
		supersede(vs)
		x.versions[id] = vs
	}
	ids := make([]string, 0, len(x.versions))
	for id := range x.versions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		for _, v := range x.versions[id] {
			x.index(v)
		}
	}
	return x, nil
}

func newVersion(l *Lifecycle) *version {
	a := l.Agreement
	v := &version{a: a, life: l, clause: "agreement " + a.ID + " v" + strconv.Itoa(a.Version),
		active: l.activeSpans(), parties: map[string]*Party{}, purposes: map[string]bool{}}
	for i := range a.Parties {
		v.parties[a.Parties[i].Organisation] = &a.Parties[i]
	}
	for _, p := range a.Purposes {
		v.purposes[p.ID] = true
	}
	return v
}

// supersede cuts each version's active spans where a later version first
// comes into force: from then on the amendment governs, even if it is
// later suspended. vs is newest first.
func supersede(vs []*version) {
	var cut time.Time
	by := 0
	for _, v := range vs {
		if !cut.IsZero() {
			v.superseded, v.by = cut, by
			var kept []interval
			for _, iv := range v.active {
				if !iv.from.Before(cut) {
					continue
				}
				if iv.until.IsZero() || iv.until.After(cut) {
					iv.until = cut
				}
				kept = append(kept, iv)
			}
			v.active = kept
		}
		if len(v.active) > 0 && (cut.IsZero() || v.active[0].from.Before(cut)) {
			cut, by = v.active[0].from, v.a.Version
		}
	}
}

func (x *Decider) index(v *version) {
	a := v.a
	for di := range a.Datasets {
		ds := &a.Datasets[di]
		e := &entry{v: v, custodian: ds.Custodian, rules: map[Action][]*rule{}, mine: map[orgAction][]*rule{},
			fit: map[orgActionPurpose][]*rule{}}
		if c, seen := x.custodian[ds.ID]; !seen {
			x.custodian[ds.ID] = ds.Custodian
		} else if c != ds.Custodian {
			x.custodian[ds.ID] = ""
		}
		for pi, p := range a.Permissions {
			if len(p.Datasets) > 0 && !slices.Contains(p.Datasets, ds.ID) {
				continue
			}
			for _, act := range p.Actions {
				r := newRule(a, ds, pi, p, act, v.clause)
				e.rules[act] = append(e.rules[act], r)
				for _, o := range r.orgs {
					k := orgAction{o, act}
					e.mine[k] = append(e.mine[k], r)
					for _, pur := range a.Purposes {
						if slices.ContainsFunc(r.purposes, func(q string) bool { return covers(q, pur.ID) }) {
							k := orgActionPurpose{o, act, pur.ID}
							e.fit[k] = append(e.fit[k], r)
						}
					}
				}
			}
		}
		for pi, p := range a.Prohibitions {
			if len(p.Datasets) > 0 && !slices.Contains(p.Datasets, ds.ID) {
				continue
			}
			e.prohibitions = append(e.prohibitions, &prohibition{n: pi + 1,
				clause:  v.clause + " prohibition #" + strconv.Itoa(pi+1),
				actions: p.Actions, columns: p.Columns, purposes: p.Purposes, orgs: p.Organisations})
		}
		x.byDataset[ds.ID] = append(x.byDataset[ds.ID], e)
		for _, p := range a.Parties {
			org := p.Organisation
			x.byParty[datasetOrg{ds.ID, org}] = append(x.byParty[datasetOrg{ds.ID, org}], e)
			for _, pr := range e.prohibitions {
				if len(pr.orgs) > 0 && !slices.Contains(pr.orgs, org) || len(pr.orgs) == 0 && org == e.custodian {
					continue
				}
				for _, act := range pr.actions {
					k := datasetOrgAction{ds.ID, org, act}
					x.prohibits[k] = append(x.prohibits[k], bound{e, pr})
				}
			}
			for k, rules := range e.fit {
				if k.org != org {
					continue
				}
				fk := datasetOrgActionPurpose{ds.ID, org, k.action, k.purpose}
				for _, r := range rules {
					x.allows[fk] = append(x.allows[fk], granted{e, r})
				}
			}
		}
	}
}

func newRule(a *Agreement, ds *Dataset, pi int, p Permission, act Action, clause string) *rule {
	r := &rule{n: pi + 1, clause: clause + " permission #" + strconv.Itoa(pi+1),
		purposes: p.Purposes, tier: cmp.Or(p.Tier, a.Tier), columns: map[string]Use{}}
	r.allowed = "Allowed by " + r.clause + "."
	if p.Window != nil {
		r.window = *p.Window
	}
	for _, c := range ds.Columns {
		if len(p.Columns) == 0 || slices.Contains(p.Columns, c.Name) {
			r.columns[c.Name] = c.Use
		}
	}
	roles := partyRolesFor(act)
	for _, party := range a.Parties {
		if len(p.Recipients) > 0 && !slices.Contains(p.Recipients, party.Organisation) {
			continue
		}
		if slices.ContainsFunc(roles, party.Has) {
			r.orgs = append(r.orgs, party.Organisation)
		}
	}
	return r
}

func (v *version) inForce(t time.Time) bool {
	for _, iv := range v.active {
		if iv.contains(t) {
			return true
		}
	}
	return false
}

// state is the version's state at t, superseded included.
func (v *version) state(t time.Time) State {
	if !v.superseded.IsZero() && !t.Before(v.superseded) {
		return StateSuperseded
	}
	return v.life.State(t)
}

// State returns the state of agreement id, version ver at t, including
// StateSuperseded, or "" if that version is not loaded.
func (x *Decider) State(id string, ver int, t time.Time) State {
	for _, v := range x.versions[id] {
		if v.a.Version == ver {
			return v.state(t)
		}
	}
	return ""
}

// InForce returns the agreement versions in force at t, by id.
func (x *Decider) InForce(t time.Time) []*Agreement {
	var out []*Agreement
	for _, vs := range x.versions {
		for _, v := range vs {
			if v.inForce(t) {
				out = append(out, v.a)
			}
		}
	}
	slices.SortFunc(out, func(p, q *Agreement) int { return cmp.Compare(p.ID, q.ID) })
	return out
}
