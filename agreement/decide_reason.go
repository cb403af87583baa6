package agreement

import (
	"fmt"
	"strings"
	"time"
)

// decision turns the closest failure into a refusal a non-engineer can act on.
func (f failure) decision(req Request, tier Tier) Decision {
	if f.rank == rankNone {
		return deny(fmt.Sprintf("No agreement covers dataset `%s`.", req.Dataset))
	}
	v := f.v
	a := v.a
	d := Decision{Clause: v.clause, Agreement: a.ID, Version: a.Version}
	if f.r != nil {
		d.Clause = f.r.clause
	}
	switch f.rank {
	case rankNotInForce:
		d.Reason = fmt.Sprintf("%s is not in force at %s: %s.", v.clause, req.Time.UTC().Format("2006-01-02 15:04 MST"), v.why(req.Time))
	case rankNotParty:
		d.Reason = fmt.Sprintf("%s is not a party to %s, which covers dataset `%s`.", req.Organisation, v.clause, req.Dataset)
	case rankNoPermission:
		d.Reason = fmt.Sprintf("%s does not permit %s on dataset `%s`.", v.clause, req.Action, req.Dataset)
	case rankUndeclaredPurpose:
		d.Reason = fmt.Sprintf("Purpose `%s` is not declared in %s (declared: %s).", req.Purpose, v.clause, purposeList(a))
	case rankOrganisation:
		d.Reason = fmt.Sprintf("%s lets only %s %s dataset `%s`; %s is a party as %s.",
			f.r.clause, strings.Join(f.r.orgs, ", "), req.Action, req.Dataset, req.Organisation, partyRoles(v.parties[req.Organisation]))
	case rankPurpose:
		d.Reason = fmt.Sprintf("%s allows %s only for %s, not for `%s`.", f.r.clause, req.Action, strings.Join(f.r.purposes, ", "), req.Purpose)
	case rankWindow:
		d.Reason = fmt.Sprintf("%s applies only %s.", f.r.clause, windowWords(f.r.window))
	case rankTier:
		d.Reason = fmt.Sprintf("%s allows results up to the %s tier, not %s.", f.r.clause, f.r.tier, tier)
	case rankColumns:
		c := f.reason
		need := req.Action.NeededUse()
		if u, ok := f.r.columns[c]; ok {
			d.Reason = fmt.Sprintf("Column `%s` of dataset `%s` is allowed for %s only; %s needs %s (%s).", c, req.Dataset, u.Words(), req.Action, need.Words(), f.r.clause)
		} else {
			d.Reason = fmt.Sprintf("Column `%s` of dataset `%s` is outside the scope of %s.", c, req.Dataset, f.r.clause)
		}
	}
	return d
}

// why explains a version that is not in force.
func (v *version) why(t time.Time) string {
	switch st := v.state(t); st {
	case StateDraft:
		return "it is still a draft"
	case StateProposed:
		return "not every party has signed it yet (waiting for " + strings.Join(v.life.Unsigned(t), ", ") + ")"
	case StateSigned:
		return "its validity starts on " + day(v.a.Validity.From)
	case StateExpired:
		return "it expired on " + v.a.Validity.Until.UTC().Format("2006-01-02 15:04 MST")
	case StateSuperseded:
		return fmt.Sprintf("version %d replaced it", v.by)
	default:
		return "it is " + string(st)
	}
}

func purposeList(a *Agreement) string {
	ids := make([]string, len(a.Purposes))
	for i, p := range a.Purposes {
		ids[i] = p.ID
	}
	return strings.Join(ids, ", ")
}

func partyRoles(p *Party) string {
	if p == nil {
		return "nothing"
	}
	return words(p.Roles)
}

func windowWords(w Window) string {
	switch {
	case w.From.IsZero():
		return "before " + w.Until.UTC().Format(time.RFC3339)
	case w.Until.IsZero():
		return "from " + w.From.UTC().Format(time.RFC3339)
	}
	return "from " + w.From.UTC().Format(time.RFC3339) + " until " + w.Until.UTC().Format(time.RFC3339)
}
