// Package http serves Accord's JSON API (and later its web pages) over
// net/http. Every handler authenticates the caller, asks one authorisation
// point, and has the decision written to the audit log before it acts.
package http

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/audit"
	"github.com/accord-coalition/accord/dataset"
	"github.com/accord-coalition/accord/policy"
)

// Server is Accord's HTTP server.
type Server struct {
	Store   accord.Store
	Auditor accord.Auditor
	Logger  *slog.Logger
	Now     func() time.Time

	// AuditStore serves checkpoints, proofs and entries; nil on a node
	// without a log. AuditVerifierKey is the public key partners pin.
	AuditStore       audit.Store
	AuditVerifierKey string
	// Datasets imports and reads datasets; nil on a node without any.
	Datasets *dataset.Service
	// Policy holds the agreements and the decision function.
	Policy *policy.Service
	// Pseudonyms derives the keys that pseudonymise subjects in extracts;
	// nil on a node without a master key (extracts of a subject column fail).
	Pseudonyms PseudonymKeys

	mux     *http.ServeMux
	metrics *metrics
	server  *http.Server
}

// NewServer returns a server with its routes registered.
func NewServer(store accord.Store, auditor accord.Auditor, logger *slog.Logger) *Server {
	s := &Server{Store: store, Auditor: auditor, Logger: logger, Now: func() time.Time { return time.Now().UTC() },
		mux: http.NewServeMux(), metrics: newMetrics()}
	s.routes()
	return s
}

// Handle registers an API route; capabilities outside this package (audit,
// datasets, agreements) add theirs the same way.
func (s *Server) Handle(pattern string, h func(w http.ResponseWriter, r *http.Request) error) {
	s.mux.Handle(pattern, s.apiHandler(h))
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		s.metrics.write(w)
	})
	s.Handle("GET /api/v1/whoami", s.handleWhoami)
	s.Handle("GET /api/v1/organisations", s.handleListOrganisations)
	s.Handle("POST /api/v1/organisations", s.handleCreateOrganisation)
	s.Handle("GET /api/v1/organisations/{id}", s.handleGetOrganisation)
	s.Handle("GET /api/v1/members", s.handleListMembers)
	s.Handle("POST /api/v1/members", s.handleCreateMember)
	s.Handle("GET /api/v1/members/{id}", s.handleGetMember)
	s.Handle("GET /api/v1/grants", s.handleListGrants)
	s.Handle("POST /api/v1/grants", s.handleCreateGrant)
	s.Handle("POST /api/v1/grants/{id}/revoke", s.handleRevokeGrant)
	s.Handle("GET /api/v1/tokens", s.handleListTokens)
	s.Handle("POST /api/v1/tokens", s.handleCreateToken)
	s.Handle("POST /api/v1/tokens/{id}/revoke", s.handleRevokeToken)
	s.Handle("GET /api/v1/access/review", s.handleAccessReview)
	s.auditRoutes()
	s.datasetRoutes()
	s.agreementRoutes()
	s.lineageRoutes()
	s.consentRoutes()
	s.mux.Handle("/api/", s.apiHandler(func(w http.ResponseWriter, r *http.Request) error {
		return accord.Errorf(accord.ENOTFOUND, "no API endpoint %s %s", r.Method, r.URL.Path)
	}))
}

// ServeHTTP wraps every request with recovery, logging and metrics.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		if v := recover(); v != nil {
			s.Logger.Error("panic serving request", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
			if !rec.wrote {
				s.Error(rec, r, fmt.Errorf("panic: %v", v))
			}
		}
		_, route := s.mux.Handler(r)
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		s.metrics.observe(r.Method, route, rec.status, d)
		s.Logger.Debug("request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "duration", d)
	}()
	s.mux.ServeHTTP(rec, r)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

type digestKey struct{}

// apiHandler authenticates the caller and turns returned errors into JSON.
func (s *Server) apiHandler(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		if err != nil {
			s.Logger.Info("unauthenticated request", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr, "reason", err)
			s.Error(w, r, err)
			return
		}
		ctx := accord.NewContextWithPrincipal(r.Context(), p)
		digest, err := requestDigest(w, r)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		ctx = context.WithValue(ctx, digestKey{}, digest)
		if err := h(w, r.WithContext(ctx)); err != nil {
			s.Error(w, r, err)
		}
	})
}

