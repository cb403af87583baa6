package agreement

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// ODRL export vocabulary. Accord terms that ODRL's common vocabulary lacks
// live in the Accord profile under the urn:accord: namespace; they are
// described in docs/agreement.md.
const (
	odrlContext = "http://www.w3.org/ns/odrl.jsonld"
	dpvNS       = "https://w3id.org/dpv#"
	odrlProfile = "urn:accord:odrl:profile:1"
)

type odrlPolicy struct {
	Context     []any          `json:"@context"`
	Type        string         `json:"@type"`
	UID         string         `json:"uid"`
	Profile     string         `json:"profile"`
	Title       string         `json:"dct:title"`
	Version     string         `json:"dct:hasVersion"`
	Replaces    string         `json:"dct:replaces,omitempty"`
	Valid       string         `json:"dct:valid"`
	Tier        Tier           `json:"accord:tier"`
	Purposes    []odrlPurpose  `json:"accord:purposes,omitempty"`
	Permission  []odrlRule     `json:"permission,omitempty"`
	Prohibition []odrlRule     `json:"prohibition,omitempty"`
	Obligation  []odrlRule     `json:"obligation,omitempty"`
	Privacy     map[string]any `json:"accord:privacy,omitempty"`
}

type odrlPurpose struct {
	ID          string  `json:"@id"`
	Type        string  `json:"@type"`
	Broader     *odrlID `json:"skos:broader,omitempty"`
	Description string  `json:"dct:description,omitempty"`
}

type odrlID struct {
	ID string `json:"@id"`
}

type odrlRule struct {
	UID         string           `json:"uid"`
	Target      any              `json:"target,omitempty"`
	Action      string           `json:"action"`
	Assigner    string           `json:"assigner,omitempty"`
	Assignee    []string         `json:"assignee,omitempty"`
	Constraint  []odrlConstraint `json:"constraint,omitempty"`
	Description string           `json:"dct:description,omitempty"`
}

type odrlAssetCollection struct {
	Type       string           `json:"@type"`
	Source     string           `json:"source"`
	Refinement []odrlConstraint `json:"refinement"`
}

type odrlConstraint struct {
	LeftOperand  string `json:"leftOperand"`
	Operator     string `json:"operator"`
	RightOperand any    `json:"rightOperand"`
	Unit         string `json:"unit,omitempty"`
}

type odrlTyped struct {
	Value string `json:"@value"`
	Type  string `json:"@type"`
}

// odrlActions maps Accord actions onto ODRL's common vocabulary where a
// term means the same thing, and onto the Accord profile where none does.
var odrlActions = map[Action]string{
	ActionExtract: "extract",
	ActionRelease: "distribute",
	ActionShare:   "distribute",
}

func odrlAction(a Action) string {
	if s, ok := odrlActions[a]; ok {
		return s
	}
	return "accord:" + string(a)
}

func orgIRI(o string) string     { return "urn:accord:organisation:" + o }
func datasetIRI(d string) string { return "urn:accord:dataset:" + d }
func purposeIRI(p string) string { return "urn:accord:purpose:" + p }
func dateTime(t time.Time) odrlTyped {
	return odrlTyped{Value: t.UTC().Format(time.RFC3339), Type: "xsd:dateTime"}
}
func duration(d string) odrlTyped { return odrlTyped{Value: d, Type: "xsd:duration"} }

