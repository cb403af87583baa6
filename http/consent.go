package http

import (
	"context"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/agreement"
	"github.com/accord-coalition/accord/consent"
)

// MaxConsentImportBytes bounds one consent CSV upload (about a million rows).
const MaxConsentImportBytes = 64 << 20

// consentService is the state live consent keeps beside a server: the
// receipt key, the key of the subject pages' form tokens and the rate
// limiters. It hangs off the server through consentServices so that the
// whole capability lives in the consent*.go files.
type consentService struct {
	mu      sync.RWMutex
	key     ed25519.PrivateKey
	csrfKey []byte
	limits  *limiter
	// Jurisdiction is written into receipts ("unspecified" if empty).
	Jurisdiction string
}

var consentServices sync.Map // *Server → *consentService

func (s *Server) consent() *consentService {
	if c, ok := consentServices.Load(s); ok {
		return c.(*consentService)
	}
	k := make([]byte, 32)
	rand.Read(k)
	c, _ := consentServices.LoadOrStore(s, &consentService{csrfKey: k, limits: newLimiter()})
	return c.(*consentService)
}

// SetReceiptKey sets the node key that signs consent receipts. The key of
// the subject pages' form tokens is derived from it, so forms stay valid
// across restarts.
func (s *Server) SetReceiptKey(key ed25519.PrivateKey) error {
	csrf, err := hkdf.Key(sha256.New, key.Seed(), nil, "accord consent form tokens", 32)
	if err != nil {
		return fmt.Errorf("derive form token key: %w", err)
	}
	c := s.consent()
	c.mu.Lock()
	c.key, c.csrfKey = key, csrf
	c.mu.Unlock()
	return nil
}

func (c *consentService) signingKey() (ed25519.PrivateKey, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.key == nil {
		return nil, accord.Errorf(accord.EINTERNAL, "this node has no receipt signing key")
	}
	return c.key, nil
}

func (s *Server) consentRoutes() {
	s.Handle("POST /api/v1/consent/subjects/register", s.handleRegisterSubjects)
	s.Handle("GET /api/v1/consent/subjects/{key}", s.handleConsentSubject)
	s.Handle("POST /api/v1/consent/events", s.handleRecordConsent)
	s.Handle("POST /api/v1/consent/import", s.handleImportConsent)
	s.Handle("GET /api/v1/consent/receipts/{id}", s.handleConsentReceipt)
	s.Handle("GET /api/v1/consent/flags", s.handleConsentFlags)
	s.Handle("POST /api/v1/consent/flags/{id}/resolve", s.handleResolveFlag)
	s.Handle("POST /api/v1/consent/links", s.handleCreateLink)
	s.Handle("POST /api/v1/consent/links/{id}/revoke", s.handleRevokeLink)
	s.Handle("GET /api/v1/consent/links/{id}/qr", s.handleLinkQR)
	s.mux.HandleFunc("GET /consent", s.handleConsentPage)
	s.mux.HandleFunc("POST /consent", s.handleConsentChange)
	s.mux.HandleFunc("GET /consent/receipt", s.handleSubjectReceipt)
}

// consentDataset finds the dataset a consent request is about and
// authorises perm in the organisation holding it. An unknown dataset is
// authorised against no organisation, so callers without the permission
// anywhere learn nothing about which ids exist.
func (s *Server) consentDataset(r *http.Request, id string, perm accord.Permission, action, resource string) (*accord.Dataset, *accord.Principal, error) {
	if id == "" {
		if _, err := s.authorize(r, perm, "", action, resource); err != nil {
			return nil, nil, err
		}
		return nil, nil, accord.Errorf(accord.EINVALID, "the dataset is required")
	}
	d, err := s.Store.Dataset(r.Context(), id)
	if err != nil && accord.ErrorCode(err) != accord.ENOTFOUND {
		return nil, nil, err
	}
	org := ""
	if d != nil {
		org = d.OrganisationID
	}
	p, err := s.authorize(r, perm, org, action, resource)
	if err != nil {
		return nil, nil, err
	}
	if d == nil {
		return nil, nil, accord.Errorf(accord.ENOTFOUND, "dataset %q not found", id)
	}
	// Consent records are data about people: the decision function rules
	// on them like on any other data use.
	act := agreement.ActionConsentRead
	if perm == accord.PermConsentWrite {
		act = agreement.ActionConsentWrite
	}
	if err := s.decide(r, agreement.Request{Action: act, Dataset: d.ID, Custodian: d.OrganisationID}); err != nil {
		return nil, nil, err
	}
	return d, p, nil
}

