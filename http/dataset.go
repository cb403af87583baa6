package http

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/agreement"
	"github.com/accord-coalition/accord/anon"
	"github.com/accord-coalition/accord/dataset"
	"github.com/accord-coalition/accord/ingest"
)

// MaxImportBytes bounds one dataset upload.
const MaxImportBytes = 16 << 30

func (s *Server) datasetRoutes() {
	s.Handle("POST /api/v1/datasets", s.handleImportDataset)
	s.Handle("GET /api/v1/datasets", s.handleListDatasets)
	s.Handle("GET /api/v1/datasets/{id}", s.handleGetDataset)
	s.Handle("PUT /api/v1/datasets/{id}/classification", s.handleClassify)
	s.Handle("DELETE /api/v1/datasets/{id}", s.handleDeleteDataset)
	s.Handle("GET /api/v1/datasets/{id}/risk", s.handleDatasetRisk)
	s.Handle("POST /api/v1/datasets/{id}/extracts", s.handleExtract)
}

func (s *Server) datasets() (*dataset.Service, error) {
	if s.Datasets == nil {
		return nil, accord.Errorf(accord.ENOTFOUND, "this node holds no datasets")
	}
	return s.Datasets, nil
}

// handleImportDataset streams the request body (CSV, JSON Lines or XLSX)
// into a new dataset. Query: organisation, id, name, format, delimiter,
// encoding, sheet.
func (s *Server) handleImportDataset(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.datasets()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	org := q.Get("organisation")
	p, err := s.authorize(r, accord.PermDatasetWrite, org, "dataset.import", "dataset:"+q.Get("id"))
	if err != nil {
		return err
	}
	if org == "" {
		return accord.Errorf(accord.EINVALID, "query parameter organisation is required")
	}
	if err := s.decide(r, agreement.Request{Action: agreement.ActionImport, Dataset: q.Get("id"), Custodian: org}); err != nil {
		return err
	}
	opts := ingest.Options{Encoding: q.Get("encoding"), Sheet: q.Get("sheet")}
	format := q.Get("format")
	if format == "" {
		format = "csv"
	}
	if opts.Format, err = ingest.FormatFromName("x." + format); err != nil {
		return accord.Errorf(accord.EINVALID, "format must be csv, jsonl or xlsx")
	}
	if d := q.Get("delimiter"); d != "" {
		if opts.Delimiter, err = ingest.ParseDelimiter(d); err != nil {
			return err
		}
	}
	body := http.MaxBytesReader(w, r.Body, MaxImportBytes)
	rd, err := ingest.NewReader(body, opts)
	if err != nil {
		return err
	}
	d, err := svc.Import(r.Context(), dataset.ImportRequest{ID: q.Get("id"), OrganisationID: org, Name: q.Get("name"),
		Format: string(opts.Format), CreatedBy: p.Member.ID}, rd)
	if err != nil {
		return err
	}
	// The first record authorised the upload; this one pins what landed.
	if err := s.Auditor.Record(r.Context(), &accord.AuditRecord{Time: s.Now(), MemberID: p.Member.ID, OrganisationID: p.Member.OrganisationID,
		Action: "dataset.imported", Resource: "dataset:" + d.ID, Allowed: true, Reason: "import completed", RequestDigest: d.SHA256}); err != nil {
		return &accord.Error{Code: accord.EINTERNAL, Message: "the audit log could not be written", Err: err}
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}

func (s *Server) handleListDatasets(w http.ResponseWriter, r *http.Request) error {
	org := r.URL.Query().Get("organisation")
	p, err := s.authorize(r, accord.PermDatasetRead, org, "dataset.list", "datasets:"+org)
	if err != nil {
		return err
	}
	list, err := s.Store.Datasets(r.Context(), org)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"datasets": visible(p, accord.PermDatasetRead, list, func(d *accord.Dataset) string { return d.OrganisationID })})
	return nil
}

// datasetFor loads the dataset named in the path and authorises perm on it:
// in the dataset's organisation for the custodian's own work, or, for data
// use (crossOrg), in the caller's own organisation, leaving it to the
// decision function to say whether an agreement lets that organisation use
// another's data. An unknown dataset is authorised against no organisation,
// so callers without the permission anywhere learn nothing about which ids
// exist.
func (s *Server) datasetFor(r *http.Request, perm accord.Permission, action string, crossOrg ...bool) (*accord.Dataset, *accord.Principal, error) {
	return s.datasetByID(r, r.PathValue("id"), perm, action, crossOrg...)
}

