package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"

	accordhttp "github.com/accord-coalition/accord/http"
)

// Extract is a pseudonymised extract being received: read the CSV from
// it, then close it.
type Extract struct {
	io.ReadCloser
	// WithheldRows counts the rows left out because consent for the
	// purpose is missing, withdrawn or expired.
	WithheldRows int
	// Derivation is the lineage record of the extract: a later withdrawal
	// of consent flags it for regeneration.
	Derivation string
	// Clause is the agreement clause that allowed the extract.
	Clause string
}

// Extract asks the node for an extract of some columns of a dataset for a
// purpose. Nothing is returned unless the node allowed it, so a caller
// can create its output file only once the extract is on its way.
func (c *Client) Extract(ctx context.Context, datasetID string, req accordhttp.ExtractRequest) (*Extract, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	resp, err := c.Raw(ctx, "POST", "/api/v1/datasets/"+url.PathEscape(datasetID)+"/extracts", "application/json", bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	withheld, err := strconv.Atoi(resp.Header.Get(accordhttp.HeaderWithheldRows))
	if err != nil {
		resp.Body.Close()
		return nil, fmt.Errorf("extract of %s: the node sent no count of withheld rows: %w", datasetID, err)
	}
	return &Extract{ReadCloser: resp.Body, WithheldRows: withheld,
		Derivation: resp.Header.Get(accordhttp.HeaderDerivation), Clause: resp.Header.Get(accordhttp.HeaderClause)}, nil
}
