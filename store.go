package accord

import (
	"context"
	"time"
)

// Store is the persistence every backend (SQLite, PostgreSQL) implements with
// the same behaviour; storetest holds the conformance suite that proves it.
// Methods return *Error with ENOTFOUND / ECONFLICT / EINVALID where the caller
// can act on it.
type Store interface {
	CoalitionStore
	OrganisationStore
	MemberStore
	GrantStore
	TokenStore
	KeyStore
	ConsentStore
	DatasetStore
	AgreementStore
	DecisionStore
	Close() error
}

// CoalitionStore holds the single coalition record of a node.
type CoalitionStore interface {
	// Coalition returns ENOTFOUND until the node has been initialised.
	Coalition(ctx context.Context) (*Coalition, error)
	// Bootstrap creates the coalition, its first organisation, a first
	// coalition-admin with a grant, and a token, all in one transaction,
	// so a crash leaves either everything or nothing.
	Bootstrap(ctx context.Context, b *Bootstrap) error
}

// Bootstrap is everything a node's first run creates.
type Bootstrap struct {
	Coalition    Coalition
	Organisation Organisation
	Admin        Member
	Grant        Grant
	Token        Token
}

type OrganisationStore interface {
	CreateOrganisation(ctx context.Context, o *Organisation) error
	Organisation(ctx context.Context, id string) (*Organisation, error)
	Organisations(ctx context.Context) ([]*Organisation, error)
}

// MemberFilter narrows a member listing; zero fields match everything.
type MemberFilter struct {
	OrganisationID string
}

type MemberStore interface {
	// CreateMember stores the member and, in the same transaction, the grant
	// that gives it its role (grants is optional).
	CreateMember(ctx context.Context, m *Member, grants ...*Grant) error
	Member(ctx context.Context, id string) (*Member, error)
	Members(ctx context.Context, f MemberFilter) ([]*Member, error)
}

// GrantFilter narrows a grant listing; zero fields match everything.
type GrantFilter struct {
	MemberID       string
	OrganisationID string
	ActiveAt       time.Time // only grants active at this time
}

type GrantStore interface {
	CreateGrant(ctx context.Context, g *Grant) error
	Grant(ctx context.Context, id string) (*Grant, error)
	Grants(ctx context.Context, f GrantFilter) ([]*Grant, error)
	// RevokeGrant sets RevokedAt; revoking twice is ECONFLICT.
	RevokeGrant(ctx context.Context, id string, at time.Time) error
	// TouchGrants records use of the grants at time at.
	TouchGrants(ctx context.Context, ids []string, at time.Time) error
}

type TokenStore interface {
	CreateToken(ctx context.Context, t *Token) error
	Token(ctx context.Context, id string) (*Token, error)
	// TokenByHash finds a token by the SHA-256 of its secret.
	TokenByHash(ctx context.Context, hash []byte) (*Token, error)
	Tokens(ctx context.Context, memberID string) ([]*Token, error)
	RevokeToken(ctx context.Context, id string, at time.Time) error
	TouchToken(ctx context.Context, id string, at time.Time) error
}

// WrappedKey is a data key encrypted under the node's master key.
type WrappedKey struct {
	ID        string    `json:"id"` // e.g. "dataset:<id>"
	Wrapped   []byte    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
}

// KeyStore keeps wrapped data keys. Deleting one crypto-shreds what it sealed.
type KeyStore interface {
	PutKey(ctx context.Context, k *WrappedKey) error
	Key(ctx context.Context, id string) (*WrappedKey, error)
	DeleteKey(ctx context.Context, id string) error
}
