package http

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/access"
)

// WhoAmI describes the caller.
type WhoAmI struct {
	Member      *accord.Member      `json:"member"`
	Grants      []*accord.Grant     `json:"grants"`
	Permissions []accord.Permission `json:"permissions"`
}

func (s *Server) handleWhoami(w http.ResponseWriter, r *http.Request) error {
	p, err := s.authorize(r, anyMember, "", "member.whoami", "member:self")
	if err != nil {
		return err
	}
	var perms []accord.Permission
	for _, g := range p.Grants {
		for _, perm := range accord.RolePermissions[g.Role] {
			if !slices.Contains(perms, perm) {
				perms = append(perms, perm)
			}
		}
	}
	slices.Sort(perms)
	writeJSON(w, http.StatusOK, WhoAmI{Member: p.Member, Grants: nonNil(p.Grants), Permissions: nonNil(perms)})
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Server) handleListOrganisations(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.authorize(r, accord.PermOrganisationRead, "", "organisation.list", "organisations"); err != nil {
		return err
	}
	list, err := s.Store.Organisations(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"organisations": nonNil(list)})
	return nil
}

func (s *Server) handleGetOrganisation(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := s.authorize(r, accord.PermOrganisationRead, "", "organisation.read", "organisation:"+id); err != nil {
		return err
	}
	o, err := s.Store.Organisation(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

// CreateOrganisationRequest is the body of POST /api/v1/organisations.
type CreateOrganisationRequest struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (s *Server) handleCreateOrganisation(w http.ResponseWriter, r *http.Request) error {
	var req CreateOrganisationRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if _, err := s.authorize(r, accord.PermOrganisationWrite, "", "organisation.create", "organisation:"+req.ID); err != nil {
		return err
	}
	o := &accord.Organisation{ID: req.ID, Name: strings.TrimSpace(req.Name), CreatedAt: s.Now()}
	if err := s.Store.CreateOrganisation(r.Context(), o); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o)
	return nil
}

// visible filters items to the organisations where p holds perm. Items of
// no organisation (the node's own actions) are for coalition-admins only.
func visible[T any](p *accord.Principal, perm accord.Permission, items []T, org func(T) string) []T {
	out := []T{}
	for _, it := range items {
		o := org(it)
		if o == "" && p.HasRole(accord.RoleCoalitionAdmin) || o != "" && p.Can(perm, o) {
			out = append(out, it)
		}
	}
	return out
}

func (s *Server) handleListMembers(w http.ResponseWriter, r *http.Request) error {
	org := r.URL.Query().Get("organisation")
	p, err := s.authorize(r, accord.PermMemberRead, org, "member.list", "members:"+org)
	if err != nil {
		return err
	}
	list, err := s.Store.Members(r.Context(), accord.MemberFilter{OrganisationID: org})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": visible(p, accord.PermMemberRead, list, func(m *accord.Member) string { return m.OrganisationID })})
	return nil
}

func (s *Server) handleGetMember(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	m, err := s.Store.Member(r.Context(), id)
	if err != nil && accord.ErrorCode(err) != accord.ENOTFOUND {
		return err
	}
	perm, org := accord.PermMemberRead, ""
	if m != nil {
		org = m.OrganisationID
		if self := accord.PrincipalFromContext(r.Context()); self != nil && self.Member.ID == id {
			perm = anyMember
		}
	}
	if _, err := s.authorize(r, perm, org, "member.read", "member:"+id); err != nil {
		return err
	}
	if m == nil {
		return accord.Errorf(accord.ENOTFOUND, "member %q not found", id)
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// CreateMemberRequest is the body of POST /api/v1/members. The member's role
// is given as a grant with a reason and an expiry, like every authority.
type CreateMemberRequest struct {
	ID            string      `json:"id,omitempty"`
	Organisation  string      `json:"organisation"`
	Name          string      `json:"name"`
	Role          accord.Role `json:"role"`
	Reason        string      `json:"reason"`
	ExpiresAt     time.Time   `json:"expires_at,omitzero"`
	ExpiresInDays int         `json:"expires_in_days,omitempty"`
}

// expiry resolves an absolute or relative expiry; zero means the default.
func expiry(now, at time.Time, days, defaultDays int) (time.Time, error) {
	switch {
	case !at.IsZero() && days != 0:
		return time.Time{}, accord.Errorf(accord.EINVALID, "give expires_at or expires_in_days, not both")
	case !at.IsZero():
		return at.UTC(), nil
	case days < 0:
		return time.Time{}, accord.Errorf(accord.EINVALID, "expires_in_days must be positive")
	case days == 0:
		days = defaultDays
	}
	return now.Add(time.Duration(days) * 24 * time.Hour), nil
}

func (s *Server) handleCreateMember(w http.ResponseWriter, r *http.Request) error {
	var req CreateMemberRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.ID == "" {
		req.ID = accord.NewID("mem")
	}
	if _, err := s.authorize(r, accord.PermMemberWrite, req.Organisation, "member.create", "member:"+req.ID); err != nil {
		return err
	}
	now := s.Now()
	exp, err := expiry(now, req.ExpiresAt, req.ExpiresInDays, 365)
	if err != nil {
		return err
	}
	p := accord.PrincipalFromContext(r.Context())
	m := &accord.Member{ID: req.ID, OrganisationID: req.Organisation, Name: strings.TrimSpace(req.Name), Role: req.Role, CreatedAt: now}
	g := &accord.Grant{ID: accord.NewID("grt"), MemberID: m.ID, OrganisationID: m.OrganisationID, Role: m.Role,
		Reason: strings.TrimSpace(req.Reason), GrantedBy: p.Member.ID, CreatedAt: now, ExpiresAt: exp}
	if err := s.Store.CreateMember(r.Context(), m, g); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"member": m, "grant": g})
	return nil
}

func (s *Server) handleListGrants(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := accord.GrantFilter{MemberID: q.Get("member"), OrganisationID: q.Get("organisation")}
	if q.Get("active") == "true" {
		f.ActiveAt = s.Now()
	}
	self := accord.PrincipalFromContext(r.Context())
	perm := accord.PermGrantRead
	if self != nil && f.MemberID == self.Member.ID {
		perm = anyMember // everyone may see their own grants
	}
	p, err := s.authorize(r, perm, f.OrganisationID, "grant.list", "grants:"+f.MemberID+"@"+f.OrganisationID)
	if err != nil {
		return err
	}
	list, err := s.Store.Grants(r.Context(), f)
	if err != nil {
		return err
	}
	if perm != anyMember {
		list = visible(p, accord.PermGrantRead, list, func(g *accord.Grant) string { return g.OrganisationID })
	}
	writeJSON(w, http.StatusOK, map[string]any{"grants": nonNil(list)})
	return nil
}

// CreateGrantRequest is the body of POST /api/v1/grants.
type CreateGrantRequest struct {
	Member        string      `json:"member"`
	Organisation  string      `json:"organisation"`
	Role          accord.Role `json:"role"`
	Reason        string      `json:"reason"`
	ExpiresAt     time.Time   `json:"expires_at,omitzero"`
	ExpiresInDays int         `json:"expires_in_days,omitempty"`
}

func (s *Server) handleCreateGrant(w http.ResponseWriter, r *http.Request) error {
	var req CreateGrantRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	p, err := s.authorize(r, accord.PermGrantWrite, req.Organisation, "grant.create", "member:"+req.Member)
	if err != nil {
		return err
	}
	// Least privilege: nobody raises their own authority, and only a
	// coalition-admin can make another one.
	if req.Member == p.Member.ID {
		return accord.Errorf(accord.EFORBIDDEN, "you may not grant roles to yourself; ask another steward or admin")
	}
	if req.Role == accord.RoleCoalitionAdmin && !p.HasRole(accord.RoleCoalitionAdmin) {
		return accord.Errorf(accord.EFORBIDDEN, "only a coalition-admin may grant the coalition-admin role")
	}
	now := s.Now()
	exp, err := expiry(now, req.ExpiresAt, req.ExpiresInDays, 90)
	if err != nil {
		return err
	}
	g := &accord.Grant{ID: accord.NewID("grt"), MemberID: req.Member, OrganisationID: req.Organisation, Role: req.Role,
		Reason: strings.TrimSpace(req.Reason), GrantedBy: p.Member.ID, CreatedAt: now, ExpiresAt: exp}
	if err := s.Store.CreateGrant(r.Context(), g); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, g)
	return nil
}

