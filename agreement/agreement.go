// Package agreement turns a coalition's data-sharing agreement, written in
// YAML, into something a program can check, sign and obey: it parses and
// lints agreements, encodes them canonically, signs and verifies them, runs
// their lifecycle, explains changes between versions, exports them to W3C
// ODRL, measures drift between an agreement and its use, and holds the one
// decision function every data access goes through.
//
// It is a pure library: no storage, no network, no clock. Callers pass the
// time in, so every answer can be reproduced later from the audit log.
package agreement

import (
	"crypto/ed25519"
	"time"
)

// Agreement is one version of a data-sharing agreement as parsed from YAML.
// Its JSON form (see Canonical) is what parties sign, so every field that
// changes the meaning of the agreement is part of it, and nothing else is.
type Agreement struct {
	ID                string             `json:"id"`
	Version           int                `json:"version"`
	Previous          *Reference         `json:"previous,omitempty"`
	Title             string             `json:"title"`
	Tier              Tier               `json:"tier"`
	Validity          Validity           `json:"validity"`
	Retention         Duration           `json:"retention,omitzero"`
	Parties           []Party            `json:"parties"`
	Datasets          []Dataset          `json:"datasets"`
	Purposes          []Purpose          `json:"purposes"`
	Permissions       []Permission       `json:"permissions"`
	Prohibitions      []Prohibition      `json:"prohibitions,omitempty"`
	Obligations       []Obligation       `json:"obligations,omitempty"`
	Privacy           Privacy            `json:"privacy"`
	Contacts          []Contact          `json:"contacts,omitempty"`
	DisputeResolution *DisputeResolution `json:"dispute_resolution,omitempty"`

	// pos maps a field path ("datasets[0].columns[2].use") to where it was
	// written, so diagnostics found after parsing still point at the source.
	pos map[string]Pos
}

// Reference names the version an amendment replaces. The digest pins the
// exact text that was signed, so an amendment cannot silently rebase onto a
// different document with the same id and version.
type Reference struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Digest  string `json:"digest"` // "sha256:" + lowercase hex
}

// Validity is the period in which the agreement may be in force: From is
// inclusive, Until exclusive. A date-only Until in YAML means the end of
// that day (UTC), because that is what people mean when they write it.
type Validity struct {
	From  time.Time `json:"from"`
	Until time.Time `json:"until"`
}

// Party is an organisation bound by the agreement and the member whose key
// signs for it.
type Party struct {
	Organisation string      `json:"organisation"`
	Name         string      `json:"name,omitempty"`
	Roles        []PartyRole `json:"roles"`
	Signer       Signer      `json:"signer"`
}

// Has reports whether the party holds role r.
func (p *Party) Has(r PartyRole) bool {
	for _, x := range p.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Signer is the member authorised to sign for a party, and their key.
type Signer struct {
	Member string    `json:"member"`
	Key    PublicKey `json:"key,omitzero"`
}

// PublicKey is an ed25519 public key, written "ed25519:<base64>".
type PublicKey ed25519.PublicKey

// Dataset is a table held by a custodian. Columns is the minimum viable
// dataset: only the columns listed may be used, each only as far as its Use
// allows. Schema optionally records every column of the dataset at signing
// time with its class, so lint can catch identifiers and drift can see new
// columns.
type Dataset struct {
	ID        string                 `json:"id"`
	Custodian string                 `json:"custodian"`
	Title     string                 `json:"title,omitempty"`
	Schema    map[string]ColumnClass `json:"schema,omitempty"`
	Columns   []Column               `json:"columns"`
}

// Column is one allowed column and how far it may be used.
type Column struct {
	Name string `json:"name"`
	Use  Use    `json:"use"`
}

// Purpose is a declared reason for using data. IDs are dotted, DPV-style
// ("research.academic"); a permission naming "research" covers every
// declared purpose below it. DPV optionally names the matching term of the
// W3C Data Privacy Vocabulary for export.
type Purpose struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	DPV         string `json:"dpv,omitempty"`
}