// datasetByID is datasetFor with the id given.
func (s *Server) datasetByID(r *http.Request, id string, perm accord.Permission, action string, crossOrg ...bool) (*accord.Dataset, *accord.Principal, error) {
	d, err := s.Store.Dataset(r.Context(), id)
	if err != nil && accord.ErrorCode(err) != accord.ENOTFOUND {
		return nil, nil, err
	}
	org := ""
	if d != nil {
		org = d.OrganisationID
		if len(crossOrg) > 0 && crossOrg[0] {
			org = accord.PrincipalFromContext(r.Context()).Member.OrganisationID
		}
	}
	p, err := s.authorize(r, perm, org, action, "dataset:"+id)
	if err != nil {
		return nil, nil, err
	}
	if d == nil {
		return nil, nil, accord.Errorf(accord.ENOTFOUND, "dataset %q not found", id)
	}
	return d, p, nil
}

func (s *Server) handleGetDataset(w http.ResponseWriter, r *http.Request) error {
	d, _, err := s.datasetFor(r, accord.PermDatasetRead, "dataset.read")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// ClassifyRequest confirms a class for every column.
type ClassifyRequest struct {
	Columns map[string]string `json:"columns"`
}

func (s *Server) handleClassify(w http.ResponseWriter, r *http.Request) error {
	var req ClassifyRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	d, p, err := s.datasetFor(r, accord.PermDatasetClassify, "dataset.classify")
	if err != nil {
		return err
	}
	cols, err := dataset.Classify(d, req.Columns)
	if err != nil {
		return err
	}
	if err := s.Store.ConfirmClassification(r.Context(), d.ID, cols, p.Member.ID, s.Now()); err != nil {
		return err
	}
	d, err = s.Store.Dataset(r.Context(), d.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) handleDeleteDataset(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.datasets()
	if err != nil {
		return err
	}
	d, _, err := s.datasetFor(r, accord.PermDatasetWrite, "dataset.delete")
	if err != nil {
		return err
	}
	if err := svc.Delete(r.Context(), d); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"deleted": d.ID, "crypto_shredded": true})
	return nil
}

// handleDatasetRisk assesses re-identification risk. Query: qi (comma
// separated; default the confirmed quasi-identifiers), sensitive,
// population (size), threshold (global risk), format json|text|html.
func (s *Server) handleDatasetRisk(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.datasets()
	if err != nil {
		return err
	}
	d, p, err := s.datasetFor(r, accord.PermDatasetRead, "dataset.risk", true)
	if err != nil {
		return err
	}
	if p.Member.OrganisationID != d.OrganisationID && !d.Confirmed() {
		return accord.Errorf(accord.EFORBIDDEN, "dataset %s is not shared with other organisations until its custodian confirms its classification", d.ID)
	}
	q := r.URL.Query()
	opts := anon.RiskOptions{Sensitive: q.Get("sensitive")}
	if v := q.Get("qi"); v != "" {
		opts.QuasiIdentifiers = strings.Split(v, ",")
	} else {
		opts.QuasiIdentifiers = d.ColumnsOfClass(accord.ClassQuasi)
	}
	if len(opts.QuasiIdentifiers) == 0 {
		return accord.Errorf(accord.EINVALID, "no quasi-identifiers: confirm the dataset's classification or pass qi=a,b,c")
	}
	// The custodian's own assessment covers its sensitive column by default;
	// a partner asks for exactly the columns it needs.
	if opts.Sensitive == "" && p.Member.OrganisationID == d.OrganisationID {
		if sens := d.ColumnsOfClass(accord.ClassSensitive); len(sens) > 0 {
			opts.Sensitive = sens[0]
		}
	}
	if err := parseRiskNumbers(q, &opts); err != nil {
		return err
	}
	cols := append([]string(nil), opts.QuasiIdentifiers...)
	if opts.Sensitive != "" {
		cols = append(cols, opts.Sensitive)
	}
	if err := s.decide(r, agreement.Request{Action: agreement.ActionAssessRisk, Dataset: d.ID, Columns: cols,
		Purpose: q.Get("purpose"), Custodian: d.OrganisationID}); err != nil {
		return err
	}
	// Data leaving its custodian leaves without the rows of people whose
	// consent for this purpose is missing, withdrawn or expired.
	var t *anon.Table
	withheld := 0
	if p.Member.OrganisationID == d.OrganisationID {
		t, err = svc.Table(r.Context(), d, cols...)
	} else {
		t, withheld, err = svc.TableForPurpose(r.Context(), d, q.Get("purpose"), cols...)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Accord-Withheld-Rows", strconv.Itoa(withheld))
	rep, err := anon.Assess(t, opts)
	if err != nil {
		return &accord.Error{Code: accord.EINVALID, Message: err.Error(), Err: err}
	}
	switch q.Get("format") {
	case "text":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		return anon.WriteText(w, rep)
	case "html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		return anon.WriteHTML(w, rep)
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
