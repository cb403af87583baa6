package agreement

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Diff describes in words what changed from a to b, one sentence per
// change, in the order of the agreement's sections. Parties read these
// before signing an amendment, so each sentence names the thing changed
// and, where it helps, what it was before.
func Diff(a, b *Agreement) []string {
	d := &differ{}
	d.header(a, b)
	d.parties(a, b)
	d.datasets(a, b)
	d.purposes(a, b)
	d.permissions(a, b)
	d.prohibitions(a, b)
	d.obligations(a, b)
	d.privacy(a.Privacy, b.Privacy)
	d.contacts(a, b)
	d.disputes(a.DisputeResolution, b.DisputeResolution)
	return d.out
}

type differ struct{ out []string }

func (d *differ) say(format string, args ...any) { d.out = append(d.out, fmt.Sprintf(format, args...)) }

func (d *differ) header(a, b *Agreement) {
	if a.ID != b.ID {
		d.say("Agreement id changed from `%s` to `%s`", a.ID, b.ID)
	}
	if a.Title != b.Title {
		d.say("Title changed from %q to %q", a.Title, b.Title)
	}
	if a.Tier != b.Tier {
		d.say("Tier changed from %s to %s", a.Tier, b.Tier)
	}
	if !a.Validity.From.Equal(b.Validity.From) {
		d.say("Validity now starts %s (was %s)", startWords(b.Validity.From), startWords(a.Validity.From))
	}
	if !a.Validity.Until.Equal(b.Validity.Until) {
		d.say("Validity now ends %s (was %s)", endWords(b.Validity.Until), endWords(a.Validity.Until))
	}
	if a.Retention != b.Retention {
		d.say("Retention changed from %s to %s", orNone(a.Retention.String()), orNone(b.Retention.String()))
	}
}

// startWords and endWords show a day when the time is a midnight, since
// that is how agreements are written; an exclusive midnight end is the end
// of the day before.
func startWords(t time.Time) string {
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return "on " + day(t)
	}
	return "at " + t.Format(time.RFC3339)
}

func endWords(t time.Time) string {
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return "at the end of " + day(t.AddDate(0, 0, -1))
	}
	return "at " + t.Format(time.RFC3339)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func (d *differ) parties(a, b *Agreement) {
	for _, p := range a.Parties {
		if b.Party(p.Organisation) == nil {
			d.say("Party `%s` removed", p.Organisation)
		}
	}
	for _, q := range b.Parties {
		p := a.Party(q.Organisation)
		if p == nil {
			d.say("Party `%s` added as %s", q.Organisation, words(q.Roles))
			continue
		}
		if !slices.Equal(p.Roles, q.Roles) {
			d.say("Party `%s` is now %s (was %s)", q.Organisation, words(q.Roles), words(p.Roles))
		}
		if p.Signer.Member != q.Signer.Member {
			d.say("Party `%s` now signs through member `%s` (was `%s`)", q.Organisation, q.Signer.Member, p.Signer.Member)
		}
		if p.Signer.Key.String() != q.Signer.Key.String() {
			d.say("Signing key of party `%s` changed", q.Organisation)
		}
		if p.Name != q.Name {
			d.say("Party `%s` is now named %q (was %q)", q.Organisation, q.Name, p.Name)
		}
	}
}

func (d *differ) datasets(a, b *Agreement) {
	for _, x := range a.Datasets {
		if b.Dataset(x.ID) == nil {
			d.say("Dataset `%s` removed", x.ID)
		}
	}
	for _, y := range b.Datasets {
		x := a.Dataset(y.ID)
		if x == nil {
			d.say("Dataset `%s` of `%s` added with %d allowed column%s", y.ID, y.Custodian, len(y.Columns), plural(len(y.Columns)))
			for _, c := range y.Columns {
				d.say("Column `%s` of dataset `%s` is allowed for %s", c.Name, y.ID, c.Use.Words())
			}
			continue
		}
		if x.Custodian != y.Custodian {
			d.say("Custodian of dataset `%s` changed from `%s` to `%s`", y.ID, x.Custodian, y.Custodian)
		}
		if x.Title != y.Title {
			d.say("Dataset `%s` is now titled %q (was %q)", y.ID, y.Title, x.Title)
		}
		for _, c := range x.Columns {
			if y.Column(c.Name) == nil {
				d.say("Column `%s` of dataset `%s` is no longer allowed", c.Name, y.ID)
			}
		}
		for _, c := range y.Columns {
			old := x.Column(c.Name)
			switch {
			case old == nil:
				d.say("Column `%s` of dataset `%s` is now allowed for %s", c.Name, y.ID, c.Use.Words())
			case c.Use.Rank() > old.Use.Rank():
				d.say("Column `%s` of dataset `%s` is now allowed for %s", c.Name, y.ID, c.Use.Words())
			case c.Use.Rank() < old.Use.Rank():
				d.say("Column `%s` of dataset `%s` is now limited to %s", c.Name, y.ID, c.Use.Words())
			}
		}
		for _, col := range slices.Sorted(maps.Keys(x.Schema)) {
			if _, ok := y.Schema[col]; !ok {
				d.say("Schema of dataset `%s` no longer lists column `%s`", y.ID, col)
			}
		}
		for _, col := range slices.Sorted(maps.Keys(y.Schema)) {
			switch old, ok := x.Schema[col]; {
			case !ok:
				d.say("Schema of dataset `%s` now lists column `%s` (%s)", y.ID, col, y.Schema[col])
			case old != y.Schema[col]:
				d.say("Column `%s` of dataset `%s` is now classed %s (was %s)", col, y.ID, y.Schema[col], old)
			}
		}
	}
}