// ExportODRL writes the agreement as a W3C ODRL 2.2 Agreement in JSON-LD.
// ODRL gives each rule one action and one target, so every permission and
// prohibition becomes one rule per dataset and action. Purposes appear as
// their DPV terms where the agreement names one. Contacts and dispute
// resolution have no ODRL counterpart and are left out.
func ExportODRL(a *Agreement) ([]byte, error) {
	uid := fmt.Sprintf("urn:accord:agreement:%s:%d", a.ID, a.Version)
	p := odrlPolicy{
		Context: []any{odrlContext, map[string]string{
			"dct": "http://purl.org/dc/terms/", "dpv": dpvNS, "skos": "http://www.w3.org/2004/02/skos/core#",
			"xsd": "http://www.w3.org/2001/XMLSchema#", "accord": "urn:accord:",
		}},
		Type:    "Agreement",
		UID:     uid,
		Profile: odrlProfile,
		Title:   a.Title,
		Version: strconv.Itoa(a.Version),
		Valid:   a.Validity.From.UTC().Format(time.RFC3339) + "/" + a.Validity.Until.UTC().Format(time.RFC3339),
		Tier:    a.Tier,
	}
	if a.Previous != nil {
		p.Replaces = fmt.Sprintf("urn:accord:agreement:%s:%d", a.Previous.ID, a.Previous.Version)
	}
	for _, pur := range a.Purposes {
		op := odrlPurpose{ID: purposeIRI(pur.ID), Type: "dpv:Purpose", Description: pur.Description}
		if pur.DPV != "" {
			op.Broader = &odrlID{"dpv:" + pur.DPV}
		}
		p.Purposes = append(p.Purposes, op)
	}
	for pi, perm := range a.Permissions {
		for _, ds := range a.targets(perm.Datasets) {
			for _, act := range perm.Actions {
				r := odrlRule{
					UID:         fmt.Sprintf("%s#permission-%d-%s-%s", uid, pi+1, ds.ID, act),
					Target:      target(ds, perm.Columns, act),
					Action:      odrlAction(act),
					Assigner:    orgIRI(ds.Custodian),
					Description: perm.Description,
				}
				for _, o := range eligible(a, perm, act) {
					r.Assignee = append(r.Assignee, orgIRI(o))
				}
				r.Constraint = append(r.Constraint, purposeConstraint(a, perm.Purposes))
				r.Constraint = append(r.Constraint, timeConstraints(a, perm.Window)...)
				r.Constraint = append(r.Constraint, odrlConstraint{"accord:tier", "lteq", string(cmpOr(perm.Tier, a.Tier)), ""})
				r.Constraint = append(r.Constraint, privacyConstraints(a.Privacy, act)...)
				p.Permission = append(p.Permission, r)
			}
		}
	}
	for pi, pro := range a.Prohibitions {
		for _, ds := range a.targets(pro.Datasets) {
			for _, act := range pro.Actions {
				r := odrlRule{
					UID:         fmt.Sprintf("%s#prohibition-%d-%s-%s", uid, pi+1, ds.ID, act),
					Target:      target(ds, pro.Columns, ""),
					Action:      odrlAction(act),
					Assigner:    orgIRI(ds.Custodian),
					Description: pro.Description,
				}
				for _, party := range a.Parties {
					if slices.Contains(pro.Organisations, party.Organisation) || len(pro.Organisations) == 0 && party.Organisation != ds.Custodian {
						r.Assignee = append(r.Assignee, orgIRI(party.Organisation))
					}
				}
				if len(pro.Purposes) > 0 {
					r.Constraint = append(r.Constraint, purposeConstraint(a, pro.Purposes))
				}
				p.Prohibition = append(p.Prohibition, r)
			}
		}
	}
	for i, o := range a.Obligations {
		p.Obligation = append(p.Obligation, obligationRule(a, uid, i, o))
	}
	p.Privacy = privacyTerms(a.Privacy)

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("export agreement %s to ODRL: %w", a.ID, err)
	}
	return buf.Bytes(), nil
}

func cmpOr(t, def Tier) Tier {
	if t == "" {
		return def
	}
	return t
}

// eligible lists the organisations that may exercise a permission's action:
// the named recipients (or every party) whose role allows the action.
func eligible(a *Agreement, p Permission, act Action) []string {
	var out []string
	roles := partyRolesFor(act)
	for _, party := range a.Parties {
		if len(p.Recipients) > 0 && !slices.Contains(p.Recipients, party.Organisation) {
			continue
		}
		if slices.ContainsFunc(roles, party.Has) {
			out = append(out, party.Organisation)
		}
	}
	return out
}

// target is the dataset, narrowed to the columns the rule reaches: for a
// permission, the listed (or all allowed) columns whose use suffices for
// the action; for a prohibition, the listed columns.
func target(ds *Dataset, cols []string, act Action) any {
	var reach []string
	if act == "" {
		reach = cols
	} else {
		need := act.NeededUse()
		for _, c := range ds.Columns {
			if (len(cols) == 0 || slices.Contains(cols, c.Name)) && c.Use.Rank() >= need.Rank() {
				reach = append(reach, c.Name)
			}
		}
	}
	if len(reach) == 0 && act == "" {
		return datasetIRI(ds.ID)
	}
	return odrlAssetCollection{Type: "AssetCollection", Source: datasetIRI(ds.ID),
		Refinement: []odrlConstraint{{"accord:column", "isAnyOf", reach, ""}}}
}

