package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	accordhttp "github.com/accord-coalition/accord/http"
)

// Extract is a pseudonymised extract being received: read the CSV from
// it to the end, then close it. Reading fails at the end, with
// io.ErrUnexpectedEOF, if the node could not send every row.
type Extract struct {
	io.ReadCloser
	// WithheldRows counts the rows left out because consent for the
	// purpose is missing, withdrawn or expired. The node knows it only
	// once every row is out, so it is set when the CSV has been read to
	// the end.
	WithheldRows int
	// Rows counts the rows sent, also set at the end.
	Rows int
	// Derivation is the lineage record of the extract: a later withdrawal
	// of consent flags it for regeneration.
	Derivation string
	// Clause is the agreement clause that allowed the extract.
	Clause string
}

// extractBody reads the trailers of an extract at the end of its body.
type extractBody struct {
	resp *http.Response
	x    *Extract
}

func (b *extractBody) Read(p []byte) (int, error) {
	n, err := b.resp.Body.Read(p)
	if err != io.EOF {
		return n, err
	}
	withheld, werr := strconv.Atoi(b.resp.Trailer.Get(accordhttp.HeaderWithheldRows))
	rows, rerr := strconv.Atoi(b.resp.Trailer.Get(accordhttp.HeaderExtractRows))
	if werr != nil || rerr != nil {
		return n, fmt.Errorf("the extract was cut short by the node (see its log); discard what was received: %w", io.ErrUnexpectedEOF)
	}
	b.x.WithheldRows, b.x.Rows = withheld, rows
	return n, io.EOF
}

func (b *extractBody) Close() error { return b.resp.Body.Close() }

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
	x := &Extract{Derivation: resp.Header.Get(accordhttp.HeaderDerivation), Clause: resp.Header.Get(accordhttp.HeaderClause)}
	x.ReadCloser = &extractBody{resp: resp, x: x}
	return x, nil
}
