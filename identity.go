package accord

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Role is what a member does in the coalition. Authority never comes from the
// role a member is described with; it comes only from active grants.
type Role string

const (
	RoleCoalitionAdmin Role = "coalition-admin"
	RoleSteward        Role = "steward"
	RoleCustodian      Role = "custodian"
	RoleAnalyst        Role = "analyst"
	RoleAuditor        Role = "auditor"
	RoleCommunityRep   Role = "community-rep"
)

// Roles lists every role in a stable order (used by help texts and tests).
var Roles = []Role{RoleCoalitionAdmin, RoleSteward, RoleCustodian, RoleAnalyst, RoleAuditor, RoleCommunityRep}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Permission is one thing a principal may do. Handlers ask for permissions,
// never for roles, so a role's reach is defined in one table below.
type Permission string

const (
	PermOrganisationRead  Permission = "organisation.read"
	PermOrganisationWrite Permission = "organisation.write"
	PermMemberRead        Permission = "member.read"
	PermMemberWrite       Permission = "member.write"
	PermGrantRead         Permission = "grant.read"
	PermGrantWrite        Permission = "grant.write"
	PermTokenAdmin        Permission = "token.admin" // manage other members' tokens
	PermAccessReview      Permission = "access.review"
	PermAuditRead         Permission = "audit.read"
	PermDatasetRead       Permission = "dataset.read" // schema, metadata, risk reports
	PermDatasetWrite      Permission = "dataset.write"
	PermDatasetClassify   Permission = "dataset.classify"
	PermAgreementRead     Permission = "agreement.read"
	PermAgreementWrite    Permission = "agreement.write"
	PermAgreementSign     Permission = "agreement.sign"
	PermConsentRead       Permission = "consent.read"
	PermConsentWrite      Permission = "consent.write"
	PermQuery             Permission = "query.run"
	PermReleaseSignoff    Permission = "release.signoff"
)

// RolePermissions is the single table of what each role may do: least
// privilege, deny by default (a permission absent here is refused).
var RolePermissions = map[Role][]Permission{
	RoleCoalitionAdmin: {PermOrganisationRead, PermOrganisationWrite, PermMemberRead, PermMemberWrite,
		PermGrantRead, PermGrantWrite, PermTokenAdmin, PermAccessReview, PermAuditRead, PermAgreementRead},
	RoleSteward: {PermOrganisationRead, PermMemberRead, PermGrantRead, PermGrantWrite, PermAccessReview,
		PermAgreementRead, PermAgreementWrite, PermAgreementSign, PermDatasetRead},
	RoleCustodian: {PermOrganisationRead, PermDatasetRead, PermDatasetWrite, PermDatasetClassify,
		PermConsentRead, PermConsentWrite, PermAgreementRead},
	RoleAnalyst:      {PermOrganisationRead, PermDatasetRead, PermQuery, PermAgreementRead},
	RoleAuditor:      {PermOrganisationRead, PermMemberRead, PermGrantRead, PermAccessReview, PermAuditRead, PermAgreementRead},
	RoleCommunityRep: {PermOrganisationRead, PermAgreementRead, PermReleaseSignoff},
}

// HasPermission reports whether role r carries permission p.
func (r Role) HasPermission(p Permission) bool { return slices.Contains(RolePermissions[r], p) }

