package accord

import (
	"context"
	"time"
)

// AuditRecord is one decision about one request. It is written to the audit
// log before the request is served; if it cannot be written, the request is
// refused (fail-closed).
type AuditRecord struct {
	Time           time.Time
	MemberID       string // "" for an unauthenticated caller
	OrganisationID string
	Action         string // e.g. "organisation.create", "dataset.import"
	Resource       string // e.g. "organisation:riverside", "dataset:survey-2025"
	Purpose        string
	Allowed        bool
	Reason         string // why: the permission or clause that decided
	RequestDigest  string // SHA-256 hex of method, path and body
	// Subject and Detail may identify people; the log stores only their
	// keyed hash (HMAC), never the value.
	Subject string
	Detail  string
}

// Auditor records decisions durably. Record returns only once the record is
// stored.
type Auditor interface {
	Record(ctx context.Context, r *AuditRecord) error
}