func (d *differ) purposes(a, b *Agreement) {
	for _, p := range a.Purposes {
		if b.Purpose(p.ID) == nil {
			d.say("Purpose `%s` removed", p.ID)
		}
	}
	for _, q := range b.Purposes {
		p := a.Purpose(q.ID)
		switch {
		case p == nil:
			d.say("Purpose `%s` added: %s", q.ID, q.Description)
		case p.Description != q.Description:
			d.say("Description of purpose `%s` changed to: %s", q.ID, q.Description)
		}
		if p != nil && p.DPV != q.DPV {
			d.say("Purpose `%s` now maps to DPV term %s (was %s)", q.ID, orNone(q.DPV), orNone(p.DPV))
		}
	}
}

// lists says which items joined or left a list: "Permission #2 now also
// covers column `x`" / "no longer covers column `y`".
func (d *differ) lists(subject, verb, noun string, old, new []string) {
	for _, v := range new {
		if !slices.Contains(old, v) {
			d.say("%s now also %s %s `%s`", subject, verb, noun, v)
		}
	}
	for _, v := range old {
		if !slices.Contains(new, v) {
			d.say("%s no longer %s %s `%s`", subject, verb, noun, v)
		}
	}
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// orAll shows an empty list as "all".
func orAll(xs []string, all string) string {
	if len(xs) == 0 {
		return all
	}
	return strings.Join(xs, ", ")
}

func summary(p Permission, a *Agreement) string {
	return fmt.Sprintf("%s of %s for %s by %s", words(p.Actions), orAll(p.Datasets, "every dataset"),
		strings.Join(p.Purposes, ", "), orAll(p.Recipients, "every eligible party"))
}

// Permissions are compared by position, since clauses are cited by
// their number ("permission #2").
func (d *differ) permissions(a, b *Agreement) {
	for i := len(b.Permissions); i < len(a.Permissions); i++ {
		d.say("Permission #%d removed (it allowed %s)", i+1, summary(a.Permissions[i], a))
	}
	for i, q := range b.Permissions {
		s := fmt.Sprintf("Permission #%d", i+1)
		if i >= len(a.Permissions) {
			d.say("%s added: %s", s, summary(q, b))
			continue
		}
		p := a.Permissions[i]
		d.lists(s, "allows", "action", strs(p.Actions), strs(q.Actions))
		d.lists(s, "allows", "purpose", p.Purposes, q.Purposes)
		d.lists(s, "covers", "dataset", p.Datasets, q.Datasets)
		d.lists(s, "covers", "column", p.Columns, q.Columns)
		d.lists(s, "applies to", "recipient", p.Recipients, q.Recipients)
		if p.Tier != q.Tier {
			d.say("%s tier changed from %s to %s", s, orNone(string(p.Tier)), orNone(string(q.Tier)))
		}
		if windowString(p.Window) != windowString(q.Window) {
			d.say("%s now applies %s (was %s)", s, windowString(q.Window), windowString(p.Window))
		}
		if p.Description != q.Description {
			d.say("%s description changed to: %s", s, q.Description)
		}
	}
}

func windowString(w *Window) string {
	if w == nil || w.From.IsZero() && w.Until.IsZero() {
		return "throughout the validity period"
	}
	var parts []string
	if !w.From.IsZero() {
		parts = append(parts, "from "+strings.TrimPrefix(startWords(w.From), "on "))
	}
	if !w.Until.IsZero() {
		parts = append(parts, "until "+strings.TrimPrefix(endWords(w.Until), "at "))
	}
	return strings.Join(parts, " ")
}

func (d *differ) prohibitions(a, b *Agreement) {
	for i := len(b.Prohibitions); i < len(a.Prohibitions); i++ {
		d.say("Prohibition #%d removed (it forbade %s)", i+1, words(a.Prohibitions[i].Actions))
	}
	for i, q := range b.Prohibitions {
		s := fmt.Sprintf("Prohibition #%d", i+1)
		if i >= len(a.Prohibitions) {
			d.say("%s added: %s forbidden", s, words(q.Actions))
			continue
		}
		p := a.Prohibitions[i]
		d.lists(s, "forbids", "action", strs(p.Actions), strs(q.Actions))
		d.lists(s, "covers", "dataset", p.Datasets, q.Datasets)
		d.lists(s, "covers", "column", p.Columns, q.Columns)
		d.lists(s, "covers", "purpose", p.Purposes, q.Purposes)
		d.lists(s, "binds", "organisation", p.Organisations, q.Organisations)
	}
}

func (d *differ) obligations(a, b *Agreement) {
	find := func(os []Obligation, duty Duty) *Obligation {
		for i := range os {
			if os[i].Duty == duty {
				return &os[i]
			}
		}
		return nil
	}
	for _, duty := range Duties {
		o, n := find(a.Obligations, duty), find(b.Obligations, duty)
		name := strings.ToUpper(string(duty[:1])) + strings.ReplaceAll(string(duty[1:]), "-", " ")
		switch {
		case o == nil && n == nil:
			continue
		case o == nil:
			d.say("%s duty added%s", name, dutyDetail(*n))
			continue
		case n == nil:
			d.say("%s duty removed", name)
			continue
		}
		if o.WithinHours != n.WithinHours {
			d.say("%s deadline changed from %d to %d hours", name, o.WithinHours, n.WithinHours)
		}
		if o.At != n.At {
			d.say("%s now due at %s (was %s)", name, n.At, o.At)
		}
		if o.Every != n.Every {
			d.say("%s now every %s (was every %s)", name, n.Every, o.Every)
		}
		d.lists(name+" duty", "binds", "party", o.Parties, n.Parties)
	}
}

func dutyDetail(o Obligation) string {
	switch {
	case o.WithinHours > 0:
		return fmt.Sprintf(" (within %d hours)", o.WithinHours)
	case o.At != "":
		return " (at " + o.At + ")"
	case !o.Every.IsZero():
		return " (every " + o.Every.String() + ")"
	}
	return ""
}

func (d *differ) privacy(a, b Privacy) {
	if a.MinCellSize != b.MinCellSize {
		d.say("Minimum cell size changed from %d to %d", a.MinCellSize, b.MinCellSize)
	}
	switch ea, eb := a.Epsilon, b.Epsilon; {
	case ea == nil && eb != nil:
		d.say("Epsilon budget of %s per %s added", num(eb.Budget), eb.Period)
	case ea != nil && eb == nil:
		d.say("Epsilon budget removed (was %s per %s)", num(ea.Budget), ea.Period)
	case ea != nil && ea.Period != eb.Period:
		d.say("Epsilon budget changed from %s per %s to %s per %s", num(ea.Budget), ea.Period, num(eb.Budget), eb.Period)
	case ea != nil && ea.Budget != eb.Budget:
		d.say("Epsilon budget per %s changed from %s to %s", eb.Period, num(ea.Budget), num(eb.Budget))
	}
	ra, rb := a.Release, b.Release
	switch {
	case ra == nil && rb == nil:
		return
	case ra == nil:
		d.say("Release thresholds added: k %d, l %d, maximum risk %s, %d community sign-off%s", rb.K, rb.L, num(rb.MaxRisk), rb.CommunitySignoffs, plural(rb.CommunitySignoffs))
		return
	case rb == nil:
		d.say("Release thresholds removed")
		return
	}
	if ra.K != rb.K {
		d.say("k for release changed from %d to %d", ra.K, rb.K)
	}
	if ra.L != rb.L {
		d.say("l for release changed from %d to %d", ra.L, rb.L)
	}
	if ra.MaxRisk != rb.MaxRisk {
		d.say("Maximum re-identification risk for release changed from %s to %s", num(ra.MaxRisk), num(rb.MaxRisk))
	}
	if ra.CommunitySignoffs != rb.CommunitySignoffs {
		d.say("Community sign-offs required to publish changed from %d to %d", ra.CommunitySignoffs, rb.CommunitySignoffs)
	}
}

func (d *differ) contacts(a, b *Agreement) {
	key := func(c Contact) string { return c.Organisation + "/" + c.Name }
	old := map[string]Contact{}
	for _, c := range a.Contacts {
		old[key(c)] = c
	}
	seen := map[string]bool{}
	for _, c := range b.Contacts {
		seen[key(c)] = true
		o, ok := old[key(c)]
		switch {
		case !ok:
			d.say("Contact %s (%s) added", c.Name, c.Organisation)
		case o != c:
			d.say("Contact details of %s (%s) changed", c.Name, c.Organisation)
		}
	}
	for _, c := range a.Contacts {
		if !seen[key(c)] {
			d.say("Contact %s (%s) removed", c.Name, c.Organisation)
		}
	}
}

func (d *differ) disputes(a, b *DisputeResolution) {
	switch {
	case a == nil && b != nil:
		d.say("Dispute resolution added: %s", b.Process)
	case a != nil && b == nil:
		d.say("Dispute resolution removed")
	case a != nil && *a != *b:
		d.say("Dispute resolution changed: %s", b.Process)
	}
}
