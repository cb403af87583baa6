package http

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/consent"
)

// The subject pages: reached through a consent link, no account needed.
//
// What "one-time link" means here: a link belongs to one subject of one
// dataset and works until it expires or is revoked; issuing a new link for
// the same subject revokes the old one, so a subject has one live link at a
// time. Each form submission needs the form token printed in the page,
// which is tied to the link. A revoked, expired, replaced, mistyped or
// guessed link gets the same plain "this link does not work" page.

//go:embed templates/consent*.html
var consentTemplates embed.FS

var consentPages = template.Must(template.New("").ParseFS(consentTemplates, "templates/consent*.html"))

// maxConsentForm bounds a subject form post; the real one is a few hundred bytes.
const maxConsentForm = 16 << 10

type langLink struct {
	Code, Name string
	Current    bool
}

type purposeView struct {
	ID, Description, Status, Until string
	Given                          bool
}

type consentPage struct {
	Lang, Title, Intro, Holder, Partners, Saved, Expires, Token, CSRF string
	T                                                                 map[string]string
	Purposes                                                          []purposeView
	Languages                                                         []langLink
	HasReceipt                                                        bool
}

func setPageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
}

// errorPage writes one of the plain error pages in the reader's language.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, kind, lang string) {
	setPageHeaders(w)
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "60")
	}
	w.WriteHeader(status)
	t := catalogue[lang]
	if err := consentPages.ExecuteTemplate(w, "consent_error.html", map[string]any{"Lang": lang, "Title": t[kind+".title"], "Body": t[kind+".body"]}); err != nil {
		s.Logger.Debug("write consent error page", "err", err)
	}
}

// openLink rate-limits the request and resolves its link secret. On any
// failure it has written the answer and returns nil.
func (s *Server) openLink(w http.ResponseWriter, r *http.Request, action string) *accord.ConsentLink {
	c := s.consent()
	lang := pageLanguage(r, "")
	if !c.limits.allow("ip:"+clientIP(r), perIP) {
		s.errorPage(w, r, http.StatusTooManyRequests, "limit", lang)
		return nil
	}
	secret := r.FormValue("t")
	var l *accord.ConsentLink
	if consent.LooksLikeLinkSecret(secret) {
		found, err := s.Store.ConsentLinkByHash(r.Context(), consent.HashLinkSecret(secret))
		if err != nil && accord.ErrorCode(err) != accord.ENOTFOUND {
			s.Logger.ErrorContext(r.Context(), "consent link lookup", "err", err)
			s.errorPage(w, r, http.StatusInternalServerError, "error", lang)
			return nil
		}
		if found != nil && found.Active(s.Now()) {
			l = found
		}
	}
	if l == nil {
		// Denied attempts are logged too, without the secret.
		if err := s.pageAudit(r.Context(), r, nil, action, false, "unknown, expired, replaced or revoked consent link", "", ""); err != nil {
			s.errorPage(w, r, http.StatusInternalServerError, "error", lang)
			return nil
		}
		s.errorPage(w, r, http.StatusNotFound, "notfound", lang)
		return nil
	}
	if !c.limits.allow("link:"+l.ID, perLink) {
		s.errorPage(w, r, http.StatusTooManyRequests, "limit", pageLanguage(r, l.Language))
		return nil
	}
	return l
}

// pageAudit records a subject page event; the subject key goes in Subject,
// which the log stores only as a keyed hash.
func (s *Server) pageAudit(ctx context.Context, r *http.Request, l *accord.ConsentLink, action string, allowed bool, reason, purpose, detail string) error {
	rec := &accord.AuditRecord{Time: s.Now(), Action: action, Allowed: allowed, Reason: reason, Purpose: purpose, Detail: detail,
		RequestDigest: pageDigest(r)}
	if l != nil {
		rec.OrganisationID, rec.Resource, rec.Subject = l.OrganisationID, "dataset:"+l.DatasetID, l.SubjectKey
	} else {
		rec.Resource = "consent-link"
	}
	if err := s.Auditor.Record(ctx, rec); err != nil {
		s.Logger.ErrorContext(ctx, "audit consent page", "err", err)
		return err
	}
	return nil
}