func purposeConstraint(a *Agreement, ids []string) odrlConstraint {
	var terms []odrlID
	add := func(iri string) {
		if !slices.Contains(terms, odrlID{iri}) {
			terms = append(terms, odrlID{iri})
		}
	}
	for _, id := range ids {
		// A permission naming a parent purpose covers every declared child.
		for _, pur := range a.Purposes {
			if covers(id, pur.ID) {
				if pur.DPV != "" {
					add("dpv:" + pur.DPV)
				} else {
					add(purposeIRI(pur.ID))
				}
			}
		}
	}
	return odrlConstraint{"purpose", "isAnyOf", terms, ""}
}

func timeConstraints(a *Agreement, w *Window) []odrlConstraint {
	from, until := a.Validity.From, a.Validity.Until
	if w != nil {
		if w.From.After(from) {
			from = w.From
		}
		if !w.Until.IsZero() && w.Until.Before(until) {
			until = w.Until
		}
	}
	return []odrlConstraint{{"dateTime", "gteq", dateTime(from), ""}, {"dateTime", "lt", dateTime(until), ""}}
}

func privacyConstraints(pv Privacy, act Action) []odrlConstraint {
	var out []odrlConstraint
	switch act {
	case ActionQuery:
		if pv.MinCellSize > 0 {
			out = append(out, odrlConstraint{"accord:minCellSize", "gteq", pv.MinCellSize, ""})
		}
		if e := pv.Epsilon; e != nil {
			out = append(out, odrlConstraint{"accord:epsilon", "lteq", e.Budget, "accord:per-" + string(e.Period)})
		}
	case ActionRelease:
		if r := pv.Release; r != nil {
			out = append(out, odrlConstraint{"accord:k", "gteq", r.K, ""})
			if r.L > 0 {
				out = append(out, odrlConstraint{"accord:l", "gteq", r.L, ""})
			}
			if r.MaxRisk > 0 {
				out = append(out, odrlConstraint{"accord:reidentificationRisk", "lteq", r.MaxRisk, ""})
			}
			out = append(out, odrlConstraint{"accord:communitySignoffs", "gteq", r.CommunitySignoffs, ""})
		}
	}
	return out
}

func obligationRule(a *Agreement, uid string, i int, o Obligation) odrlRule {
	r := odrlRule{UID: fmt.Sprintf("%s#obligation-%d-%s", uid, i+1, o.Duty), Description: o.Description}
	bound := o.Parties
	if len(bound) == 0 {
		for _, p := range a.Parties {
			bound = append(bound, p.Organisation)
		}
	}
	for _, b := range bound {
		r.Assignee = append(r.Assignee, orgIRI(b))
	}
	switch o.Duty {
	case DutyBreachNotification:
		r.Action = "inform"
		r.Constraint = []odrlConstraint{{"elapsedTime", "lteq", duration(fmt.Sprintf("PT%dH", o.WithinHours)), ""}}
	case DutyDeletion:
		r.Action = "delete"
		if o.At == AtEndOfValidity || a.Retention.IsZero() {
			r.Constraint = []odrlConstraint{{"dateTime", "lteq", dateTime(a.Validity.Until), ""}}
		} else {
			r.Constraint = []odrlConstraint{{"elapsedTime", "lteq", duration(a.Retention.String()), ""}}
		}
	case DutyAccessReview:
		r.Action = "reviewPolicy"
		r.Constraint = []odrlConstraint{{"timeInterval", "eq", duration(o.Every.String()), ""}}
	}
	return r
}

func privacyTerms(pv Privacy) map[string]any {
	m := map[string]any{}
	if pv.MinCellSize > 0 {
		m["accord:minCellSize"] = pv.MinCellSize
	}
	if e := pv.Epsilon; e != nil {
		m["accord:epsilon"] = map[string]any{"accord:budget": e.Budget, "accord:period": string(e.Period)}
	}
	if r := pv.Release; r != nil {
		m["accord:release"] = map[string]any{"accord:k": r.K, "accord:l": r.L,
			"accord:reidentificationRisk": r.MaxRisk, "accord:communitySignoffs": r.CommunitySignoffs}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}