// requestDigest hashes method, path, query and (for JSON bodies, which are
// small) the body, so an audit entry pins exactly what was asked. Streamed
// uploads are digested by their handler instead.
func requestDigest(w http.ResponseWriter, r *http.Request) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s?%s\n", r.Method, r.URL.Path, r.URL.RawQuery)
	if r.Body != nil && r.ContentLength != 0 && strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			var maxErr *http.MaxBytesError
			if errors.As(err, &maxErr) {
				return "", accord.Errorf(accord.EINVALID, "request body is larger than %d bytes", maxErr.Limit)
			}
			return "", accord.Errorf(accord.EINVALID, "could not read request body")
		}
		h.Write(body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// touchEvery throttles last-used writes so reads do not become writes.
const touchEvery = time.Minute

// authenticate resolves the bearer token to a principal with its active grants.
func (s *Server) authenticate(r *http.Request) (*accord.Principal, error) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return nil, accord.Errorf(accord.EUNAUTHENTICATED, "missing bearer token: send 'Authorization: Bearer <token>'")
	}
	secret, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || secret == "" {
		return nil, accord.Errorf(accord.EUNAUTHENTICATED, "the Authorization header must be 'Bearer <token>'")
	}
	ctx := r.Context()
	now := s.Now()
	tok, err := s.Store.TokenByHash(ctx, accord.HashTokenSecret(strings.TrimSpace(secret)))
	if accord.ErrorCode(err) == accord.ENOTFOUND {
		return nil, accord.Errorf(accord.EUNAUTHENTICATED, "invalid token")
	} else if err != nil {
		return nil, err
	}
	if !tok.RevokedAt.IsZero() {
		return nil, accord.Errorf(accord.EUNAUTHENTICATED, "token has been revoked")
	}
	if !now.Before(tok.ExpiresAt) {
		return nil, accord.Errorf(accord.EUNAUTHENTICATED, "token expired at %s", tok.ExpiresAt.Format(time.RFC3339))
	}
	m, err := s.Store.Member(ctx, tok.MemberID)
	if err != nil {
		return nil, err
	}
	grants, err := s.Store.Grants(ctx, accord.GrantFilter{MemberID: m.ID, ActiveAt: now})
	if err != nil {
		return nil, err
	}
	if now.Sub(tok.LastUsedAt) > touchEvery {
		if err := s.Store.TouchToken(ctx, tok.ID, now); err != nil {
			return nil, err
		}
	}
	return &accord.Principal{Member: m, TokenID: tok.ID, Grants: grants}, nil
}

// anyMember is the permission every authenticated member has (about itself).
const anyMember accord.Permission = ""

// authorize is the single authorisation point for the identity API: it
// decides whether the caller may use perm in org (deny by default), writes
// the decision to the audit log, and only then lets the handler go on. If the
// log cannot be written the request is refused (fail-closed).
func (s *Server) authorize(r *http.Request, perm accord.Permission, org, action, resource string) (*accord.Principal, error) {
	ctx := r.Context()
	p := accord.PrincipalFromContext(ctx)
	if p == nil {
		return nil, accord.Errorf(accord.EUNAUTHENTICATED, "not authenticated")
	}
	allowed := perm == anyMember || p.Can(perm, org)
	reason := "any authenticated member"
	if perm != anyMember {
		if allowed {
			reason = "permission " + string(perm) + " granted"
		} else if org != "" {
			reason = fmt.Sprintf("no active grant with permission %s in organisation %s", perm, org)
		} else {
			reason = "no active grant with permission " + string(perm)
		}
	}
	digest, _ := ctx.Value(digestKey{}).(string)
	rec := &accord.AuditRecord{Time: s.Now(), MemberID: p.Member.ID, OrganisationID: p.Member.OrganisationID,
		Action: action, Resource: resource, Allowed: allowed, Reason: reason, RequestDigest: digest}
	if err := s.Auditor.Record(ctx, rec); err != nil {
		return nil, &accord.Error{Code: accord.EINTERNAL, Message: "the audit log could not be written, so the request was refused", Err: err}
	}
	if !allowed {
		return nil, accord.Errorf(accord.EFORBIDDEN, "you may not %s: %s", strings.ReplaceAll(action, ".", " "), reason)
	}
	if perm != anyMember {
		var stale []string
		for _, g := range p.GrantsFor(perm, org) {
			if rec.Time.Sub(g.LastUsedAt) > touchEvery {
				stale = append(stale, g.ID)
			}
		}
		if len(stale) > 0 {
			if err := s.Store.TouchGrants(ctx, stale, rec.Time); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

// ListenAndServe serves on addr until ctx is cancelled, then shuts down
// gracefully, letting requests in flight finish.
func (s *Server) ListenAndServe(ctx context.Context, ln net.Listener) error {
	s.server = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- s.server.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := s.server.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
