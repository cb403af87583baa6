package agreement

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// This file maps each YAML section onto its struct. Every list item is
// appended before it is decoded so that positions recorded by path
// ("parties[2]") stay aligned with the source even when an item is wrong.

func (d *decoder) agreement(path string, n *yaml.Node, a *Agreement) {
	d.fields(path, n, map[string]fieldFunc{
		"id":      d.text(&a.ID),
		"version": d.integer(&a.Version),
		"previous": func(p string, v *yaml.Node) {
			a.Previous = &Reference{}
			d.fields(p, v, map[string]fieldFunc{
				"id":      d.text(&a.Previous.ID),
				"version": d.integer(&a.Previous.Version),
				"digest":  d.text(&a.Previous.Digest),
			})
		},
		"title":     d.text(&a.Title),
		"tier":      wordField(d, &a.Tier, Tiers, "tier"),
		"retention": d.duration(&a.Retention),
		"validity": func(p string, v *yaml.Node) {
			d.fields(p, v, map[string]fieldFunc{
				"from":  d.timestamp(&a.Validity.From, false),
				"until": d.timestamp(&a.Validity.Until, true),
			})
		},
		"parties": func(p string, v *yaml.Node) {
			d.list(p, v, func(p string, _ int, v *yaml.Node) {
				a.Parties = append(a.Parties, Party{})
				d.party(p, v, &a.Parties[len(a.Parties)-1])
			})
		},
		"datasets": func(p string, v *yaml.Node) {
			d.list(p, v, func(p string, _ int, v *yaml.Node) {
				a.Datasets = append(a.Datasets, Dataset{})
				d.dataset(p, v, &a.Datasets[len(a.Datasets)-1])
			})
		},
		"purposes": func(p string, v *yaml.Node) {
			d.list(p, v, func(p string, _ int, v *yaml.Node) {
				a.Purposes = append(a.Purposes, Purpose{})
				x := &a.Purposes[len(a.Purposes)-1]
				d.fields(p, v, map[string]fieldFunc{
					"id":          d.text(&x.ID),
					"description": d.text(&x.Description),
					"dpv":         d.text(&x.DPV),
				})
			})
		},
		"permissions": func(p string, v *yaml.Node) {
			d.list(p, v, func(p string, _ int, v *yaml.Node) {
				a.Permissions = append(a.Permissions, Permission{})
				d.permission(p, v, &a.Permissions[len(a.Permissions)-1])
			})
		},
		"prohibitions": func(p string, v *yaml.Node) {
			d.list(p, v, func(p string, _ int, v *yaml.Node) {
				a.Prohibitions = append(a.Prohibitions, Prohibition{})
				x := &a.Prohibitions[len(a.Prohibitions)-1]
				d.fields(p, v, map[string]fieldFunc{
					"actions":       wordList(d, &x.Actions, Actions, "action"),
					"datasets":      d.strings(&x.Datasets),
					"columns":       d.strings(&x.Columns),
					"purposes":      d.strings(&x.Purposes),
					"organisations": d.strings(&x.Organisations),
					"description":   d.text(&x.Description),
				})
			})
		},
		"obligations": func(p string, v *yaml.Node) {
			d.list(p, v, func(p string, _ int, v *yaml.Node) {
				a.Obligations = append(a.Obligations, Obligation{})
				x := &a.Obligations[len(a.Obligations)-1]
				d.fields(p, v, map[string]fieldFunc{
					"duty":         wordField(d, &x.Duty, Duties, "duty"),
					"parties":      d.strings(&x.Parties),
					"within_hours": d.integer(&x.WithinHours),
					"at":           d.deletionMoment(&x.At),
					"every":        d.duration(&x.Every),
					"description":  d.text(&x.Description),
				})
			})
		},
		"privacy": func(p string, v *yaml.Node) { d.privacy(p, v, &a.Privacy) },
		"contacts": func(p string, v *yaml.Node) {
			d.list(p, v, func(p string, _ int, v *yaml.Node) {
				a.Contacts = append(a.Contacts, Contact{})
				x := &a.Contacts[len(a.Contacts)-1]
				d.fields(p, v, map[string]fieldFunc{
					"organisation": d.text(&x.Organisation),
					"name":         d.text(&x.Name),
					"email":        d.text(&x.Email),
					"phone":        d.text(&x.Phone),
					"role":         d.text(&x.Role),
				})
			})
		},
		"dispute_resolution": func(p string, v *yaml.Node) {
			a.DisputeResolution = &DisputeResolution{}
			x := a.DisputeResolution
			d.fields(p, v, map[string]fieldFunc{
				"process":  d.text(&x.Process),
				"mediator": d.text(&x.Mediator),
				"contact":  d.text(&x.Contact),
			})
		},
	})
}