// RegisterSubjectsRequest is the body of POST /api/v1/consent/subjects/register.
// Without Subjects, the dataset's confirmed subject column is read.
type RegisterSubjectsRequest struct {
	Dataset  string   `json:"dataset"`
	Subjects []string `json:"subjects,omitempty"`
}

func (s *Server) handleRegisterSubjects(w http.ResponseWriter, r *http.Request) error {
	var req RegisterSubjectsRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	d, _, err := s.consentDataset(r, req.Dataset, accord.PermConsentWrite, "consent.subjects.register", "dataset:"+req.Dataset)
	if err != nil {
		return err
	}
	keys, source := req.Subjects, "api"
	if len(keys) == 0 {
		if keys, err = s.subjectColumn(r.Context(), d); err != nil {
			return err
		}
		source = "dataset"
	}
	now := s.Now()
	subs := make([]accord.ConsentSubject, 0, len(keys))
	for _, k := range keys {
		if k = strings.TrimSpace(k); k == "" || len(k) > 200 {
			return accord.Errorf(accord.EINVALID, "subject keys must be 1-200 characters")
		}
		subs = append(subs, accord.ConsentSubject{DatasetID: d.ID, OrganisationID: d.OrganisationID, Key: k, Source: source, RegisteredAt: now})
	}
	n, err := s.Store.RegisterConsentSubjects(r.Context(), subs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"dataset": d.ID, "subjects": len(subs), "registered": n})
	return nil
}

// subjectColumn reads the distinct keys of a dataset's confirmed subject column.
func (s *Server) subjectColumn(ctx context.Context, d *accord.Dataset) ([]string, error) {
	cols := d.ColumnsOfClass(accord.ClassSubject)
	if len(cols) != 1 {
		return nil, accord.Errorf(accord.EINVALID, "dataset %s needs exactly one confirmed subject column to register its subjects (it has %d)", d.ID, len(cols))
	}
	if s.Datasets == nil {
		return nil, accord.Errorf(accord.ENOTFOUND, "this node holds no datasets")
	}
	t, err := s.Datasets.Table(ctx, d, cols[0])
	if err != nil {
		return nil, err
	}
	c := t.Columns[0]
	return consent.SubjectColumn(c.Codes, c.Dict), nil
}

// SubjectConsent is the reply of GET /api/v1/consent/subjects/{key}.
type SubjectConsent struct {
	Subject  accord.ConsentSubject  `json:"subject"`
	Current  []accord.ConsentStatus `json:"current"`
	History  []*accord.ConsentEvent `json:"history"`
	OptOutIs string                 `json:"opt_out_is"`
}

// OptOutScope says what a withdrawal does and does not do, wherever
// consent is shown.
const OptOutScope = "Withdrawing consent removes this person's data from that use only. It never removes them from the organisation's other activities: membership, meetings, services, help and campaigns go on as before."

func (s *Server) handleConsentSubject(w http.ResponseWriter, r *http.Request) error {
	key, ds := r.PathValue("key"), r.URL.Query().Get("dataset")
	_, _, err := s.consentDataset(r, ds, accord.PermConsentRead, "consent.subject.read", "dataset:"+ds)
	if err != nil {
		return err
	}
	sub, err := s.Store.ConsentSubject(r.Context(), ds, key)
	if err != nil {
		return err
	}
	hist, err := s.Store.ConsentHistory(r.Context(), ds, key)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, SubjectConsent{Subject: *sub, Current: consent.Current(hist, s.Now()), History: nonNil(hist), OptOutIs: OptOutScope})
	return nil
}

