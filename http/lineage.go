package http

import (
	"net/http"
	"strings"

	"github.com/accord-coalition/accord"
)

// RecordDerivationRequest says an artefact (an extract, a report, a derived
// dataset) was built from a dataset for a purpose, so a later consent
// withdrawal flags it for regeneration.
type RecordDerivationRequest struct {
	Dataset     string `json:"dataset"`
	Kind        string `json:"kind"`
	Purpose     string `json:"purpose"`
	Description string `json:"description,omitempty"`
}

func (s *Server) lineageRoutes() {
	s.Handle("POST /api/v1/lineage/derivations", s.handleRecordDerivation)
}

func (s *Server) handleRecordDerivation(w http.ResponseWriter, r *http.Request) error {
	var req RecordDerivationRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	d, p, err := s.datasetByID(r, req.Dataset, accord.PermDatasetWrite, "lineage.record")
	if err != nil {
		return err
	}
	der := &accord.Derivation{ID: accord.NewID("der"), Kind: req.Kind, OrganisationID: d.OrganisationID, DatasetID: d.ID,
		Purpose: req.Purpose, Description: strings.TrimSpace(req.Description), CreatedBy: p.Member.ID, CreatedAt: s.Now()}
	if err := der.Validate(); err != nil {
		return err
	}
	if err := s.Store.RecordDerivation(r.Context(), der); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, der)
	return nil
}
