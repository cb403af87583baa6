package http

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/agreement"
)

// MaxAgreementBytes bounds an agreement's YAML.
const MaxAgreementBytes = 1 << 20

func (s *Server) agreementRoutes() {
	s.Handle("POST /api/v1/agreements/lint", s.handleLintAgreement)
	s.Handle("POST /api/v1/agreements", s.handleCreateAgreement)
	s.Handle("GET /api/v1/agreements", s.handleListAgreements)
	s.Handle("GET /api/v1/agreements/{id}/versions/{version}", s.handleGetAgreement)
	s.Handle("GET /api/v1/agreements/{id}/versions/{version}/odrl", s.handleAgreementODRL)
	s.Handle("POST /api/v1/agreements/{id}/versions/{version}/events", s.handleAgreementEvent)
	s.Handle("GET /api/v1/agreements/{id}/diff", s.handleAgreementDiff)
	s.Handle("GET /api/v1/agreements/{id}/versions/{version}/drift", s.handleAgreementDrift)
}

func readAgreementBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxAgreementBytes))
	if err != nil {
		return nil, accord.Errorf(accord.EINVALID, "agreement body must be YAML of at most %d bytes", MaxAgreementBytes)
	}
	if len(b) == 0 {
		return nil, accord.Errorf(accord.EINVALID, "send the agreement's YAML as the request body")
	}
	return b, nil
}

// LintResponse lists an agreement's diagnostics.
type LintResponse struct {
	Diagnostics []agreement.Diagnostic `json:"diagnostics"`
	Errors      int                    `json:"errors"`
}

func lintErrors(ds []agreement.Diagnostic) int {
	n := 0
	for _, d := range ds {
		if d.Severity == agreement.SeverityError {
			n++
		}
	}
	return n
}

func (s *Server) handleLintAgreement(w http.ResponseWriter, r *http.Request) error {
	src, err := readAgreementBody(w, r)
	if err != nil {
		return err
	}
	if _, err := s.authorize(r, accord.PermAgreementRead, "", "agreement.lint", "agreements"); err != nil {
		return err
	}
	cat, err := s.Policy.Catalog(r.Context())
	if err != nil {
		return err
	}
	ds := agreement.Lint(src, cat)
	writeJSON(w, http.StatusOK, LintResponse{Diagnostics: nonNil(ds), Errors: lintErrors(ds)})
	return nil
}