// pageDigest pins method, path and the form fields other than the secrets.
func pageDigest(r *http.Request) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", r.Method, r.URL.Path)
	for _, k := range []string{"purpose", "decision", "lang"} {
		fmt.Fprintf(h, "%s=%s\n", k, r.FormValue(k))
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// formToken ties a form to its link: anyone holding the page can post, no
// other site can forge a post for a link it does not know.
func (s *Server) formToken(l *accord.ConsentLink) string {
	c := s.consent()
	c.mu.RLock()
	m := hmac.New(sha256.New, c.csrfKey)
	c.mu.RUnlock()
	m.Write([]byte("consent-form\x00" + l.ID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) handleConsentPage(w http.ResponseWriter, r *http.Request) {
	l := s.openLink(w, r, "consent.page.view")
	if l == nil {
		return
	}
	lang := pageLanguage(r, l.Language)
	if err := s.pageAudit(r.Context(), r, l, "consent.page.view", true, "valid consent link "+l.ID, "", ""); err != nil {
		s.errorPage(w, r, http.StatusInternalServerError, "error", lang)
		return
	}
	page, err := s.buildPage(r.Context(), l, lang)
	if err != nil {
		s.Logger.ErrorContext(r.Context(), "consent page", "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "error", lang)
		return
	}
	if saved := r.FormValue("saved"); saved == "given" || saved == "withdrawn" {
		page.Saved = page.T["saved."+saved]
	}
	page.Token = r.FormValue("t")
	setPageHeaders(w)
	if err := consentPages.ExecuteTemplate(w, "consent.html", page); err != nil {
		s.Logger.Debug("write consent page", "err", err)
	}
}

func (s *Server) buildPage(ctx context.Context, l *accord.ConsentLink, lang string) (*consentPage, error) {
	t := catalogue[lang]
	holder := l.OrganisationID
	if o, err := s.Store.Organisation(ctx, l.OrganisationID); err == nil {
		holder = o.Name
	}
	hist, err := s.Store.ConsentHistory(ctx, l.DatasetID, l.SubjectKey)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	current := consent.Current(hist, now)
	p := &consentPage{Lang: lang, T: t, Title: t["title"], Intro: fmt.Sprintf(t["intro"], holder),
		Holder: fmt.Sprintf(t["who.holder"], holder), CSRF: s.formToken(l), HasReceipt: len(hist) > 0,
		Expires: fmt.Sprintf(t["expires"], longDate(l.ExpiresAt, lang), holder)}
	for _, code := range languages {
		p.Languages = append(p.Languages, langLink{Code: code, Name: catalogue[code]["lang.name"], Current: code == lang})
	}
	a := s.agreementOf(ctx, l.Agreement)
	var partners []string
	descriptions := map[string]string{}
	if a != nil {
		for _, party := range a.Parties {
			if party.Organisation != l.OrganisationID {
				partners = append(partners, partyName(party))
			}
		}
		for _, pu := range a.Purposes {
			descriptions[pu.ID] = pu.Description
		}
	}
	if len(partners) > 0 {
		p.Partners = fmt.Sprintf(t["who.partners"], strings.Join(partners, ", "))
	}
	for _, id := range pagePurposes(descriptions, current) {
		v := purposeView{ID: id, Description: describePurpose(id, descriptions[id], lang)}
		st := consent.StateOf(current, id)
		for _, c := range current {
			if c.Purpose != id {
				continue
			}
			switch c.State {
			case accord.ConsentGiven:
				v.Status, v.Given = fmt.Sprintf(t["state.given"], longDate(c.Since, lang)), true
				if !c.ExpiresAt.IsZero() {
					v.Until = fmt.Sprintf(t["state.until"], longDate(c.ExpiresAt, lang))
				}
			default:
				v.Status = fmt.Sprintf(t["state."+string(c.State)], longDate(c.Since, lang))
			}
		}
		if st == accord.ConsentNotGiven {
			v.Status = t["state.not-given"]
		}
		p.Purposes = append(p.Purposes, v)
	}
	return p, nil
}

// pagePurposes are the agreement's purposes and any the subject decided on.
func pagePurposes(agreed map[string]string, current []accord.ConsentStatus) []string {
	var ids []string
	for id := range agreed {
		ids = append(ids, id)
	}
	for _, c := range current {
		if !slices.Contains(ids, c.Purpose) {
			ids = append(ids, c.Purpose)
		}
	}
	slices.Sort(ids)
	return ids
}

func describePurpose(id, agreed, lang string) string {
	family, _, _ := strings.Cut(id, ".")
	plain := purposeWords[lang][family]
	switch {
	case lang == "en" && agreed != "":
		return agreed
	case plain != "":
		return plain
	case agreed != "":
		return agreed
	}
	return id
}

func longDate(t time.Time, lang string) string {
	t = t.UTC()
	return fmt.Sprintf("%d %s %d", t.Day(), monthNames[lang][t.Month()-1], t.Year())
}

func (s *Server) handleConsentChange(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxConsentForm)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "form", pageLanguage(r, ""))
		return
	}
	l := s.openLink(w, r, "consent.change")
	if l == nil {
		return
	}
	lang := pageLanguage(r, l.Language)
	if !hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(s.formToken(l))) {
		_ = s.pageAudit(r.Context(), r, l, "consent.change", false, "missing or wrong form token", "", "")
		s.errorPage(w, r, http.StatusForbidden, "form", lang)
		return
	}
	page, err := s.buildPage(r.Context(), l, lang)
	if err != nil {
		s.Logger.ErrorContext(r.Context(), "consent page", "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "error", lang)
		return
	}
	purpose, decision := r.PostFormValue("purpose"), accord.ConsentState(r.PostFormValue("decision"))
	offered := slices.ContainsFunc(page.Purposes, func(v purposeView) bool { return v.ID == purpose })
	if !offered || (decision != accord.ConsentGiven && decision != accord.ConsentWithdrawn) {
		_ = s.pageAudit(r.Context(), r, l, "consent.change", false, "purpose or decision not offered on the page", purpose, "")
		s.errorPage(w, r, http.StatusBadRequest, "form", lang)
		return
	}
	if err := s.pageAudit(r.Context(), r, l, "consent.change", true, "subject's own choice through consent link "+l.ID, purpose, string(decision)); err != nil {
		s.errorPage(w, r, http.StatusInternalServerError, "error", lang)
		return
	}
	now := s.Now()
	e := &accord.ConsentEvent{OrganisationID: l.OrganisationID, DatasetID: l.DatasetID, SubjectKey: l.SubjectKey, Purpose: purpose,
		State: decision, Time: now, Method: accord.MethodWebLink, Agreement: l.Agreement, RecordedBy: "subject:" + l.ID, RecordedAt: now}
	if _, err := s.applyOne(r.Context(), e); err != nil {
		s.Logger.ErrorContext(r.Context(), "consent change from subject page", "link", l.ID, "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "error", lang)
		return
	}
	if err := s.Store.TouchConsentLink(r.Context(), l.ID, now); err != nil {
		s.Logger.WarnContext(r.Context(), "touch consent link", "err", err)
	}
	q := url.Values{"t": {r.PostFormValue("t")}, "lang": {lang}, "saved": {string(decision)}}
	http.Redirect(w, r, "/consent?"+q.Encode(), http.StatusSeeOther)
}

func (s *Server) handleSubjectReceipt(w http.ResponseWriter, r *http.Request) {
	l := s.openLink(w, r, "consent.receipt.download")
	if l == nil {
		return
	}
	lang := pageLanguage(r, l.Language)
	hist, err := s.Store.ConsentHistory(r.Context(), l.DatasetID, l.SubjectKey)
	if err != nil || len(hist) == 0 {
		s.errorPage(w, r, http.StatusNotFound, "notfound", lang)
		return
	}
	latest := hist[0]
	for _, e := range hist[1:] {
		if e.RecordedAt.After(latest.RecordedAt) || (e.RecordedAt.Equal(latest.RecordedAt) && e.Seq > latest.Seq) {
			latest = e
		}
	}
	if err := s.pageAudit(r.Context(), r, l, "consent.receipt.download", true, "valid consent link "+l.ID, latest.Purpose, latest.ID); err != nil {
		s.errorPage(w, r, http.StatusInternalServerError, "error", lang)
		return
	}
	jws, err := s.receipt(r.Context(), latest)
	if err != nil {
		s.Logger.ErrorContext(r.Context(), "consent receipt", "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "error", lang)
		return
	}
	w.Header().Set("Content-Type", "application/jose")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", `attachment; filename="consent-receipt.jws"`)
	w.Write([]byte(jws + "\n"))
}