// RecordConsentRequest is the body of POST /api/v1/consent/events.
type RecordConsentRequest struct {
	Dataset   string                  `json:"dataset"`
	Subject   string                  `json:"subject"`
	Purpose   string                  `json:"purpose"`
	State     accord.ConsentState     `json:"state"`
	Time      time.Time               `json:"time,omitzero"` // when the subject decided; now if empty
	ExpiresAt time.Time               `json:"expires_at,omitzero"`
	Method    accord.CollectionMethod `json:"method,omitempty"` // "api" if empty
	Agreement string                  `json:"agreement"`
}

// RecordedConsent is the reply to a recorded change: the event and its
// signed receipt.
type RecordedConsent struct {
	Event   *accord.ConsentEvent   `json:"event"`
	Applied *accord.ConsentApplied `json:"applied"`
	Receipt string                 `json:"receipt"` // compact JWS
}

func (s *Server) handleRecordConsent(w http.ResponseWriter, r *http.Request) error {
	var req RecordConsentRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	d, p, err := s.consentDataset(r, req.Dataset, accord.PermConsentWrite, "consent.record", "dataset:"+req.Dataset)
	if err != nil {
		return err
	}
	now := s.Now()
	e := &accord.ConsentEvent{OrganisationID: d.OrganisationID, DatasetID: d.ID, SubjectKey: strings.TrimSpace(req.Subject),
		Purpose: req.Purpose, State: req.State, Time: req.Time, ExpiresAt: req.ExpiresAt, Method: req.Method,
		Agreement: req.Agreement, RecordedBy: p.Member.ID, RecordedAt: now}
	if e.Time.IsZero() {
		e.Time = now
	}
	if e.Method == "" {
		e.Method = accord.MethodAPI
	}
	applied, err := s.applyOne(r.Context(), e)
	if err != nil {
		return err
	}
	jws, err := s.receipt(r.Context(), e)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, RecordedConsent{Event: e, Applied: applied, Receipt: jws})
	return nil
}

// applyOne checks one change against the subject's current state (the
// state machine) and stores it.
func (s *Server) applyOne(ctx context.Context, e *accord.ConsentEvent) (*accord.ConsentApplied, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	if _, err := s.Store.ConsentSubject(ctx, e.DatasetID, e.SubjectKey); accord.ErrorCode(err) == accord.ENOTFOUND {
		return nil, accord.Errorf(accord.EINVALID, "subject %q is not registered for dataset %q: register it from the dataset's subject column or by a consent import first", e.SubjectKey, e.DatasetID)
	} else if err != nil {
		return nil, err
	}
	hist, err := s.Store.ConsentHistory(ctx, e.DatasetID, e.SubjectKey)
	if err != nil {
		return nil, err
	}
	if err := consent.Check(e, consent.Current(hist, e.Time)); err != nil {
		return nil, err
	}
	return s.Store.ApplyConsent(ctx, &accord.ConsentBatch{Events: []*accord.ConsentEvent{e}})
}

func (s *Server) handleImportConsent(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ds := q.Get("dataset")
	d, p, err := s.consentDataset(r, ds, accord.PermConsentWrite, "consent.import", "dataset:"+ds)
	if err != nil {
		return err
	}
	now := s.Now()
	defaults := consent.Defaults{OrganisationID: d.OrganisationID, DatasetID: d.ID, Agreement: q.Get("agreement"),
		Method: accord.MethodImport, RecordedBy: p.Member.ID, RecordedAt: now}
	body := http.MaxBytesReader(w, r.Body, MaxConsentImportBytes)
	events, err := consent.ReadCSV(body, defaults)
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return accord.Errorf(accord.EINVALID, "the consent file is larger than %d MB; split it", MaxConsentImportBytes>>20)
		}
		return err
	}
	applied, err := s.Store.ApplyConsent(r.Context(), &accord.ConsentBatch{Register: consent.SubjectsOf(events, "import", now), Events: events})
	if err != nil {
		return err
	}
	s.Logger.InfoContext(r.Context(), "consent import", "dataset", d.ID, "events", applied.Events, "registered", applied.Registered, "flagged", applied.Flagged)
	writeJSON(w, http.StatusOK, applied)
	return nil
}