func (s *Server) handleRevokeGrant(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	g, err := s.Store.Grant(r.Context(), id)
	if err != nil && accord.ErrorCode(err) != accord.ENOTFOUND {
		return err
	}
	perm, org := accord.PermGrantWrite, ""
	if g != nil {
		org = g.OrganisationID
		if self := accord.PrincipalFromContext(r.Context()); self != nil && self.Member.ID == g.MemberID {
			perm = anyMember // giving up one's own authority is always allowed
		}
	}
	if _, err := s.authorize(r, perm, org, "grant.revoke", "grant:"+id); err != nil {
		return err
	}
	if g == nil {
		return accord.Errorf(accord.ENOTFOUND, "grant %q not found", id)
	}
	if err := s.Store.RevokeGrant(r.Context(), id, s.Now()); err != nil {
		return err
	}
	g, err = s.Store.Grant(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

// tokenTarget decides whose tokens a request is about: the caller's own,
// or (with token.admin) another member's.
func (s *Server) tokenTarget(r *http.Request, member, action string) (*accord.Member, error) {
	self := accord.PrincipalFromContext(r.Context())
	if member == "" || member == self.Member.ID {
		if _, err := s.authorize(r, anyMember, "", action, "member:"+self.Member.ID); err != nil {
			return nil, err
		}
		return self.Member, nil
	}
	m, err := s.Store.Member(r.Context(), member)
	if err != nil && accord.ErrorCode(err) != accord.ENOTFOUND {
		return nil, err
	}
	org := ""
	if m != nil {
		org = m.OrganisationID
	}
	if _, err := s.authorize(r, accord.PermTokenAdmin, org, action, "member:"+member); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, accord.Errorf(accord.ENOTFOUND, "member %q not found", member)
	}
	return m, nil
}

func (s *Server) handleListTokens(w http.ResponseWriter, r *http.Request) error {
	m, err := s.tokenTarget(r, r.URL.Query().Get("member"), "token.list")
	if err != nil {
		return err
	}
	list, err := s.Store.Tokens(r.Context(), m.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": nonNil(list)})
	return nil
}

// CreateTokenRequest is the body of POST /api/v1/tokens.
type CreateTokenRequest struct {
	Member        string `json:"member,omitempty"` // default: the caller
	Name          string `json:"name"`
	ExpiresInDays int    `json:"expires_in_days,omitempty"` // default 90
}

// CreatedToken is returned once; the secret is not stored and cannot be shown again.
type CreatedToken struct {
	Token  *accord.Token `json:"token"`
	Secret string        `json:"secret"`
}

// MaxTokenDays bounds token lifetime.
const MaxTokenDays = 366

func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request) error {
	var req CreateTokenRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	m, err := s.tokenTarget(r, req.Member, "token.create")
	if err != nil {
		return err
	}
	if req.ExpiresInDays == 0 {
		req.ExpiresInDays = 90
	}
	if req.ExpiresInDays < 0 || req.ExpiresInDays > MaxTokenDays {
		return accord.Errorf(accord.EINVALID, "expires_in_days must be between 1 and %d", MaxTokenDays)
	}
	if strings.TrimSpace(req.Name) == "" {
		req.Name = "token"
	}
	now := s.Now()
	secret, hash := accord.NewTokenSecret()
	t := &accord.Token{ID: accord.NewID("tok"), MemberID: m.ID, Name: strings.TrimSpace(req.Name), Hash: hash,
		CreatedAt: now, ExpiresAt: now.Add(time.Duration(req.ExpiresInDays) * 24 * time.Hour)}
	if err := s.Store.CreateToken(r.Context(), t); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, CreatedToken{Token: t, Secret: secret})
	return nil
}

