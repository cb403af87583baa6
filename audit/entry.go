package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Decision is the outcome the decision function reached for a request.
type Decision string

const (
	Allowed Decision = "allowed"
	Denied  Decision = "denied"
)

// Actor is who asked: a member acting for an organisation. Actions the node
// takes on its own (retention, scheduled jobs) use MemberID "system".
type Actor struct {
	MemberID       string `json:"member_id"`
	OrganisationID string `json:"organisation_id"`
}

// Entry is one record of the audit log.
//
// Seq and Time are assigned by Log.Append when the entry is sequenced;
// values set by the caller are ignored. Subject and Detail are the only
// fields that may identify a person, so Log.Append replaces them with
// Hasher.Hash of their value ("hmac-sha256:<hex>") before they are stored:
// the stored log never holds them in clear.
type Entry struct {
	Seq      uint64    `json:"seq"`  // 0-based; equals the Merkle leaf index
	Time     time.Time `json:"time"` // UTC, microsecond precision
	Actor    Actor     `json:"actor"`
	Action   string    `json:"action"`   // e.g. "query", "extract", "release.publish"
	Resource string    `json:"resource"` // e.g. "dataset:survey-2025", "agreement:x@3"
	Purpose  string    `json:"purpose"`  // e.g. "advocacy.report"
	Decision Decision  `json:"decision"`
	Reason   string    `json:"reason"` // why the decision function decided so
	// RequestDigest is the SHA-256 (lowercase hex) of the request that led to
	// the decision, so a party holding the request can show it is this one.
	RequestDigest string `json:"request_digest,omitempty"`
	// Subject is the pseudonymous key of the person concerned, if any.
	// Always stored HMAC'd.
	Subject string `json:"subject,omitempty"`
	// Detail is free text (comments, filenames, query text). Always stored
	// HMAC'd, because free text may name people.
	Detail string `json:"detail,omitempty"`
}

// HashedPrefix starts every HMAC'd field value.
const HashedPrefix = "hmac-sha256:"

// maxFieldLen bounds every text field, so a single entry cannot bloat the
// log or the leaf encoding (whose lengths are 32-bit).
const maxFieldLen = 16 << 10

// RequestDigest returns the value for Entry.RequestDigest: the lowercase
// hex SHA-256 of the request's canonical bytes.
func RequestDigest(request []byte) string {
	sum := sha256.Sum256(request)
	return hex.EncodeToString(sum[:])
}

// Validate checks what a stored entry must satisfy. It does not check Seq or
// Time, which the log assigns.
func (e *Entry) Validate() error {
	if e.Action == "" {
		return fmt.Errorf("audit entry: action is empty")
	}
	if e.Decision != Allowed && e.Decision != Denied {
		return fmt.Errorf("audit entry: decision %q is neither %q nor %q", e.Decision, Allowed, Denied)
	}
	for _, f := range e.textFields() {
		if err := checkText(f.name, f.value); err != nil {
			return err
		}
	}
	if e.RequestDigest != "" && !isHex(e.RequestDigest, sha256.Size) {
		return fmt.Errorf("audit entry: request_digest is not a lowercase hex SHA-256")
	}
	if !isHashed(e.Subject) {
		return fmt.Errorf("audit entry: subject is not HMAC'd")
	}
	if !isHashed(e.Detail) {
		return fmt.Errorf("audit entry: detail is not HMAC'd")
	}
	return nil
}

type field struct{ name, value string }

// textFields lists the text fields in canonical encoding order. It is an
// array so that encoding a leaf does not allocate for it.
func (e *Entry) textFields() [10]field {
	return [10]field{
		{"member_id", e.Actor.MemberID},
		{"organisation_id", e.Actor.OrganisationID},
		{"action", e.Action},
		{"resource", e.Resource},
		{"purpose", e.Purpose},
		{"decision", string(e.Decision)},
		{"reason", e.Reason},
		{"request_digest", e.RequestDigest},
		{"subject", e.Subject},
		{"detail", e.Detail},
	}
}

// checkText rejects what a SQL backend could not store byte for byte:
// invalid UTF-8 and NUL (PostgreSQL text refuses it). A value that changed
// on the way through the database would no longer match its leaf hash.
func checkText(name, v string) error {
	if len(v) > maxFieldLen {
		return fmt.Errorf("audit entry: %s is longer than %d bytes", name, maxFieldLen)
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("audit entry: %s is not valid UTF-8", name)
	}
	if strings.IndexByte(v, 0) >= 0 {
		return fmt.Errorf("audit entry: %s contains a NUL byte", name)
	}
	return nil
}

func isHashed(v string) bool {
	return v == "" || strings.HasPrefix(v, HashedPrefix) && isHex(v[len(HashedPrefix):], sha256.Size)
}

func isHex(s string, n int) bool {
	if len(s) != 2*n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
