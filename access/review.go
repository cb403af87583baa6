// Package access reviews who holds which grants: the periodic access review
// a coalition owes its members and the people in its data. It is pure: the
// caller loads members and grants.
package access

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/accord-coalition/accord"
)

// Options tune the review.
type Options struct {
	Now          time.Time
	ExpiringDays int // grants expiring within this many days are listed (default 14)
	UnusedDays   int // active grants unused for this many days are listed (default 30)
}

// Finding is one grant or member that needs a human look.
type Finding struct {
	Kind           string    `json:"kind"` // expiring-soon, expired, unused, multi-organisation, permission-creep
	MemberID       string    `json:"member"`
	MemberName     string    `json:"member_name"`
	GrantID        string    `json:"grant,omitempty"`
	OrganisationID string    `json:"organisation,omitempty"`
	Role           string    `json:"role,omitempty"`
	When           time.Time `json:"when,omitzero"`
	Detail         string    `json:"detail"`
}

// Review is the outcome of an access review.
type Review struct {
	GeneratedAt  time.Time `json:"generated_at"`
	ExpiringDays int       `json:"expiring_days"`
	UnusedDays   int       `json:"unused_days"`
	Members      int       `json:"members"`
	ActiveGrants int       `json:"active_grants"`
	Findings     []Finding `json:"findings"`
}

// Run reviews grants against members.
func Run(members []*accord.Member, grants []*accord.Grant, o Options) *Review {
	if o.ExpiringDays <= 0 {
		o.ExpiringDays = 14
	}
	if o.UnusedDays <= 0 {
		o.UnusedDays = 30
	}
	now := o.Now
	r := &Review{GeneratedAt: now, ExpiringDays: o.ExpiringDays, UnusedDays: o.UnusedDays, Members: len(members), Findings: []Finding{}}
	byID := map[string]*accord.Member{}
	for _, m := range members {
		byID[m.ID] = m
	}
	name := func(id string) string {
		if m := byID[id]; m != nil {
			return m.Name
		}
		return ""
	}
	orgsOf := map[string]map[string]bool{}
	for _, g := range grants {
		f := Finding{MemberID: g.MemberID, MemberName: name(g.MemberID), GrantID: g.ID, OrganisationID: g.OrganisationID, Role: string(g.Role)}
		switch {
		case !g.RevokedAt.IsZero():
			continue // revoked grants need no action
		case !now.Before(g.ExpiresAt):
			f.Kind, f.When = "expired", g.ExpiresAt
			f.Detail = fmt.Sprintf("%s grant expired %s; remove it or renew it with a fresh reason", g.Role, g.ExpiresAt.Format("2006-01-02"))
			r.Findings = append(r.Findings, f)
			continue
		}
		r.ActiveGrants++
		if orgsOf[g.MemberID] == nil {
			orgsOf[g.MemberID] = map[string]bool{}
		}
		orgsOf[g.MemberID][g.OrganisationID] = true
		if g.ExpiresAt.Sub(now) <= time.Duration(o.ExpiringDays)*24*time.Hour {
			e := f
			e.Kind, e.When = "expiring-soon", g.ExpiresAt
			e.Detail = fmt.Sprintf("%s grant expires %s (in %d days)", g.Role, g.ExpiresAt.Format("2006-01-02"), int(g.ExpiresAt.Sub(now).Hours()/24))
			r.Findings = append(r.Findings, e)
		}
		last := g.LastUsedAt
		if last.IsZero() {
			last = g.CreatedAt
		}
		if now.Sub(last) >= time.Duration(o.UnusedDays)*24*time.Hour {
			u := f
			u.Kind, u.When = "unused", g.LastUsedAt
			if g.LastUsedAt.IsZero() {
				u.Detail = fmt.Sprintf("%s grant never used since it was given %s", g.Role, g.CreatedAt.Format("2006-01-02"))
			} else {
				u.Detail = fmt.Sprintf("%s grant last used %s", g.Role, g.LastUsedAt.Format("2006-01-02"))
			}
			r.Findings = append(r.Findings, u)
		}
		if m := byID[g.MemberID]; m != nil {
			if extra := wider(g.Role, m.Role); len(extra) > 0 {
				c := f
				c.Kind = "permission-creep"
				c.Detail = fmt.Sprintf("grant of %s gives %s beyond the member's current role %s", g.Role, strings.Join(extra, ", "), m.Role)
				r.Findings = append(r.Findings, c)
			}
		}
	}
	for id, orgs := range orgsOf {
		if len(orgs) < 2 {
			continue
		}
		list := make([]string, 0, len(orgs))
		for o := range orgs {
			list = append(list, o)
		}
		sort.Strings(list)
		r.Findings = append(r.Findings, Finding{Kind: "multi-organisation", MemberID: id, MemberName: name(id),
			Detail: "holds roles in " + strings.Join(list, ", ")})
	}
	sort.SliceStable(r.Findings, func(i, j int) bool {
		a, b := r.Findings[i], r.Findings[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.MemberID != b.MemberID {
			return a.MemberID < b.MemberID
		}
		return a.GrantID < b.GrantID
	})
	return r
}

// wider lists the permissions of granted that current lacks.
func wider(granted, current accord.Role) []string {
	var out []string
	for _, p := range accord.RolePermissions[granted] {
		if !slices.Contains(accord.RolePermissions[current], p) {
			out = append(out, string(p))
		}
	}
	return out
}

// WriteText writes the review for a terminal.
func (r *Review) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "Access review at %s: %d members, %d active grants\n", r.GeneratedAt.Format(time.RFC3339), r.Members, r.ActiveGrants)
	if len(r.Findings) == 0 {
		_, err := fmt.Fprintln(w, "Nothing needs attention.")
		return err
	}
	kind := ""
	for _, f := range r.Findings {
		if f.Kind != kind {
			kind = f.Kind
			fmt.Fprintf(w, "\n%s:\n", kind)
		}
		who := f.MemberID
		if f.MemberName != "" {
			who = fmt.Sprintf("%s (%s)", f.MemberName, f.MemberID)
		}
		where := ""
		if f.GrantID != "" {
			where = fmt.Sprintf(" [grant %s in %s]", f.GrantID, f.OrganisationID)
		}
		if _, err := fmt.Fprintf(w, "  - %s%s: %s\n", who, where, f.Detail); err != nil {
			return err
		}
	}
	return nil
}
