package agreement

import (
	"encoding/hex"
	"regexp"
	"slices"
	"strings"

	"github.com/accord-coalition/accord"
)

var purposeID = regexp.MustCompile(`^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$`)

// validate runs every rule that needs nothing but the agreement.
func (l *linter) validate() {
	l.header()
	l.parties()
	l.datasets()
	l.purposes()
	l.permissions()
	l.prohibitions()
	l.obligations()
	l.privacy()
	l.contacts()
}

func (l *linter) header() {
	a := l.a
	if a.ID == "" {
		l.errorf("id", "required", "add `id: short-name`", "the agreement needs an id")
	} else if !accord.ValidSlug(a.ID) {
		l.errorf("id", "invalid-id", "use 2-63 lowercase letters, digits or '-', starting with a letter",
			"agreement id `%s` is not a valid id", a.ID)
	}
	if a.Version < 1 {
		l.errorf("version", "required", "the first version is 1; each amendment adds one", "the agreement needs a version of at least 1")
	}
	if strings.TrimSpace(a.Title) == "" {
		l.errorf("title", "required", "add `title: ...` in plain words", "the agreement needs a title")
	}
	if a.Tier == "" {
		l.errorf("tier", "required", "add `tier: internal`, `controlled` or `public`", "the agreement needs a tier")
	}
	l.previous()
	v := a.Validity
	switch {
	case v.From.IsZero():
		l.errorf("validity.from", "required", "add `validity: {from: 2025-01-01, until: 2026-12-31}`", "the agreement needs a validity start (`validity.from`)")
	case v.Until.IsZero():
		l.errorf("validity.until", "required", "add `until:` under `validity`", "the agreement needs a validity end (`validity.until`)")
	case !v.Until.After(v.From):
		l.errorf("validity.until", "validity-order", "the end of validity must come after its start",
			"validity ends (%s) before it starts (%s)", day(v.Until), day(v.From))
	}
	switch {
	case a.Retention.IsZero():
		l.errorf("retention", "required", "add `retention: P1Y` (how long data obtained may be kept)", "the agreement needs a retention period")
	case !v.From.IsZero() && !v.Until.IsZero() && v.Until.After(v.From) && a.Retention.AddTo(v.From).After(v.Until):
		l.errorf("retention", "retention-exceeds-validity", "shorten the retention or lengthen the validity",
			"retention %s is longer than the validity period (%s to %s): data would outlive the agreement", a.Retention, day(v.From), day(v.Until))
	}
}

func (l *linter) previous() {
	a, p := l.a, l.a.Previous
	switch {
	case p == nil && a.Version > 1:
		l.errorf("version", "missing-previous", "add `previous: {id, version, digest}` naming the version this one amends",
			"version %d is an amendment and must name the previous version", a.Version)
		return
	case p == nil:
		return
	case a.Version == 1:
		l.errorf("previous", "unexpected-previous", "remove `previous`, or raise the version", "version 1 cannot amend a previous version")
	}
	if p.ID != a.ID {
		l.errorf("previous.id", "previous-mismatch", "an amendment keeps the agreement id",
			"previous version belongs to agreement `%s`, not `%s`", p.ID, a.ID)
	}
	if a.Version > 1 && p.Version != a.Version-1 {
		l.errorf("previous.version", "previous-mismatch", "amend the latest version; versions go up by one",
			"version %d must amend version %d, not %d", a.Version, a.Version-1, p.Version)
	}
	if !validDigest(p.Digest) {
		l.errorf("previous.digest", "invalid-digest", "use the digest of the previous version's canonical form",
			"previous digest must be `sha256:` followed by 64 hexadecimal characters")
	}
}

