package http

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"

	"rsc.io/qr"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/consent"
)

// CreateLinkRequest is the body of POST /api/v1/consent/links.
type CreateLinkRequest struct {
	Dataset   string `json:"dataset"`
	Subject   string `json:"subject"`
	Agreement string `json:"agreement"` // the agreement version changes made through the link refer to
	Days      int    `json:"days,omitempty"`
	Language  string `json:"language,omitempty"` // en or fr; the page follows the browser otherwise
}

// CreatedLink is the reply: the secret is shown once, inside URL.
type CreatedLink struct {
	Link  *accord.ConsentLink `json:"link"`
	URL   string              `json:"url"`
	QRURL string              `json:"qr_url"` // authenticated PNG of URL
}

func (s *Server) handleCreateLink(w http.ResponseWriter, r *http.Request) error {
	var req CreateLinkRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	d, p, err := s.consentDataset(r, req.Dataset, accord.PermConsentWrite, "consent.link.create", "dataset:"+req.Dataset)
	if err != nil {
		return err
	}
	dur := consent.DefaultLinkDuration
	if req.Days != 0 {
		dur = time.Duration(req.Days) * 24 * time.Hour
	}
	if req.Days < 0 || dur > consent.MaxLinkDuration {
		return accord.Errorf(accord.EINVALID, "a consent link lasts 1 to %d days", int(consent.MaxLinkDuration.Hours()/24))
	}
	if _, _, ok := accord.SplitAgreementRef(req.Agreement); !ok {
		return accord.Errorf(accord.EINVALID, "agreement %q must be written agreement-id@version", req.Agreement)
	}
	if req.Language != "" && catalogue[req.Language] == nil {
		return accord.Errorf(accord.EINVALID, "language %q is not available (en or fr)", req.Language)
	}
	secret, hash := consent.NewLinkSecret()
	now := s.Now()
	l := &accord.ConsentLink{ID: accord.NewID("lnk"), OrganisationID: d.OrganisationID, DatasetID: d.ID, SubjectKey: strings.TrimSpace(req.Subject),
		Agreement: req.Agreement, Language: req.Language, Hash: hash, CreatedBy: p.Member.ID, CreatedAt: now, ExpiresAt: now.Add(dur)}
	if err := s.Store.CreateConsentLink(r.Context(), l); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, CreatedLink{Link: l, URL: linkURL(r, secret),
		QRURL: "/api/v1/consent/links/" + l.ID + "/qr?t=" + url.QueryEscape(secret)})
	return nil
}

// linkURL is the subject page's address on the host the custodian reached
// this node by. The secret is in the query, not the path, so request logs
// (which record paths) never hold it.
func linkURL(r *http.Request, secret string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/consent?t=" + url.QueryEscape(secret)
}

func (s *Server) linkFor(r *http.Request, perm accord.Permission, action string) (*accord.ConsentLink, error) {
	id := r.PathValue("id")
	l, err := s.Store.ConsentLink(r.Context(), id)
	if err != nil && accord.ErrorCode(err) != accord.ENOTFOUND {
		return nil, err
	}
	org := ""
	if l != nil {
		org = l.OrganisationID
	}
	if _, err := s.authorize(r, perm, org, action, "consent-link:"+id); err != nil {
		return nil, err
	}
	if l == nil {
		return nil, accord.Errorf(accord.ENOTFOUND, "consent link %q not found", id)
	}
	return l, nil
}

func (s *Server) handleRevokeLink(w http.ResponseWriter, r *http.Request) error {
	l, err := s.linkFor(r, accord.PermConsentWrite, "consent.link.revoke")
	if err != nil {
		return err
	}
	if err := s.Store.RevokeConsentLink(r.Context(), l.ID, s.Now()); err != nil {
		return err
	}
	l, err = s.Store.ConsentLink(r.Context(), l.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

// handleLinkQR renders a link as a QR code PNG for printing. Only the
// secret's hash is stored, so the caller passes the secret it was given,
// and it must belong to this link and still work.
func (s *Server) handleLinkQR(w http.ResponseWriter, r *http.Request) error {
	l, err := s.linkFor(r, accord.PermConsentWrite, "consent.link.qr")
	if err != nil {
		return err
	}
	secret := r.URL.Query().Get("t")
	if subtle.ConstantTimeCompare(consent.HashLinkSecret(secret), l.Hash) != 1 {
		return accord.Errorf(accord.EINVALID, "query parameter t must be this link's secret (from the URL given when it was issued)")
	}
	if !l.Active(s.Now()) {
		return accord.Errorf(accord.ECONFLICT, "consent link %s is revoked or expired", l.ID)
	}
	code, err := qr.Encode(linkURL(r, secret), qr.M)
	if err != nil {
		return err
	}
	code.Scale = 8
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(code.PNG())
	return err
}
