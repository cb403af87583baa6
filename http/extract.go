package http

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/agreement"
	"github.com/accord-coalition/accord/anon"
)

// ExtractRequest asks for a row-level copy of some columns of a dataset,
// for a purpose.
type ExtractRequest struct {
	Purpose string   `json:"purpose"`
	Columns []string `json:"columns"`
	// Tier is how far the copy will travel: controlled (the default: to
	// the recipients an agreement names) or internal (inside the custodian).
	Tier agreement.Tier `json:"tier,omitempty"`
}

// Response headers of an extract, read by the client.
const (
	HeaderWithheldRows = "Accord-Withheld-Rows" // rows left out for consent (a trailer)
	HeaderExtractRows  = "Accord-Extract-Rows"  // rows sent (a trailer): absent if cut short
	HeaderDerivation   = "Accord-Derivation"    // the lineage record of the extract
	HeaderClause       = "Accord-Clause"        // the clause that allowed it
)

// PseudonymKeys derives the key that pseudonymises subjects in extracts
// made under one scope (an agreement id). The node implements it over its
// master key, so the server never holds the master key itself.
type PseudonymKeys interface {
	PseudonymKey(scope string) ([]byte, error)
}

// custodianScope is the pseudonym scope of a custodian's internal extracts,
// which no agreement governs. Agreement ids are slugs and never hold a
// colon, so the scope cannot coincide with an agreement's.
func custodianScope(org string) string { return "custodian:" + org }

// handleExtract streams a pseudonymised extract as CSV, one sealed chunk
// in memory at a time. The order of the checks matters: dataset and grant
// first, then what no agreement may override (direct identifiers), then the
// agreements, and the lineage record before the first byte leaves, so a
// later withdrawal always finds it.
func (s *Server) handleExtract(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.datasets()
	if err != nil {
		return err
	}
	var req ExtractRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	d, p, err := s.datasetFor(r, accord.PermDatasetRead, "dataset.extract", true)
	if err != nil {
		return err
	}
	own := p.Member.OrganisationID == d.OrganisationID
	if !own && !d.Confirmed() {
		return accord.Errorf(accord.EFORBIDDEN, "dataset %s is not shared with other organisations until its custodian confirms its classification", d.ID)
	}
	if err := checkExtract(d, &req); err != nil {
		return err
	}
	// Refused whatever an agreement says (lint refuses such agreements, but
	// one signed before the classification was confirmed could still name
	// the column), and before the decision, so that no decision on record
	// says allowed for an extract that was refused. The request itself is
	// in the audit log.
	if err := refuseIdentifiers(d, req.Columns); err != nil {
		return err
	}
	dec, err := s.decision(r, agreement.Request{Action: agreement.ActionExtract, Dataset: d.ID, Columns: req.Columns,
		Purpose: req.Purpose, Tier: req.Tier, Custodian: d.OrganisationID})
	if err != nil {
		return err
	}
	var key []byte
	subject := ""
	if sc := columnsOfClass(d, accord.ClassSubject); len(sc) > 0 && slices.Contains(req.Columns, sc[0]) {
		subject = sc[0]
		scope := dec.Agreement
		if scope == "" {
			scope = custodianScope(d.OrganisationID)
		}
		if s.Pseudonyms == nil {
			return accord.Errorf(accord.EINTERNAL, "this node has no pseudonym key")
		}
		if key, err = s.Pseudonyms.PseudonymKey(scope); err != nil {
			return &accord.Error{Code: accord.EINTERNAL, Message: "the pseudonym key could not be derived", Err: err}
		}
	}
	der := &accord.Derivation{ID: accord.NewID("der"), Kind: accord.DerivationExtract, OrganisationID: d.OrganisationID, DatasetID: d.ID,
		Purpose: req.Purpose, CreatedBy: p.Member.ID, CreatedAt: s.Now(),
		Description: fmt.Sprintf("extract for %s of columns %s under %s", p.Member.OrganisationID, strings.Join(req.Columns, ", "), dec.Clause)}
	if err := der.Validate(); err != nil {
		return err
	}
	if err := s.Store.RecordDerivation(r.Context(), der); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", d.ID+"-extract.csv"))
	h.Set(HeaderDerivation, der.ID)
	h.Set(HeaderClause, dec.Clause)
	// How many rows were withheld is known only at the end, and so is
	// whether every row went out: both come as trailers, and a client that
	// finds them missing knows the extract was cut short.
	h.Set("Trailer", HeaderWithheldRows+", "+HeaderExtractRows)
	out := &lazyStatus{w: w}
	cw := csv.NewWriter(out)
	err = cw.Write(req.Columns)
	rows := 0
	var withheld int
	if err == nil {
		// A copy made for a purpose leaves out whoever has not consented
		// to it, even when the custodian makes it for itself.
		col := slices.Index(req.Columns, subject)
		var ps *anon.Pseudonymiser
		if subject != "" {
			if ps, err = anon.NewPseudonymiser(key); err != nil {
				return fmt.Errorf("extract of %s: %w", d.ID, err)
			}
		}
		withheld, err = svc.RowsForPurpose(r.Context(), d, req.Purpose, req.Columns, func(row []string) error {
			if ps != nil {
				row[col] = ps.Pseudonym(row[col])
			}
			rows++
			return cw.Write(row)
		})
	}
	if err == nil {
		cw.Flush()
		err = cw.Error()
	}
	if err != nil {
		if !out.started {
			// Nothing has left yet: the caller gets the error itself, as
			// an error reply, not an attachment.
			for _, k := range []string{"Content-Type", "Content-Disposition", "Trailer", HeaderDerivation, HeaderClause} {
				h.Del(k)
			}
			return err
		}
		// The status is sent; the missing trailers tell the client.
		s.Logger.WarnContext(r.Context(), "extract cut short", "dataset", d.ID, "derivation", der.ID, "rows", rows, "err", err)
		return nil
	}
	out.start()
	h.Set(HeaderWithheldRows, strconv.Itoa(withheld))
	h.Set(HeaderExtractRows, strconv.Itoa(rows))
	return nil
}

