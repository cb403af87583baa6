package ingest

import (
	"context"
	"fmt"
	"io"

	"github.com/accord-coalition/accord/anon"
)

// ctxCheckRows is how often ReadTable looks at the context.
const ctxCheckRows = 1 << 16

// ReadTable reads every record of r into a dictionary-encoded table.
//
// With a RawReader (CSV) no string is allocated per cell: each value's
// bytes are looked up in its column's dictionary and only a value not seen
// before is copied into a string. Memory is then proportional to rows ×
// columns × 4 bytes plus the distinct values.
func ReadTable(ctx context.Context, r Reader) (*anon.Table, error) {
	header := r.Header()
	t := &anon.Table{Columns: make([]*anon.Column, len(header))}
	index := make([]map[string]uint32, len(header))
	for i, n := range header {
		t.Columns[i] = &anon.Column{Name: n}
		index[i] = make(map[string]uint32)
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
			code, ok := index[i][string(v)] // no allocation for the lookup
			if !ok {
				s := string(v)
				code = uint32(len(c.Dict))
				c.Dict = append(c.Dict, s)
				index[i][s] = code
			}
			c.Codes = append(c.Codes, code)
		}
		t.Rows++
	}
}
