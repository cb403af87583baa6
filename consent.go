package accord

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// ConsentState is a subject's decision about one purpose. The history is
// kept as events (ISO/IEC TS 27560 style); the current state is derived from
// the latest event, and a given consent whose expiry has passed counts as
// expired.
type ConsentState string

const (
	ConsentGiven     ConsentState = "given"
	ConsentWithdrawn ConsentState = "withdrawn"
	ConsentExpired   ConsentState = "expired"
	// ConsentNotGiven is never stored: it is the state of a purpose for
	// which a subject has no event at all.
	ConsentNotGiven ConsentState = "not-given"
)

// ConsentStates lists the states an event may record.
var ConsentStates = []ConsentState{ConsentGiven, ConsentWithdrawn, ConsentExpired}

// Valid reports whether s may be recorded in an event.
func (s ConsentState) Valid() bool { return slices.Contains(ConsentStates, s) }

// CollectionMethod says how a decision reached the custodian.
type CollectionMethod string

const (
	MethodPaper   CollectionMethod = "paper"
	MethodVerbal  CollectionMethod = "verbal"
	MethodWebLink CollectionMethod = "web-link"
	MethodImport  CollectionMethod = "import"
	MethodAPI     CollectionMethod = "api"
)

// CollectionMethods lists the valid methods.
var CollectionMethods = []CollectionMethod{MethodPaper, MethodVerbal, MethodWebLink, MethodImport, MethodAPI}

// Valid reports whether m is a known method.
func (m CollectionMethod) Valid() bool { return slices.Contains(CollectionMethods, m) }

// ConsentSubject is a person known only by a pseudonymous key, registered
// for one dataset (from its subject column, or by a consent import).
type ConsentSubject struct {
	DatasetID      string    `json:"dataset"`
	OrganisationID string    `json:"organisation"` // the custodian holding the dataset
	Key            string    `json:"key"`
	Source         string    `json:"source"` // "dataset" or "import"
	RegisteredAt   time.Time `json:"registered_at"`
}

// ConsentEvent is one decision, appended and never changed.
type ConsentEvent struct {
	ID             string           `json:"id"`
	OrganisationID string           `json:"organisation"`
	DatasetID      string           `json:"dataset"`
	SubjectKey     string           `json:"subject"`
	Purpose        string           `json:"purpose"`
	State          ConsentState     `json:"state"`
	Time           time.Time        `json:"time"`                // when the subject decided
	ExpiresAt      time.Time        `json:"expires_at,omitzero"` // a given consent lapses then
	Method         CollectionMethod `json:"method"`
	Agreement      string           `json:"agreement"` // "agreement-id@version"
	RecordedBy     string           `json:"recorded_by"`
	RecordedAt     time.Time        `json:"recorded_at"`
	// Seq orders events recorded at the same decision time; the store sets it.
	Seq int64 `json:"seq"`
}

// Validate checks an event before it is stored. It does not check that the
// subject is registered: the store does, inside the same transaction.
func (e *ConsentEvent) Validate() error {
	switch {
	case strings.TrimSpace(e.SubjectKey) == "":
		return Errorf(EINVALID, "a consent change needs a subject key")
	case len(e.SubjectKey) > 200:
		return Errorf(EINVALID, "subject key is longer than 200 characters")
	case e.DatasetID == "":
		return Errorf(EINVALID, "a consent change needs the dataset it belongs to")
	case !ValidPurpose(e.Purpose):
		return Errorf(EINVALID, "purpose %q must be dotted lowercase words, e.g. research.academic", e.Purpose)
	case !e.State.Valid():
		return Errorf(EINVALID, "unknown consent state %q (one of given, withdrawn, expired)", e.State)
	case !e.Method.Valid():
		return Errorf(EINVALID, "unknown collection method %q (one of paper, verbal, web-link, import, api)", e.Method)
	case e.Time.IsZero():
		return Errorf(EINVALID, "a consent change needs the time the subject decided")
	case !e.ExpiresAt.IsZero() && !e.ExpiresAt.After(e.Time):
		return Errorf(EINVALID, "consent expiry must be after the time it was given")
	case !e.ExpiresAt.IsZero() && e.State != ConsentGiven:
		return Errorf(EINVALID, "only a given consent can have an expiry")
	}
	if _, _, ok := SplitAgreementRef(e.Agreement); !ok {
		return Errorf(EINVALID, "agreement %q must be written agreement-id@version", e.Agreement)
	}
	return nil
}

// SplitAgreementRef splits "agreement-id@version".
func SplitAgreementRef(ref string) (id, version string, ok bool) {
	id, version, ok = strings.Cut(ref, "@")
	return id, version, ok && ValidSlug(id) && version != "" && len(version) <= 40 && !strings.ContainsAny(version, " \t\r\n@")
}