// Permission allows actions on datasets under constraints, as an ODRL
// permission does. Empty Datasets means every dataset of the agreement,
// empty Columns every allowed column, empty Recipients every party whose
// role may take the action, empty Tier the agreement's tier.
type Permission struct {
	Actions     []Action `json:"actions"`
	Purposes    []string `json:"purposes"`
	Datasets    []string `json:"datasets,omitempty"`
	Columns     []string `json:"columns,omitempty"`
	Tier        Tier     `json:"tier,omitempty"`
	Window      *Window  `json:"window,omitempty"`
	Recipients  []string `json:"recipients,omitempty"`
	Description string   `json:"description,omitempty"`
}

// Window narrows a permission in time, inside the agreement's validity.
// Either end may be zero (open).
type Window struct {
	From  time.Time `json:"from,omitzero"`
	Until time.Time `json:"until,omitzero"`
}

// Prohibition forbids actions; it wins over every permission. Empty lists
// match everything; empty Organisations binds every party except the
// custodian of the dataset concerned (a custodian is only bound when named).
type Prohibition struct {
	Actions       []Action `json:"actions"`
	Datasets      []string `json:"datasets,omitempty"`
	Columns       []string `json:"columns,omitempty"`
	Purposes      []string `json:"purposes,omitempty"`
	Organisations []string `json:"organisations,omitempty"`
	Description   string   `json:"description,omitempty"`
}

// Obligation is a duty the parties accept. Which of WithinHours, At and
// Every is used depends on Duty.
type Obligation struct {
	Duty        Duty     `json:"duty"`
	Parties     []string `json:"parties,omitempty"` // who bears it; empty = every party
	WithinHours int      `json:"within_hours,omitempty"`
	At          string   `json:"at,omitempty"`
	Every       Duration `json:"every,omitzero"`
	Description string   `json:"description,omitempty"`
}

// Deletion moments for the deletion duty.
const (
	AtEndOfRetention = "end-of-retention"
	AtEndOfValidity  = "end-of-validity"
)

// Privacy holds the privacy parameters the engines enforce.
type Privacy struct {
	MinCellSize int      `json:"min_cell_size,omitempty"`
	Epsilon     *Epsilon `json:"epsilon,omitempty"`
	Release     *Release `json:"release,omitempty"`
}

// Epsilon is the differential-privacy budget each organisation may spend
// per period under this agreement.
type Epsilon struct {
	Budget float64 `json:"budget"`
	Period Period  `json:"period"`
}

// Release holds the thresholds a release must meet before it is published.
type Release struct {
	K                 int     `json:"k,omitempty"`
	L                 int     `json:"l,omitempty"`
	MaxRisk           float64 `json:"max_risk,omitempty"` // global re-identification risk, 0..1
	CommunitySignoffs int     `json:"community_signoffs,omitempty"`
}

// Contact is a person to reach about the agreement.
type Contact struct {
	Organisation string `json:"organisation"`
	Name         string `json:"name"`
	Email        string `json:"email,omitempty"`
	Phone        string `json:"phone,omitempty"`
	Role         string `json:"role,omitempty"`
}

// DisputeResolution says how disagreements are settled.
type DisputeResolution struct {
	Process  string `json:"process"`
	Mediator string `json:"mediator,omitempty"`
	Contact  string `json:"contact,omitempty"`
}

// Party returns the party for organisation org, or nil.
func (a *Agreement) Party(org string) *Party {
	for i := range a.Parties {
		if a.Parties[i].Organisation == org {
			return &a.Parties[i]
		}
	}
	return nil
}

// Dataset returns the dataset with the given id, or nil.
func (a *Agreement) Dataset(id string) *Dataset {
	for i := range a.Datasets {
		if a.Datasets[i].ID == id {
			return &a.Datasets[i]
		}
	}
	return nil
}

// Purpose returns the declared purpose with the given id, or nil.
func (a *Agreement) Purpose(id string) *Purpose {
	for i := range a.Purposes {
		if a.Purposes[i].ID == id {
			return &a.Purposes[i]
		}
	}
	return nil
}

// Column returns the allowed column with the given name, or nil.
func (d *Dataset) Column(name string) *Column {
	for i := range d.Columns {
		if d.Columns[i].Name == name {
			return &d.Columns[i]
		}
	}
	return nil
}

// Pos is a place in the YAML source, 1-based.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}