// Coalition is the set of partners served by this node.
type Coalition struct {
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Organisation is a partner in the coalition.
type Organisation struct {
	ID        string    `json:"id"` // short slug chosen by the admin, e.g. "riverside-tenants"
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks an organisation before it is stored.
func (o *Organisation) Validate() error {
	if !ValidSlug(o.ID) {
		return Errorf(EINVALID, "organisation id %q must be 2-63 lowercase letters, digits or '-', starting with a letter", o.ID)
	}
	if strings.TrimSpace(o.Name) == "" {
		return Errorf(EINVALID, "organisation name is required")
	}
	return nil
}

// Member is a person in an organisation. Role is the member's current job in
// the coalition; it grants nothing by itself (see Grant) but is the yardstick
// the access review measures grants against.
type Member struct {
	ID             string    `json:"id"`
	OrganisationID string    `json:"organisation"`
	Name           string    `json:"name"`
	Role           Role      `json:"role"`
	CreatedAt      time.Time `json:"created_at"`
}

// Validate checks a member before it is stored.
func (m *Member) Validate() error {
	if strings.TrimSpace(m.Name) == "" {
		return Errorf(EINVALID, "member name is required")
	}
	if m.OrganisationID == "" {
		return Errorf(EINVALID, "member organisation is required")
	}
	if !m.Role.Valid() {
		return Errorf(EINVALID, "unknown role %q (one of %s)", m.Role, RoleList())
	}
	return nil
}

// RoleList returns the roles as a comma-separated list for messages.
func RoleList() string {
	s := make([]string, len(Roles))
	for i, r := range Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// Grant gives a member a role within one organisation, for a reason, until it
// expires. It is the only source of authority.
type Grant struct {
	ID             string    `json:"id"`
	MemberID       string    `json:"member"`
	OrganisationID string    `json:"organisation"` // where the role applies
	Role           Role      `json:"role"`
	Reason         string    `json:"reason"`
	GrantedBy      string    `json:"granted_by"` // member id, or "system"
	CreatedAt      time.Time `json:"created_at"`
	ExpiresAt      time.Time `json:"expires_at"`
	RevokedAt      time.Time `json:"revoked_at,omitzero"`
	LastUsedAt     time.Time `json:"last_used_at,omitzero"`
}

// MaxGrantDuration caps how long a grant may run; access is reviewed at least yearly.
const MaxGrantDuration = 366 * 24 * time.Hour

// Validate checks a grant before it is stored.
func (g *Grant) Validate(now time.Time) error {
	switch {
	case g.MemberID == "":
		return Errorf(EINVALID, "grant member is required")
	case g.OrganisationID == "":
		return Errorf(EINVALID, "grant organisation is required")
	case !g.Role.Valid():
		return Errorf(EINVALID, "unknown role %q (one of %s)", g.Role, RoleList())
	case strings.TrimSpace(g.Reason) == "":
		return Errorf(EINVALID, "a grant needs a reason")
	case g.ExpiresAt.IsZero():
		return Errorf(EINVALID, "a grant needs an expiry")
	case !g.ExpiresAt.After(now):
		return Errorf(EINVALID, "grant expiry %s is in the past", g.ExpiresAt.Format(time.RFC3339))
	case g.ExpiresAt.Sub(now) > MaxGrantDuration:
		return Errorf(EINVALID, "grant expiry may be at most 366 days ahead")
	}
	return nil
}

// Active reports whether the grant is in force at t.
func (g *Grant) Active(t time.Time) bool {
	return g.RevokedAt.IsZero() && t.Before(g.ExpiresAt)
}

// Token is an API credential. Only the SHA-256 hash of its secret is stored.
type Token struct {
	ID         string    `json:"id"`
	MemberID   string    `json:"member"`
	Name       string    `json:"name"`
	Hash       []byte    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// Active reports whether the token may be used at t.
func (t *Token) Active(at time.Time) bool {
	return t.RevokedAt.IsZero() && at.Before(t.ExpiresAt)
}

// Principal is the authenticated caller of a request.
type Principal struct {
	Member  *Member
	TokenID string
	Grants  []*Grant // active grants only
}

// Can reports whether the principal may use permission p in organisation org.
// An empty org asks for the permission anywhere (coalition-wide listings).
// A coalition-admin grant applies across the coalition.
func (p *Principal) Can(perm Permission, org string) bool {
	if p == nil {
		return false
	}
	for _, g := range p.Grants {
		if !g.Role.HasPermission(perm) {
			continue
		}
		if org == "" || g.OrganisationID == org || g.Role == RoleCoalitionAdmin {
			return true
		}
	}
	return false
}

// GrantsFor returns the active grants that carry perm (for recording use).
func (p *Principal) GrantsFor(perm Permission, org string) []*Grant {
	var out []*Grant
	for _, g := range p.Grants {
		if g.Role.HasPermission(perm) && (org == "" || g.OrganisationID == org || g.Role == RoleCoalitionAdmin) {
			out = append(out, g)
		}
	}
	return out
}

// HasRole reports whether the principal holds an active grant of role r.
func (p *Principal) HasRole(r Role) bool {
	for _, g := range p.Grants {
		if g.Role == r {
			return true
		}
	}
	return false
}

type principalKey struct{}

// NewContextWithPrincipal returns ctx carrying the authenticated principal.
func NewContextWithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFromContext returns the principal in ctx, or nil.
func PrincipalFromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// ValidSlug reports whether s is a short lowercase identifier.
func ValidSlug(s string) bool {
	if len(s) < 2 || len(s) > 63 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