func validDigest(s string) bool {
	h, ok := strings.CutPrefix(s, "sha256:")
	if !ok || len(h) != 64 || strings.ToLower(h) != h {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

func (l *linter) parties() {
	a := l.a
	if len(a.Parties) == 0 {
		l.errorf("parties", "required", "list the organisations that share data", "the agreement has no parties")
		return
	}
	if len(a.Parties) < 2 {
		l.warnf("parties", "single-party", "data sharing usually involves at least two organisations", "the agreement has only one party")
	}
	seen, keys := map[string]int{}, map[string]int{}
	custodians := 0
	for i, p := range a.Parties {
		pp := item("parties", i)
		switch {
		case p.Organisation == "":
			l.errorf(pp, "required", "add `organisation: <id>`", "party #%d has no organisation", i+1)
		case !accord.ValidSlug(p.Organisation):
			l.errorf(pp+".organisation", "invalid-id", "organisation ids are lowercase slugs", "`%s` is not a valid organisation id", p.Organisation)
		default:
			if j, dup := seen[p.Organisation]; dup {
				l.errorf(pp+".organisation", "duplicate-id", "list each organisation once, with all its roles",
					"organisation `%s` is already party #%d", p.Organisation, j+1)
			}
			seen[p.Organisation] = i
		}
		if len(p.Roles) == 0 {
			l.errorf(pp+".roles", "required", "add `roles: [custodian]`, `[recipient]` or `[steward]`", "party `%s` has no role", p.Organisation)
		}
		if p.Has(PartyCustodian) {
			custodians++
		}
		if p.Signer.Member == "" {
			l.errorf(pp+".signer", "missing-signer", "add `signer: {member: <member id>, key: ed25519:...}`",
				"party `%s` names no member authorised to sign", p.Organisation)
		}
		if len(p.Signer.Key) == 0 {
			l.errorf(pp+".signer", "missing-signer-key", "add `key: ed25519:<base64>` under the party's signer",
				"party `%s` has no signer key, so it could never sign", p.Organisation)
		} else {
			k := string(p.Signer.Key)
			if j, dup := keys[k]; dup {
				l.errorf(pp+".signer.key", "duplicate-key", "each party signs with its own key",
					"party `%s` has the same signer key as party #%d", p.Organisation, j+1)
			}
			keys[k] = i
		}
	}
	if custodians == 0 {
		l.errorf("parties", "no-custodian", "the organisation holding the data is a party with role custodian", "no party is a custodian")
	}
}

func (l *linter) datasets() {
	a := l.a
	if len(a.Datasets) == 0 {
		l.errorf("datasets", "required", "list the datasets the agreement covers", "the agreement covers no dataset")
		return
	}
	seen := map[string]int{}
	for i, ds := range a.Datasets {
		dp := item("datasets", i)
		if ds.ID == "" {
			l.errorf(dp, "required", "add `id: <dataset id>`", "dataset #%d has no id", i+1)
		} else if j, dup := seen[ds.ID]; dup {
			l.errorf(dp+".id", "duplicate-id", "list each dataset once", "dataset `%s` is already dataset #%d", ds.ID, j+1)
		} else {
			seen[ds.ID] = i
		}
		switch p := a.Party(ds.Custodian); {
		case ds.Custodian == "":
			l.errorf(dp, "required", "add `custodian: <organisation id>`", "dataset `%s` has no custodian", ds.ID)
		case p == nil:
			l.errorf(dp+".custodian", "custodian-not-party", "add the custodian to `parties` with role custodian",
				"custodian `%s` of dataset `%s` is not a party to the agreement", ds.Custodian, ds.ID)
		case !p.Has(PartyCustodian):
			l.errorf(dp+".custodian", "custodian-not-party", "add `custodian` to that party's roles",
				"party `%s` holds dataset `%s` but does not have the custodian role", ds.Custodian, ds.ID)
		}
		if len(ds.Columns) == 0 {
			l.errorf(dp+".columns", "required", "list the minimum columns the agreement needs", "dataset `%s` allows no column", ds.ID)
		}
		cols := map[string]int{}
		for j, c := range ds.Columns {
			cp := item(dp+".columns", j)
			if c.Name == "" {
				l.errorf(cp, "required", "add `name: <column>`", "column #%d of dataset `%s` has no name", j+1, ds.ID)
				continue
			}
			if k, dup := cols[c.Name]; dup {
				l.errorf(cp+".name", "duplicate-id", "list each column once", "column `%s` of dataset `%s` is already column #%d", c.Name, ds.ID, k+1)
			}
			cols[c.Name] = j
			if c.Use == "" {
				l.errorf(cp, "required", "add `use: aggregate-only`, `pseudonymised-extract` or `public-release`", "column `%s` has no use", c.Name)
			}
			if ds.Schema != nil {
				class, ok := ds.Schema[c.Name]
				if !ok {
					l.errorf(cp+".name", "unknown-column", "add the column to `schema`, or correct its name",
						"column `%s` is not in the schema of dataset `%s`", c.Name, ds.ID)
				}
				l.checkClass(cp, ds.ID, c, class)
			}
		}
	}
}

func (l *linter) purposes() {
	a := l.a
	if len(a.Purposes) == 0 {
		l.errorf("purposes", "required", "declare why the data is used, e.g. `- id: research.academic`", "the agreement declares no purpose")
	}
	seen := map[string]int{}
	for i, p := range a.Purposes {
		pp := item("purposes", i)
		switch {
		case p.ID == "":
			l.errorf(pp, "required", "add `id: area.activity`", "purpose #%d has no id", i+1)
			continue
		case !purposeID.MatchString(p.ID):
			l.errorf(pp+".id", "invalid-id", "use lowercase words separated by dots, e.g. advocacy.report", "`%s` is not a valid purpose id", p.ID)
		}
		if j, dup := seen[p.ID]; dup {
			l.errorf(pp+".id", "duplicate-id", "declare each purpose once", "purpose `%s` is already purpose #%d", p.ID, j+1)
		}
		seen[p.ID] = i
		if strings.TrimSpace(p.Description) == "" {
			l.errorf(pp, "required", "say in plain words what the purpose covers", "purpose `%s` has no description", p.ID)
		}
		used := false
		for _, perm := range a.Permissions {
			for _, q := range perm.Purposes {
				used = used || covers(q, p.ID)
			}
		}
		if !used {
			l.warnf(pp+".id", "unused-purpose", "remove it, or add it to a permission", "purpose `%s` is declared but no permission allows it", p.ID)
		}
	}
}

// covers reports whether permission purpose q covers requested purpose p:
// the same id, or a dotted ancestor of it ("research" covers "research.academic").
func covers(q, p string) bool {
	return q == p || len(p) > len(q) && p[len(q)] == '.' && p[:len(q)] == q
}

// declaredUnder reports whether some declared purpose is q or lies below q.
func (a *Agreement) declaredUnder(q string) bool {
	return slices.ContainsFunc(a.Purposes, func(p Purpose) bool { return covers(q, p.ID) })
}
