package ingest

import (
	"context"
	"fmt"
	"hash/maphash"
	"io"
	"slices"

	"github.com/accord-coalition/accord/anon"
)

const (
	// ctxCheckRows is how often ReadTable looks at the context.
	ctxCheckRows = 1 << 16
	// estimateAfter is when ReadTable asks for a row estimate: late enough
	// for a stable bytes-per-row figure, early enough to save the copies.
	estimateAfter = 1024
)

// rowEstimator is implemented by readers that can guess the total rows.
type rowEstimator interface{ estimatedRows() int }

// reserve sizes every column's codes for the estimated number of rows, so
// a million-row file is not copied through repeated slice growth.
func reserve(t *anon.Table, r Reader) {
	e, ok := r.(rowEstimator)
	if !ok {
		return
	}
	n := e.estimatedRows()
	if n <= t.Rows {
		return
	}
	for _, c := range t.Columns {
		c.Codes = slices.Grow(c.Codes, n-len(c.Codes))
	}
}

// ReadTable reads every record of r into a dictionary-encoded table.
//
// With a RawReader (CSV) no string is allocated per cell: each value's
// bytes are looked up in its column's dictionary (see dictIndex) and only a
// value not seen before is copied into a string. Memory is then proportional to rows ×
// columns × 4 bytes plus the distinct values.
func ReadTable(ctx context.Context, r Reader) (*anon.Table, error) {
	header := r.Header()
	t := &anon.Table{Columns: make([]*anon.Column, len(header))}
	index := make([]*dictIndex, len(header))
	seed := maphash.MakeSeed()
	for i, n := range header {
		t.Columns[i] = &anon.Column{Name: n}
		index[i] = newDictIndex(seed, t.Columns[i])
	}
	next := func() ([][]byte, error) {
		rec, err := r.Next()
		if err != nil {
			return nil, err
		}
		out := make([][]byte, len(rec))
		for i, v := range rec {
			out[i] = []byte(v)
		}
		return out, nil
	}
	if rr, ok := r.(RawReader); ok {
		next = rr.NextBytes
	}
	for {
		if t.Rows == estimateAfter {
			reserve(t, r)
		}
		if t.Rows%ctxCheckRows == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("read table: %w", err)
			}
		}
		rec, err := next()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return nil, err
		}
		if len(rec) != len(t.Columns) {
			// Readers guarantee this; the check keeps a faulty Reader from
			// corrupting the table.
			return nil, fmt.Errorf("read table: line %d has %d values, want %d", r.Line(), len(rec), len(t.Columns))
		}
		for i, v := range rec {
			c := t.Columns[i]
			c.Codes = append(c.Codes, index[i].code(v))
		}
		t.Rows++
	}
}