func (s *Server) handleCreateAgreement(w http.ResponseWriter, r *http.Request) error {
	src, err := readAgreementBody(w, r)
	if err != nil {
		return err
	}
	self := accord.PrincipalFromContext(r.Context())
	p, err := s.authorize(r, accord.PermAgreementWrite, self.Member.OrganisationID, "agreement.create", "agreements")
	if err != nil {
		return err
	}
	cat, err := s.Policy.Catalog(r.Context())
	if err != nil {
		return err
	}
	if ds := agreement.Lint(src, cat); lintErrors(ds) > 0 {
		var msgs []string
		for _, d := range ds {
			if d.Severity == agreement.SeverityError {
				msgs = append(msgs, d.String())
			}
		}
		return accord.Errorf(accord.EINVALID, "the agreement has %d error(s):\n%s", len(msgs), strings.Join(msgs, "\n"))
	}
	a, err := agreement.Parse(src)
	if err != nil {
		return err
	}
	if a.Party(p.Member.OrganisationID) == nil && !p.HasRole(accord.RoleCoalitionAdmin) {
		return accord.Errorf(accord.EFORBIDDEN, "your organisation %s is not a party to agreement %s", p.Member.OrganisationID, a.ID)
	}
	if a.Version > 1 {
		prev, err := s.Store.AgreementVersion(r.Context(), a.ID, a.Version-1)
		if err != nil {
			return accord.Errorf(accord.EINVALID, "version %d amends version %d, which this node does not hold", a.Version, a.Version-1)
		}
		pa, err := agreement.Parse(prev.Source)
		if err != nil {
			return err
		}
		if err := agreement.CheckAmendment(pa, a); err != nil {
			return err
		}
	}
	digest, err := digestOf(a)
	if err != nil {
		return err
	}
	v := &accord.AgreementVersion{ID: a.ID, Version: a.Version, Source: src, Digest: digest, CreatedBy: p.Member.ID, CreatedAt: s.Now()}
	if err := s.Store.CreateAgreementVersion(r.Context(), v); err != nil {
		return err
	}
	s.Policy.Invalidate()
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func digestOf(a *agreement.Agreement) (string, error) {
	l, err := agreement.NewLifecycle(a)
	if err != nil {
		return "", err
	}
	return l.Digest.String(), nil
}

// AgreementSummary is one version with where it stands now.
type AgreementSummary struct {
	*accord.AgreementVersion
	Title    string            `json:"title"`
	State    agreement.State   `json:"state"`
	Unsigned []string          `json:"unsigned,omitempty"` // parties still to sign
	Parties  []string          `json:"parties"`
	Events   []agreement.Event `json:"events,omitempty"`
}

func (s *Server) handleListAgreements(w http.ResponseWriter, r *http.Request) error {
	p, err := s.authorize(r, accord.PermAgreementRead, "", "agreement.list", "agreements")
	if err != nil {
		return err
	}
	versions, err := s.Store.AgreementVersions(r.Context(), r.URL.Query().Get("id"))
	if err != nil {
		return err
	}
	ls, err := s.Policy.Lifecycles(r.Context(), r.URL.Query().Get("id"))
	if err != nil {
		return err
	}
	now := s.Now()
	out := []AgreementSummary{}
	for i, v := range versions {
		l := ls[i]
		if !mayRead(p, l.Agreement) {
			continue
		}
		out = append(out, summarise(v, l, now, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"agreements": out})
	return nil
}

// mayRead: the parties' members read their agreements; admins read all.
func mayRead(p *accord.Principal, a *agreement.Agreement) bool {
	if p.HasRole(accord.RoleCoalitionAdmin) {
		return true
	}
	for _, party := range a.Parties {
		if p.Can(accord.PermAgreementRead, party.Organisation) && p.Member.OrganisationID == party.Organisation {
			return true
		}
	}
	return false
}

func summarise(v *accord.AgreementVersion, l *agreement.Lifecycle, now time.Time, events bool) AgreementSummary {
	sum := AgreementSummary{AgreementVersion: v, Title: l.Agreement.Title, State: l.State(now), Unsigned: l.Unsigned(now)}
	for _, p := range l.Agreement.Parties {
		sum.Parties = append(sum.Parties, p.Organisation)
	}
	if events {
		sum.Events = l.Events
	}
	return sum
}

// agreementFor loads the version named in the path and authorises reading it.
func (s *Server) agreementFor(r *http.Request, action string) (*accord.AgreementVersion, *agreement.Lifecycle, *accord.Principal, error) {
	id := r.PathValue("id")
	ver, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || ver < 1 {
		return nil, nil, nil, accord.Errorf(accord.EINVALID, "version must be a positive whole number")
	}
	p, err := s.authorize(r, accord.PermAgreementRead, "", action, fmt.Sprintf("agreement:%s@%d", id, ver))
	if err != nil {
		return nil, nil, nil, err
	}
	v, err := s.Store.AgreementVersion(r.Context(), id, ver)
	if err != nil {
		return nil, nil, nil, err
	}
	l, _, err := s.Policy.Lifecycle(r.Context(), id, ver)
	if err != nil {
		return nil, nil, nil, err
	}
	if !mayRead(p, l.Agreement) {
		return nil, nil, nil, accord.Errorf(accord.EFORBIDDEN, "your organisation is not a party to agreement %s", id)
	}
	return v, l, p, nil
}

// AgreementDetail is one version in full.
type AgreementDetail struct {
	AgreementSummary
	Source    string               `json:"source"`
	Agreement *agreement.Agreement `json:"agreement"`
}

func (s *Server) handleGetAgreement(w http.ResponseWriter, r *http.Request) error {
	v, l, _, err := s.agreementFor(r, "agreement.read")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, AgreementDetail{AgreementSummary: summarise(v, l, s.Now(), true), Source: string(v.Source), Agreement: l.Agreement})
	return nil
}

func (s *Server) handleAgreementODRL(w http.ResponseWriter, r *http.Request) error {
	_, l, _, err := s.agreementFor(r, "agreement.export")
	if err != nil {
		return err
	}
	b, err := agreement.ExportODRL(l.Agreement)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/ld+json")
	_, err = w.Write(b)
	return err
}

// AgreementEventRequest is one lifecycle step by the caller's organisation.
type AgreementEventRequest struct {
	Kind      agreement.EventKind  `json:"kind"`
	Reason    string               `json:"reason,omitempty"`
	Signature *agreement.Signature `json:"signature,omitempty"`
}

func (s *Server) handleAgreementEvent(w http.ResponseWriter, r *http.Request) error {
	var req AgreementEventRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	id := r.PathValue("id")
	ver, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || ver < 1 {
		return accord.Errorf(accord.EINVALID, "version must be a positive whole number")
	}
	self := accord.PrincipalFromContext(r.Context())
	perm := accord.PermAgreementWrite
	if req.Kind == agreement.EventSign {
		perm = accord.PermAgreementSign
	}
	p, err := s.authorize(r, perm, self.Member.OrganisationID, "agreement."+string(req.Kind), fmt.Sprintf("agreement:%s@%d", id, ver))
	if err != nil {
		return err
	}
	l, seq, err := s.Policy.Lifecycle(r.Context(), id, ver)
	if err != nil {
		return err
	}
	ev := agreement.Event{Kind: req.Kind, At: s.Now(), Organisation: p.Member.OrganisationID, Member: p.Member.ID, Reason: req.Reason, Signature: req.Signature}
	if err := l.Apply(ev); err != nil {
		return err
	}
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	if err := s.Store.AppendAgreementEvent(r.Context(), &accord.AgreementEvent{AgreementID: id, Version: ver, Data: data, At: ev.At}, seq); err != nil {
		return err
	}
	// Suspension, termination and the last signature change what is
	// allowed from the very next request.
	s.Policy.Invalidate()
	v, err := s.Store.AgreementVersion(r.Context(), id, ver)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, summarise(v, l, s.Now(), true))
	return nil
}

