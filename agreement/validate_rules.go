package agreement

import (
	"slices"
	"time"
)

// partyRolesFor says which party roles may take an action under a
// permission. Recipients use data; stewards coordinate and publish;
// custodians may also be granted actions on other parties' data.
func partyRolesFor(a Action) []PartyRole {
	switch a {
	case ActionExtract:
		return []PartyRole{PartyRecipient, PartyCustodian}
	case ActionRelease:
		return []PartyRole{PartySteward, PartyRecipient, PartyCustodian}
	default:
		return []PartyRole{PartyRecipient, PartySteward, PartyCustodian}
	}
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func (l *linter) permissions() {
	a := l.a
	if len(a.Permissions) == 0 {
		l.warnf("permissions", "no-permission", "add a permission, or nothing but the custodians' own work will be allowed",
			"the agreement permits nothing")
	}
	for i, p := range a.Permissions {
		pp := item("permissions", i)
		if len(p.Actions) == 0 {
			l.errorf(pp, "required", "add `actions: [query]`", "permission #%d names no action", i+1)
		}
		for j, act := range p.Actions {
			if !slices.Contains(PermittableActions, act) {
				l.errorf(item(pp+".actions", j), "action-not-permittable", "permissions may grant "+words(PermittableActions),
					"`%s` cannot be permitted", act)
			}
		}
		if len(p.Purposes) == 0 {
			l.errorf(pp, "required", "add `purposes: [...]`: every use of data needs a declared purpose", "permission #%d names no purpose", i+1)
		}
		for j, q := range p.Purposes {
			if !a.declaredUnder(q) {
				l.errorf(item(pp+".purposes", j), "undeclared-purpose", "declare it under `purposes`, or correct the id",
					"permission #%d names purpose `%s`, which is not declared", i+1, q)
			}
		}
		for j, ds := range p.Datasets {
			if a.Dataset(ds) == nil {
				l.errorf(item(pp+".datasets", j), "unknown-dataset", "declare the dataset under `datasets`, or correct the id",
					"permission #%d names dataset `%s`, which the agreement does not cover", i+1, ds)
			}
		}
		targets := a.targets(p.Datasets)
		for j, col := range p.Columns {
			allowed := false
			for _, ds := range targets {
				if c := ds.Column(col); c != nil {
					allowed = true
					for _, act := range p.Actions {
						if need := act.NeededUse(); need != "" && c.Use.Rank() < need.Rank() {
							l.warnf(item(pp+".columns", j), "column-use", "raise the column's use in `datasets`, or drop the action",
								"column `%s` of dataset `%s` is allowed for %s only, so %s on it will be refused", col, ds.ID, c.Use.Words(), act)
						}
					}
				}
			}
			if !allowed {
				l.errorf(item(pp+".columns", j), "unknown-column", "allow the column under its dataset first",
					"permission #%d names column `%s`, which no dataset it covers allows", i+1, col)
			}
		}
		if p.Tier != "" && a.Tier != "" && p.Tier.Rank() > a.Tier.Rank() {
			l.errorf(pp+".tier", "tier", "a permission cannot reach further than the agreement's tier",
				"permission #%d allows tier %s but the agreement is %s", i+1, p.Tier, a.Tier)
		}
		l.window(pp, i, p.Window)
		for j, r := range p.Recipients {
			party := a.Party(r)
			if party == nil {
				l.errorf(item(pp+".recipients", j), "unknown-party", "recipients must be parties",
					"permission #%d names recipient `%s`, which is not a party", i+1, r)
				continue
			}
			for _, act := range p.Actions {
				if !slices.ContainsFunc(partyRolesFor(act), party.Has) {
					l.warnf(item(pp+".recipients", j), "party-role", "give the party a suitable role",
						"party `%s` has no role that may %s (needs %s)", r, act, words(partyRolesFor(act)))
				}
			}
			// Internal ends at the custodian: whatever another organisation
			// receives is at least controlled, so the decision function
			// never lets this recipient use the permission.
			tier := p.Tier
			if tier == "" {
				tier = a.Tier
			}
			if tier == TierInternal && slices.ContainsFunc(targets, func(d *Dataset) bool { return d.Custodian != r }) {
				l.warnf(item(pp+".recipients", j), "internal-recipient", "give the permission `tier: controlled`, or drop the recipient",
					"permission #%d reaches only the internal tier, which ends at the custodian; `%s` would receive results at the controlled tier and can never use it", i+1, r)
			}
		}
	}
}

func (l *linter) window(pp string, i int, w *Window) {
	if w == nil {
		return
	}
	v := l.a.Validity
	switch {
	case !w.From.IsZero() && !w.Until.IsZero() && !w.Until.After(w.From):
		l.errorf(pp+".window.until", "validity-order", "the end of the window must come after its start",
			"permission #%d's window ends before it starts", i+1)
	case !w.From.IsZero() && !v.Until.IsZero() && !w.From.Before(v.Until):
		l.warnf(pp+".window.from", "window", "move the window inside the validity period",
			"permission #%d's window starts after the agreement ends", i+1)
	case !w.Until.IsZero() && !v.From.IsZero() && !w.Until.After(v.From):
		l.warnf(pp+".window.until", "window", "move the window inside the validity period",
			"permission #%d's window ends before the agreement starts", i+1)
	}
}

// targets returns the datasets named, or every dataset when none is named.
func (a *Agreement) targets(ids []string) []*Dataset {
	var out []*Dataset
	for i := range a.Datasets {
		if len(ids) == 0 || slices.Contains(ids, a.Datasets[i].ID) {
			out = append(out, &a.Datasets[i])
		}
	}
	return out
}

func (l *linter) prohibitions() {
	a := l.a
	for i, p := range a.Prohibitions {
		pp := item("prohibitions", i)
		if len(p.Actions) == 0 {
			l.errorf(pp, "required", "add `actions: [re-identify]`", "prohibition #%d names no action", i+1)
		}
		for j, ds := range p.Datasets {
			if a.Dataset(ds) == nil {
				l.errorf(item(pp+".datasets", j), "unknown-dataset", "declare the dataset, or correct the id",
					"prohibition #%d names dataset `%s`, which the agreement does not cover", i+1, ds)
			}
		}
		for j, q := range p.Purposes {
			if !a.declaredUnder(q) {
				l.warnf(item(pp+".purposes", j), "undeclared-purpose", "a prohibition on an undeclared purpose has no effect",
					"prohibition #%d names purpose `%s`, which is not declared", i+1, q)
			}
		}
		for j, o := range p.Organisations {
			if a.Party(o) == nil {
				l.errorf(item(pp+".organisations", j), "unknown-party", "prohibitions bind parties",
					"prohibition #%d names `%s`, which is not a party", i+1, o)
			}
		}
		targets := a.targets(p.Datasets)
		for j, col := range p.Columns {
			if !slices.ContainsFunc(targets, func(d *Dataset) bool { return d.Column(col) != nil || d.Schema[col] != "" }) {
				l.warnf(item(pp+".columns", j), "unknown-column", "correct the column name",
					"prohibition #%d names column `%s`, which no dataset it covers has", i+1, col)
			}
		}
	}
}

func (l *linter) obligations() {
	a := l.a
	breach, deletion := false, false
	for i, o := range a.Obligations {
		op := item("obligations", i)
		for j, p := range o.Parties {
			if a.Party(p) == nil {
				l.errorf(item(op+".parties", j), "unknown-party", "obligations bind parties", "obligation #%d names `%s`, which is not a party", i+1, p)
			}
		}
		switch o.Duty {
		case "":
			l.errorf(op, "required", "add `duty: breach-notification`, `deletion` or `access-review`", "obligation #%d names no duty", i+1)
		case DutyBreachNotification:
			breach = true
			if o.WithinHours <= 0 {
				l.errorf(op, "missing-breach-deadline", "add `within_hours: 72` (the GDPR deadline is 72 hours)",
					"breach notification has no deadline")
			}
		case DutyDeletion:
			deletion = true
			if o.At == "" {
				l.errorf(op, "required", "add `at: end-of-retention`", "the deletion duty does not say when")
			}
		case DutyAccessReview:
			if o.Every.IsZero() {
				l.errorf(op, "required", "add `every: P1Y`", "the access review does not say how often")
			}
		}
	}
	if !breach {
		l.errorf("obligations", "missing-breach-deadline", "add `- {duty: breach-notification, within_hours: 72}` under `obligations`",
			"the agreement has no breach-notification deadline")
	}
	if !deletion && a.permits(ActionExtract, ActionRelease) {
		l.warnf("obligations", "missing-deletion", "add `- {duty: deletion, at: end-of-retention}`",
			"data leaves the custodian under this agreement but no deletion duty is stated")
	}
}

// permits reports whether any permission grants one of the actions.
func (a *Agreement) permits(acts ...Action) bool {
	for _, p := range a.Permissions {
		for _, act := range acts {
			if slices.Contains(p.Actions, act) {
				return true
			}
		}
	}
	return false
}

func (l *linter) privacy() {
	a, pv := l.a, l.a.Privacy
	if a.permits(ActionQuery) && pv.MinCellSize < 1 {
		l.errorf("privacy.min_cell_size", "min-cell-size", "add `min_cell_size: 10` under `privacy`",
			"aggregate queries are permitted but no minimum cell size is set")
	}
	if e := pv.Epsilon; e != nil {
		if e.Budget <= 0 {
			l.errorf("privacy.epsilon.budget", "epsilon", "use a positive budget such as 1.0; to forbid queries, remove the query permission",
				"epsilon budget must be greater than 0, not %s", num(e.Budget))
		} else if e.Budget > 10 {
			l.warnf("privacy.epsilon.budget", "epsilon", "budgets above 10 give little protection", "epsilon budget %s is very large", num(e.Budget))
		}
		if e.Period == "" {
			l.errorf("privacy.epsilon", "required", "add `period: month`", "the epsilon budget has no period")
		}
	} else if a.permits(ActionQuery) {
		l.warnf("privacy", "epsilon", "add `epsilon: {budget: 1.0, period: month}` under `privacy`",
			"aggregate queries are permitted without a differential-privacy budget")
	}
	r := pv.Release
	if r == nil {
		if a.Tier == TierPublic || a.permits(ActionRelease) {
			l.errorf("privacy", "missing-release", "add `release: {k: 5, max_risk: 0.05, community_signoffs: 1}` under `privacy`",
				"releases are possible but no release thresholds are set")
		}
		return
	}
	if r.K < 2 {
		l.errorf("privacy.release.k", "k-anonymity", "k must be at least 2; 5 or more is common",
			"k is %d: every record would be allowed to stand alone", r.K)
	}
	if r.L == 1 {
		l.warnf("privacy.release.l", "l-diversity", "use 2 or more, or remove l", "l = 1 adds no protection")
	} else if r.L < 0 {
		l.errorf("privacy.release.l", "l-diversity", "use 2 or more, or remove l", "l cannot be negative")
	}
	if r.MaxRisk < 0 || r.MaxRisk > 1 {
		l.errorf("privacy.release.max_risk", "max-risk", "a risk is a share between 0 and 1, such as 0.05",
			"max_risk %s is not between 0 and 1", num(r.MaxRisk))
	}
	if r.CommunitySignoffs < 0 {
		l.errorf("privacy.release.community_signoffs", "community-signoffs", "use 1 or more", "community_signoffs cannot be negative")
	}
	if a.Tier == TierPublic && r.CommunitySignoffs < 1 {
		l.errorf("privacy.release.community_signoffs", "public-without-signoff",
			"add `community_signoffs: 1` (or more) under `privacy.release`",
			"a public-tier agreement must say how many community representatives sign off a release")
	}
}

func (l *linter) contacts() {
	a := l.a
	for i, c := range a.Contacts {
		cp := item("contacts", i)
		if a.Party(c.Organisation) == nil {
			l.errorf(cp+".organisation", "unknown-party", "contacts belong to parties", "contact organisation `%s` is not a party", c.Organisation)
		}
		if c.Name == "" {
			l.errorf(cp, "required", "add `name:`", "contact #%d has no name", i+1)
		}
		if c.Email == "" && c.Phone == "" {
			l.warnf(cp, "contact", "add `email:` or `phone:`", "contact `%s` cannot be reached", c.Name)
		}
	}
	if len(a.Contacts) == 0 {
		l.warnf("contacts", "contact", "add at least one contact per party", "the agreement lists no contacts")
	}
	if a.DisputeResolution == nil {
		l.warnf("dispute_resolution", "dispute", "add `dispute_resolution: {process: ...}`", "the agreement does not say how disputes are resolved")
	} else if a.DisputeResolution.Process == "" {
		l.errorf("dispute_resolution", "required", "describe the process in plain words", "dispute resolution has no process")
	}
}