// ValidPurpose reports whether p is a dotted purpose id ("advocacy.report").
func ValidPurpose(p string) bool {
	if p == "" || len(p) > 100 {
		return false
	}
	for _, part := range strings.Split(p, ".") {
		if part == "" || part[0] < 'a' || part[0] > 'z' {
			return false
		}
		for _, c := range part {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// After reports whether e supersedes o: the later decision wins, and of two
// decisions made at the same moment the one recorded later.
func (e *ConsentEvent) After(o *ConsentEvent) bool {
	if !e.Time.Equal(o.Time) {
		return e.Time.After(o.Time)
	}
	return e.Seq > o.Seq
}

// NewConsentEventID returns an id that sorts by t: a bulk import then
// appends to the id index instead of scattering writes across it. Five random
// bytes keep ids made at the same nanosecond apart.
func NewConsentEventID(t time.Time) string {
	var b [13]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixNano()))
	rand.Read(b[8:])
	return "cev_" + hex.EncodeToString(b[:])
}

// ConsentStatus is the current state of one subject for one purpose.
type ConsentStatus struct {
	DatasetID  string       `json:"dataset"`
	SubjectKey string       `json:"subject"`
	Purpose    string       `json:"purpose"`
	State      ConsentState `json:"state"`
	Since      time.Time    `json:"since"`
	ExpiresAt  time.Time    `json:"expires_at,omitzero"`
	EventID    string       `json:"event"` // the event that decided it
}

// StatusAt derives the state an event gives at time t.
func (e *ConsentEvent) StatusAt(t time.Time) ConsentStatus {
	st := ConsentStatus{DatasetID: e.DatasetID, SubjectKey: e.SubjectKey, Purpose: e.Purpose,
		State: e.State, Since: e.Time, ExpiresAt: e.ExpiresAt, EventID: e.ID}
	if e.State == ConsentGiven && !e.ExpiresAt.IsZero() && !t.Before(e.ExpiresAt) {
		st.State, st.Since = ConsentExpired, e.ExpiresAt
	}
	return st
}

// ConsentBatch is a set of changes applied in one transaction: either all
// of them are stored or none.
type ConsentBatch struct {
	// Register adds these subjects first (a consent import registers the
	// subjects it names); already registered subjects are left as they are.
	Register []ConsentSubject
	Events   []*ConsentEvent
}

// ConsentApplied reports what a batch did.
type ConsentApplied struct {
	Events     int `json:"events"`
	Registered int `json:"registered"` // subjects newly registered
	Flagged    int `json:"flagged"`    // derivations newly flagged for regeneration
}

// Derivation kinds: what was made from a dataset for a purpose.
const (
	DerivationExtract        = "extract"
	DerivationRelease        = "release"
	DerivationDerivedDataset = "derived-dataset"
)

// DerivationKinds lists the valid kinds.
var DerivationKinds = []string{DerivationExtract, DerivationRelease, DerivationDerivedDataset}

// Derivation is an artefact built from a dataset for a purpose (lineage).
// Extracts, releases and derived datasets record one when they are made, so
// that a later withdrawal can flag them.
type Derivation struct {
	ID             string    `json:"id"`
	Kind           string    `json:"kind"`
	OrganisationID string    `json:"organisation"` // custodian of the source dataset
	DatasetID      string    `json:"dataset"`      // the source dataset
	Purpose        string    `json:"purpose"`
	Description    string    `json:"description,omitempty"`
	CreatedBy      string    `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
}

// Validate checks a derivation before it is stored.
func (d *Derivation) Validate() error {
	switch {
	case d.ID == "":
		return Errorf(EINVALID, "a derivation needs an id")
	case !slices.Contains(DerivationKinds, d.Kind):
		return Errorf(EINVALID, "unknown derivation kind %q (one of %s)", d.Kind, strings.Join(DerivationKinds, ", "))
	case d.DatasetID == "" || d.OrganisationID == "":
		return Errorf(EINVALID, "a derivation needs its source dataset and organisation")
	case !ValidPurpose(d.Purpose):
		return Errorf(EINVALID, "derivation purpose %q is not a purpose id", d.Purpose)
	case d.CreatedAt.IsZero():
		return Errorf(EINVALID, "a derivation needs its creation time")
	}
	return nil
}

// DerivationFlag says a derivation was built on consent since withdrawn and
// must be regenerated from current data. One flag per derivation gathers
// every withdrawal that hit it until it is resolved.
type DerivationFlag struct {
	Derivation     Derivation `json:"derivation"`
	Withdrawals    int64      `json:"withdrawals"` // consent withdrawals after it was made
	FirstFlaggedAt time.Time  `json:"first_flagged_at"`
	LastWithdrawal time.Time  `json:"last_withdrawal"`
	Regenerate     string     `json:"regenerate"` // what to do, in words
	ResolvedAt     time.Time  `json:"resolved_at,omitzero"`
}

// DerivationFlagFilter narrows a flag listing; zero fields match everything.
type DerivationFlagFilter struct {
	OrganisationID string
	DatasetID      string
	OpenOnly       bool // only flags not yet resolved
}

// ConsentLink is a link a custodian gives one subject to see and change
// their consent without an account. Only the SHA-256 of its secret is kept.
type ConsentLink struct {
	ID             string    `json:"id"`
	OrganisationID string    `json:"organisation"`
	DatasetID      string    `json:"dataset"`
	SubjectKey     string    `json:"subject"`
	Agreement      string    `json:"agreement"` // the agreement version changes made through it refer to
	Language       string    `json:"language,omitempty"`
	Hash           []byte    `json:"-"`
	CreatedBy      string    `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
	ExpiresAt      time.Time `json:"expires_at"`
	RevokedAt      time.Time `json:"revoked_at,omitzero"`
	LastUsedAt     time.Time `json:"last_used_at,omitzero"`
}

// Active reports whether the link may be used at t.
func (l *ConsentLink) Active(t time.Time) bool {
	return l.RevokedAt.IsZero() && t.Before(l.ExpiresAt)
}

// WithheldChange is a subject whose standing for a purpose may have changed,
// and whether its rows are now withheld.
type WithheldChange struct {
	Key      string
	Withheld bool
}

// ConsentStore keeps subjects, the append-only consent history, derived
// artefacts and their flags, and subject links.
type ConsentStore interface {
	// RegisterConsentSubjects registers subjects; existing ones are kept.
	RegisterConsentSubjects(ctx context.Context, subjects []ConsentSubject) (int, error)
	ConsentSubject(ctx context.Context, datasetID, key string) (*ConsentSubject, error)
	// ApplyConsent stores a batch in one transaction. A change for a subject
	// that is not registered (nor registered by the batch) fails the whole
	// batch with EINVALID naming the subject. Withdrawals flag every
	// derivation of the dataset and purpose created before them.
	ApplyConsent(ctx context.Context, b *ConsentBatch) (*ConsentApplied, error)
	ConsentEvent(ctx context.Context, id string) (*ConsentEvent, error)
	// ConsentHistory returns a subject's events, oldest decision first.
	ConsentHistory(ctx context.Context, datasetID, key string) ([]*ConsentEvent, error)
	// ConsentStatuses returns a subject's current state per purpose at t.
	ConsentStatuses(ctx context.Context, datasetID, key string, at time.Time) ([]ConsentStatus, error)
	// WithheldSubjects returns the registered subjects of a dataset whose
	// data may not be used for purpose at t: never given, withdrawn or expired.
	WithheldSubjects(ctx context.Context, datasetID, purpose string, at time.Time) ([]string, error)
	// WithheldChanges returns the subjects whose standing for purpose may
	// have changed since a withheld set was read at consent version since
	// and time from (registered or decided about after that version, or
	// their given consent lapsed in (from, at]), each with whether it is
	// withheld at at. Applied to that set, they give the set at at.
	WithheldChanges(ctx context.Context, datasetID, purpose string, since int64, from, at time.Time) ([]WithheldChange, error)
	// ConsentVersion changes whenever a dataset's consent state or its
	// registered subjects do, so a cached withheld set can be checked cheaply.
	ConsentVersion(ctx context.Context, datasetID string) (int64, error)
	// NextConsentExpiry is the earliest expiry after t of a given consent
	// for the purpose (zero if none): the withheld set holds until then.
	NextConsentExpiry(ctx context.Context, datasetID, purpose string, t time.Time) (time.Time, error)

	RecordDerivation(ctx context.Context, d *Derivation) error
	DerivationFlags(ctx context.Context, f DerivationFlagFilter) ([]*DerivationFlag, error)
	ResolveDerivationFlag(ctx context.Context, derivationID string, at time.Time) error

	// CreateConsentLink stores a link and revokes the subject's earlier
	// links in the same transaction: a subject has one live link at a time.
	CreateConsentLink(ctx context.Context, l *ConsentLink) error
	ConsentLink(ctx context.Context, id string) (*ConsentLink, error)
	ConsentLinkByHash(ctx context.Context, hash []byte) (*ConsentLink, error)
	RevokeConsentLink(ctx context.Context, id string, at time.Time) error
	TouchConsentLink(ctx context.Context, id string, at time.Time) error
}