// receipt builds and signs the receipt of a stored change.
func (s *Server) receipt(ctx context.Context, e *accord.ConsentEvent) (string, error) {
	c := s.consent()
	key, err := c.signingKey()
	if err != nil {
		return "", err
	}
	rc := consent.ReceiptContext{Jurisdiction: c.Jurisdiction, OrganisationName: e.OrganisationID}
	if o, err := s.Store.Organisation(ctx, e.OrganisationID); err == nil {
		rc.OrganisationName = o.Name
	}
	if a := s.agreementOf(ctx, e.Agreement); a != nil {
		if p := a.Purpose(e.Purpose); p != nil {
			rc.PurposeDescription = p.Description
		}
		for _, party := range a.Parties {
			if party.Organisation != e.OrganisationID {
				rc.ThirdParties = append(rc.ThirdParties, partyName(party))
			}
		}
	}
	return consent.SignReceipt(key, consent.NewReceipt(e, rc, key.Public().(ed25519.PublicKey)))
}

func partyName(p agreement.Party) string {
	if p.Name != "" {
		return p.Name
	}
	return p.Organisation
}

// agreementOf parses the agreement version an "id@version" reference names;
// nil if it is not stored here (the reference is kept as written).
func (s *Server) agreementOf(ctx context.Context, ref string) *agreement.Agreement {
	id, ver, ok := accord.SplitAgreementRef(ref)
	if !ok {
		return nil
	}
	n, err := strconv.Atoi(strings.TrimPrefix(ver, "v"))
	if err != nil {
		return nil
	}
	v, err := s.Store.AgreementVersion(ctx, id, n)
	if err != nil {
		return nil
	}
	a, err := agreement.Parse(v.Source)
	if err != nil {
		return nil
	}
	return a
}

func (s *Server) handleConsentReceipt(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	e, err := s.Store.ConsentEvent(r.Context(), id)
	if err != nil && accord.ErrorCode(err) != accord.ENOTFOUND {
		return err
	}
	org := ""
	if e != nil {
		org = e.OrganisationID
	}
	if _, err := s.authorize(r, accord.PermConsentRead, org, "consent.receipt.read", "consent:"+id); err != nil {
		return err
	}
	if e == nil {
		return accord.Errorf(accord.ENOTFOUND, "consent change %q not found", id)
	}
	jws, err := s.receipt(r.Context(), e)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/jose")
	w.Header().Set("Content-Disposition", `attachment; filename="consent-receipt-`+id+`.jws"`)
	_, err = w.Write([]byte(jws + "\n"))
	return err
}

func (s *Server) handleConsentFlags(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := accord.DerivationFlagFilter{OrganisationID: q.Get("organisation"), DatasetID: q.Get("dataset"), OpenOnly: q.Get("open") != "false"}
	org := f.OrganisationID
	if f.DatasetID != "" {
		d, _, err := s.consentDataset(r, f.DatasetID, accord.PermConsentRead, "consent.flags.list", "dataset:"+f.DatasetID)
		if err != nil {
			return err
		}
		if org != "" && org != d.OrganisationID {
			return accord.Errorf(accord.EINVALID, "dataset %s belongs to %s, not %s", d.ID, d.OrganisationID, org)
		}
		f.OrganisationID = d.OrganisationID
	} else if _, err := s.authorize(r, accord.PermConsentRead, org, "consent.flags.list", "derivations:"+org); err != nil {
		return err
	}
	flags, err := s.Store.DerivationFlags(r.Context(), f)
	if err != nil {
		return err
	}
	p := accord.PrincipalFromContext(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{"flags": visible(p, accord.PermConsentRead, flags,
		func(f *accord.DerivationFlag) string { return f.Derivation.OrganisationID })})
	return nil
}

func (s *Server) handleResolveFlag(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	flags, err := s.Store.DerivationFlags(r.Context(), accord.DerivationFlagFilter{})
	if err != nil {
		return err
	}
	org := ""
	for _, f := range flags {
		if f.Derivation.ID == id {
			org = f.Derivation.OrganisationID
		}
	}
	if _, err := s.authorize(r, accord.PermConsentWrite, org, "consent.flag.resolve", "derivation:"+id); err != nil {
		return err
	}
	if org == "" {
		return accord.Errorf(accord.ENOTFOUND, "derivation %q is not flagged", id)
	}
	if err := s.Store.ResolveDerivationFlag(r.Context(), id, s.Now()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"derivation": id, "status": "resolved"})
	return nil
}
