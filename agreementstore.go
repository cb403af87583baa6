package accord

import (
	"context"
	"time"
)

// AgreementVersion is one stored version of an agreement: the YAML as its
// authors wrote it and the digest of its canonical form. The agreement
// package parses and checks it; storage keeps it verbatim.
type AgreementVersion struct {
	ID        string    `json:"id"`
	Version   int       `json:"version"`
	Source    []byte    `json:"-"`
	Digest    string    `json:"digest"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// AgreementEvent is one accepted lifecycle step (propose, sign,
// suspend, resume, terminate) of an agreement version, as JSON.
type AgreementEvent struct {
	AgreementID string    `json:"agreement"`
	Version     int       `json:"version"`
	Seq         int       `json:"seq"`
	Data        []byte    `json:"-"`
	At          time.Time `json:"at"`
}

// AgreementStore keeps agreement versions and their lifecycle events.
type AgreementStore interface {
	// CreateAgreementVersion stores a new version; an existing id+version is ECONFLICT.
	CreateAgreementVersion(ctx context.Context, v *AgreementVersion) error
	AgreementVersion(ctx context.Context, id string, version int) (*AgreementVersion, error)
	// AgreementVersions lists every version (of one agreement if id is set).
	AgreementVersions(ctx context.Context, id string) ([]*AgreementVersion, error)
	// AppendAgreementEvent stores e with the next Seq for its version; if
	// the stored events changed since the caller read seq events, it is
	// ECONFLICT, so two concurrent steps cannot both apply to a stale state.
	AppendAgreementEvent(ctx context.Context, e *AgreementEvent, seq int) error
	// AgreementEvents returns every event (of one agreement if id is set), by version and seq.
	AgreementEvents(ctx context.Context, id string) ([]*AgreementEvent, error)
}
