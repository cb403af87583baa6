package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/audit"
)

// CheckpointResponse is the node's latest signed checkpoint.
type CheckpointResponse struct {
	Size        uint64 `json:"size"`
	Root        []byte `json:"root"`         // base64
	Note        string `json:"note"`         // signed note, verbatim
	VerifierKey string `json:"verifier_key"` // the node's public key (note format)
}

// ProofResponse carries an inclusion or consistency proof.
type ProofResponse struct {
	Index    uint64       `json:"index,omitempty"`
	From     uint64       `json:"from,omitempty"`
	Size     uint64       `json:"size"`
	Hashes   [][]byte     `json:"hashes"`              // base64 each
	LeafHash []byte       `json:"leaf_hash,omitempty"` // inclusion: hash of the entry
	Entry    *audit.Entry `json:"entry,omitempty"`     // inclusion, for audit.read holders
}

// EntriesResponse is one page of audit entries.
type EntriesResponse struct {
	Entries []audit.Entry `json:"entries"`
	// Next is the from_seq of the next page, absent on the last page.
	Next *uint64 `json:"next,omitempty"`
}

func (s *Server) auditRoutes() {
	s.Handle("GET /api/v1/audit/checkpoint", s.handleCheckpoint)
	s.Handle("GET /api/v1/audit/proof/inclusion", s.handleInclusion)
	s.Handle("GET /api/v1/audit/proof/consistency", s.handleConsistency)
	s.Handle("GET /api/v1/audit/entries", s.handleEntries)
	s.Handle("GET /api/v1/audit/anomalies", s.handleAnomalies)
}

func (s *Server) auditStore() (audit.Store, error) {
	if s.AuditStore == nil {
		return nil, accord.Errorf(accord.ENOTFOUND, "this node serves no audit log")
	}
	return s.AuditStore, nil
}

// Checkpoints and proofs hold only hashes, so every member may fetch them:
// that is what lets each partner verify the log.
func (s *Server) handleCheckpoint(w http.ResponseWriter, r *http.Request) error {
	st, err := s.auditStore()
	if err != nil {
		return err
	}
	// Read before authorising: the audit record of this request must not
	// be in the checkpoint that answers it, or the reply would never settle.
	cp, err := st.LatestCheckpoint(r.Context())
	if err != nil {
		return err
	}
	if _, err := s.authorize(r, anyMember, "", "audit.checkpoint", "audit"); err != nil {
		return err
	}
	c, err := audit.ParseCheckpoint(cp.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, CheckpointResponse{Size: c.Size, Root: c.Root, Note: string(cp.Note), VerifierKey: s.AuditVerifierKey})
	return nil
}

func uintParam(r *http.Request, name string) (uint64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, accord.Errorf(accord.EINVALID, "query parameter %s is required", name)
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, accord.Errorf(accord.EINVALID, "query parameter %s must be a whole number, got %q", name, v)
	}
	return n, nil
}

func (s *Server) handleInclusion(w http.ResponseWriter, r *http.Request) error {
	st, err := s.auditStore()
	if err != nil {
		return err
	}
	index, err := uintParam(r, "index")
	if err != nil {
		return err
	}
	size, err := uintParam(r, "size")
	if err != nil {
		return err
	}
	p, err := s.authorize(r, anyMember, "", "audit.proof", "audit:entry:"+strconv.FormatUint(index, 10))
	if err != nil {
		return err
	}
	if index >= size {
		return accord.Errorf(accord.EINVALID, "index %d must be smaller than size %d", index, size)
	}
	if err := s.checkSize(r, st, size); err != nil {
		return err
	}
	hashes, err := audit.InclusionProof(r.Context(), st, index, size)
	if err != nil {
		return err
	}
	entries, err := st.EntryRange(r.Context(), index, index+1)
	if err != nil {
		return err
	}
	if len(entries) != 1 {
		return accord.Errorf(accord.ENOTFOUND, "audit entry %d not found", index)
	}
	resp := ProofResponse{Index: index, Size: size, Hashes: nonNil(hashes), LeafHash: entries[0].LeafHash()}
	if p.Can(accord.PermAuditRead, entries[0].Actor.OrganisationID) {
		resp.Entry = &entries[0]
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// checkSize refuses proofs for trees larger than the log.
func (s *Server) checkSize(r *http.Request, st audit.Store, size uint64) error {
	have, err := st.Size(r.Context())
	if err != nil {
		return err
	}
	if size > have {
		return accord.Errorf(accord.EINVALID, "size %d is larger than the log (%d entries)", size, have)
	}
	return nil
}

func (s *Server) handleConsistency(w http.ResponseWriter, r *http.Request) error {
	st, err := s.auditStore()
	if err != nil {
		return err
	}
	from, err := uintParam(r, "from")
	if err != nil {
		return err
	}
	to, err := uintParam(r, "to")
	if err != nil {
		return err
	}
	if _, err := s.authorize(r, anyMember, "", "audit.proof", "audit"); err != nil {
		return err
	}
	if from > to {
		return accord.Errorf(accord.EINVALID, "from (%d) must not be larger than to (%d)", from, to)
	}
	if err := s.checkSize(r, st, to); err != nil {
		return err
	}
	hashes, err := audit.ConsistencyProof(r.Context(), st, from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ProofResponse{From: from, Size: to, Hashes: nonNil(hashes)})
	return nil
}

// MaxEntriesPage bounds one page of audit entries.
const MaxEntriesPage = 1000

// auditFilter reads the entry filter from the query string.
func auditFilter(r *http.Request) (audit.Filter, error) {
	q := r.URL.Query()
	f := audit.Filter{MemberID: q.Get("actor"), OrganisationID: q.Get("organisation"), Action: q.Get("action"),
		Resource: q.Get("resource"), ResourcePrefix: q.Get("resource_prefix"), Purpose: q.Get("purpose"), Decision: audit.Decision(q.Get("decision")), Limit: 100}
	if f.Decision != "" && f.Decision != audit.Allowed && f.Decision != audit.Denied {
		return f, accord.Errorf(accord.EINVALID, "decision must be allowed or denied")
	}
	for name, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return f, accord.Errorf(accord.EINVALID, "%s must be an RFC 3339 time such as 2026-01-31T00:00:00Z", name)
			}
			*dst = t
		}
	}
	if v := q.Get("from_seq"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return f, accord.Errorf(accord.EINVALID, "from_seq must be a whole number")
		}
		f.FromSeq = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxEntriesPage {
			return f, accord.Errorf(accord.EINVALID, "limit must be between 1 and %d", MaxEntriesPage)
		}
		f.Limit = n
	}
	return f, nil
}

func (s *Server) handleEntries(w http.ResponseWriter, r *http.Request) error {
	st, err := s.auditStore()
	if err != nil {
		return err
	}
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	p, err := s.authorize(r, accord.PermAuditRead, f.OrganisationID, "audit.entries", "audit")
	if err != nil {
		return err
	}
	// Fetch one more than asked to know whether another page follows.
	limit := f.Limit
	f.Limit = limit + 1
	entries, err := st.Entries(r.Context(), f)
	if err != nil {
		return err
	}
	resp := EntriesResponse{Entries: []audit.Entry{}}
	if len(entries) > limit {
		next := entries[limit].Seq
		resp.Next = &next
		entries = entries[:limit]
	}
	resp.Entries = append(resp.Entries, visible(p, accord.PermAuditRead, entries, func(e audit.Entry) string { return e.Actor.OrganisationID })...)
	writeJSON(w, http.StatusOK, resp)
	return nil
}