func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	t, err := s.Store.Token(r.Context(), id)
	if err != nil && accord.ErrorCode(err) != accord.ENOTFOUND {
		return err
	}
	owner := "\x00unknown" // an unknown token is treated as someone else's
	if t != nil {
		owner = t.MemberID
	}
	if _, err := s.tokenTarget(r, owner, "token.revoke"); err != nil {
		return err
	}
	if err := s.Store.RevokeToken(r.Context(), id, s.Now()); err != nil {
		return err
	}
	t, err = s.Store.Token(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) handleAccessReview(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	org := q.Get("organisation")
	p, err := s.authorize(r, accord.PermAccessReview, org, "access.review", "grants:"+org)
	if err != nil {
		return err
	}
	opts := access.Options{Now: s.Now()}
	for name, dst := range map[string]*int{"expiring_days": &opts.ExpiringDays, "unused_days": &opts.UnusedDays} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 || n > 3660 {
				return accord.Errorf(accord.EINVALID, "%s must be a whole number of days between 1 and 3660", name)
			}
			*dst = n
		}
	}
	members, err := s.Store.Members(r.Context(), accord.MemberFilter{})
	if err != nil {
		return err
	}
	grants, err := s.Store.Grants(r.Context(), accord.GrantFilter{OrganisationID: org})
	if err != nil {
		return err
	}
	grants = visible(p, accord.PermAccessReview, grants, func(g *accord.Grant) string { return g.OrganisationID })
	review := access.Run(members, grants, opts)
	if q.Get("format") == "text" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		return review.WriteText(w)
	}
	writeJSON(w, http.StatusOK, review)
	return nil
}