func (d *decoder) party(path string, n *yaml.Node, x *Party) {
	d.fields(path, n, map[string]fieldFunc{
		"organisation": d.text(&x.Organisation),
		"name":         d.text(&x.Name),
		"roles":        wordList(d, &x.Roles, PartyRoles, "party role"),
		"signer": func(p string, v *yaml.Node) {
			d.fields(p, v, map[string]fieldFunc{
				"member": d.text(&x.Signer.Member),
				"key": func(p string, v *yaml.Node) {
					s, ok := d.str(p, v)
					if !ok {
						return
					}
					k, err := ParsePublicKey(s)
					if err != nil {
						d.add(v, "key", fmt.Sprintf("%s: %v", name(p), err),
							"write the signer's public key as ed25519: followed by its base64")
						return
					}
					x.Signer.Key = k
				},
			})
		},
	})
}

func (d *decoder) dataset(path string, n *yaml.Node, x *Dataset) {
	d.fields(path, n, map[string]fieldFunc{
		"id":        d.text(&x.ID),
		"custodian": d.text(&x.Custodian),
		"title":     d.text(&x.Title),
		"schema": func(p string, v *yaml.Node) {
			x.Schema = map[string]ColumnClass{}
			d.pos[p] = posOf(v)
			d.pairs(p, v, func(key string, k, v *yaml.Node) {
				cp := join(p, key)
				d.pos[cp] = posOf(k)
				if c, ok := word(d, cp, v, ColumnClasses, "column class"); ok {
					x.Schema[key] = c
				}
			})
		},
		"columns": func(p string, v *yaml.Node) {
			d.list(p, v, func(p string, _ int, v *yaml.Node) {
				x.Columns = append(x.Columns, Column{})
				c := &x.Columns[len(x.Columns)-1]
				d.fields(p, v, map[string]fieldFunc{
					"name": d.text(&c.Name),
					"use":  wordField(d, &c.Use, Uses, "use"),
				})
			})
		},
	})
}

func (d *decoder) permission(path string, n *yaml.Node, x *Permission) {
	d.fields(path, n, map[string]fieldFunc{
		"actions":  wordList(d, &x.Actions, Actions, "action"),
		"purposes": d.strings(&x.Purposes),
		"datasets": d.strings(&x.Datasets),
		"columns":  d.strings(&x.Columns),
		"tier":     wordField(d, &x.Tier, Tiers, "tier"),
		"window": func(p string, v *yaml.Node) {
			x.Window = &Window{}
			d.fields(p, v, map[string]fieldFunc{
				"from":  d.timestamp(&x.Window.From, false),
				"until": d.timestamp(&x.Window.Until, true),
			})
		},
		"recipients":  d.strings(&x.Recipients),
		"description": d.text(&x.Description),
	})
}

func (d *decoder) privacy(path string, n *yaml.Node, x *Privacy) {
	d.fields(path, n, map[string]fieldFunc{
		"min_cell_size": d.integer(&x.MinCellSize),
		"epsilon": func(p string, v *yaml.Node) {
			x.Epsilon = &Epsilon{}
			d.fields(p, v, map[string]fieldFunc{
				"budget": d.number(&x.Epsilon.Budget),
				"period": wordField(d, &x.Epsilon.Period, Periods, "period"),
			})
		},
		"release": func(p string, v *yaml.Node) {
			x.Release = &Release{}
			r := x.Release
			d.fields(p, v, map[string]fieldFunc{
				"k":                  d.integer(&r.K),
				"l":                  d.integer(&r.L),
				"max_risk":           d.number(&r.MaxRisk),
				"community_signoffs": d.integer(&r.CommunitySignoffs),
			})
		},
	})
}

func (d *decoder) deletionMoment(dst *string) fieldFunc {
	return func(path string, n *yaml.Node) {
		s, ok := d.str(path, n)
		if !ok {
			return
		}
		*dst = s
		if s != AtEndOfRetention && s != AtEndOfValidity {
			d.add(n, "unknown-moment", fmt.Sprintf("unknown deletion moment `%s`", s),
				"use "+AtEndOfRetention+" or "+AtEndOfValidity)
		}
	}
}