func (s *Server) handleAgreementDiff(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	q := r.URL.Query()
	from, err1 := strconv.Atoi(q.Get("from"))
	to, err2 := strconv.Atoi(q.Get("to"))
	if err1 != nil || err2 != nil {
		return accord.Errorf(accord.EINVALID, "give the versions to compare as from=N&to=M")
	}
	p, err := s.authorize(r, accord.PermAgreementRead, "", "agreement.diff", "agreement:"+id)
	if err != nil {
		return err
	}
	var as [2]*agreement.Agreement
	for i, v := range []int{from, to} {
		l, _, err := s.Policy.Lifecycle(r.Context(), id, v)
		if err != nil {
			return err
		}
		if !mayRead(p, l.Agreement) {
			return accord.Errorf(accord.EFORBIDDEN, "your organisation is not a party to agreement %s", id)
		}
		as[i] = l.Agreement
	}
	writeJSON(w, http.StatusOK, map[string]any{"agreement": id, "from": from, "to": to, "changes": nonNil(agreement.Diff(as[0], as[1]))})
	return nil
}

func (s *Server) handleAgreementDrift(w http.ResponseWriter, r *http.Request) error {
	_, l, _, err := s.agreementFor(r, "agreement.drift")
	if err != nil {
		return err
	}
	a := l.Agreement
	var ids []string
	for _, d := range a.Datasets {
		ids = append(ids, d.ID)
	}
	decisions, err := s.Store.Decisions(r.Context(), time.Time{}, ids...)
	if err != nil {
		return err
	}
	records := make([]agreement.DecisionRecord, 0, len(decisions))
	for _, d := range decisions {
		records = append(records, agreement.DecisionRecord{Time: d.Time, Organisation: d.OrganisationID, Action: agreement.Action(d.Action),
			Dataset: d.Dataset, Columns: d.Columns, Purpose: d.Purpose, Allowed: d.Allowed, Clause: d.Clause})
	}
	schemas, err := s.Policy.Schemas(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, agreement.ComputeDrift(a, records, schemas, agreement.DriftOptions{}))
	return nil
}

// decide is the one place data access meets the agreements: it asks the
// decision function, writes the answer to the audit log (fail-closed) and
// keeps it for drift reports. A refusal names the clause that decided.
func (s *Server) decide(r *http.Request, req agreement.Request) error {
	_, err := s.decision(r, req)
	return err
}

// decision is decide returning the decision too, for data paths that must
// name the agreement and clause that allowed them (an extract's pseudonym
// key and lineage).
func (s *Server) decision(r *http.Request, req agreement.Request) (agreement.Decision, error) {
	ctx := r.Context()
	p := accord.PrincipalFromContext(ctx)
	if req.Organisation == "" {
		req = withPrincipal(req, p)
	}
	req.Time = s.Now()
	x, err := s.Policy.Decider(ctx)
	if err != nil {
		return agreement.Decision{}, err
	}
	d := x.Decide(req)
	digest, _ := ctx.Value(digestKey{}).(string)
	rec := &accord.AuditRecord{Time: req.Time, MemberID: p.Member.ID, OrganisationID: req.Organisation, Action: "data." + string(req.Action),
		Resource: "dataset:" + req.Dataset, Purpose: req.Purpose, Allowed: d.Allow, Reason: d.Clause + ": " + d.Reason, RequestDigest: digest}
	if err := s.Auditor.Record(ctx, rec); err != nil {
		return agreement.Decision{}, &accord.Error{Code: accord.EINTERNAL, Message: "the audit log could not be written, so the request was refused", Err: err}
	}
	if err := s.Store.RecordDecision(ctx, &accord.PolicyDecision{Time: req.Time, MemberID: p.Member.ID, OrganisationID: req.Organisation,
		Action: string(req.Action), Dataset: req.Dataset, Columns: req.Columns, Purpose: req.Purpose, Allowed: d.Allow,
		Clause: d.Clause, Agreement: d.Agreement, Version: d.Version}); err != nil {
		return agreement.Decision{}, err
	}
	if !d.Allow {
		return d, accord.Errorf(accord.EFORBIDDEN, "%s (%s)", d.Reason, d.Clause)
	}
	return d, nil
}

func withPrincipal(req agreement.Request, p *accord.Principal) agreement.Request {
	base := agreement.NewRequest(p, p.Member.OrganisationID)
	base.Action, base.Dataset, base.Columns, base.Purpose, base.Tier, base.Custodian =
		req.Action, req.Dataset, req.Columns, req.Purpose, req.Tier, req.Custodian
	return base
}