// lazyStatus sends the 200 status with the first bytes of the body, so an
// error found before anything was written still gets its own status.
type lazyStatus struct {
	w       http.ResponseWriter
	started bool
}

func (l *lazyStatus) start() {
	if !l.started {
		l.started = true
		l.w.WriteHeader(http.StatusOK)
	}
}

func (l *lazyStatus) Write(p []byte) (int, error) {
	l.start()
	return l.w.Write(p)
}

// checkExtract checks the request itself before anything is decided.
func checkExtract(d *accord.Dataset, req *ExtractRequest) error {
	if !accord.ValidPurpose(req.Purpose) {
		return accord.Errorf(accord.EINVALID, "purpose %q must be a dotted purpose id, e.g. research.academic", req.Purpose)
	}
	if len(req.Columns) == 0 {
		return accord.Errorf(accord.EINVALID, "name the columns to extract: an extract holds only the columns it needs")
	}
	switch req.Tier {
	case "":
		req.Tier = agreement.TierControlled
	case agreement.TierControlled, agreement.TierInternal:
	case agreement.TierPublic:
		return accord.Errorf(accord.EINVALID, "an extract is row-level and never public; publish through a release instead")
	default:
		return accord.Errorf(accord.EINVALID, "tier must be controlled or internal, not %q", req.Tier)
	}
	seen := map[string]bool{}
	for _, c := range req.Columns {
		if seen[c] {
			return accord.Errorf(accord.EINVALID, "column %q is named twice", c)
		}
		seen[c] = true
		if !slices.ContainsFunc(d.Columns, func(dc accord.DatasetColumn) bool { return dc.Name == c }) {
			return accord.Errorf(accord.EINVALID, "dataset %s has no column %q", d.ID, c)
		}
	}
	return nil
}

// columnsOfClass is Dataset.ColumnsOfClass, except that before the
// classification is confirmed (only the custodian gets this far) the
// suggested class counts, so an unconfirmed name, e-mail or subject key
// cannot slip out raw.
func columnsOfClass(d *accord.Dataset, class string) []string {
	if d.Confirmed() {
		return d.ColumnsOfClass(class)
	}
	var out []string
	for _, c := range d.Columns {
		if c.Suggested == class {
			out = append(out, c.Name)
		}
	}
	return out
}

// refuseIdentifiers refuses direct identifiers.
func refuseIdentifiers(d *accord.Dataset, columns []string) error {
	for _, c := range columnsOfClass(d, accord.ClassIdentifier) {
		if slices.Contains(columns, c) {
			return accord.Errorf(accord.EFORBIDDEN, "column %q of dataset %s is a direct identifier and is never extracted: drop it, or pseudonymise it into the subject column", c, d.ID)
		}
	}
	return nil
}
