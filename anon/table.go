// Package anon is Accord's anonymisation engine: hierarchies, transformations,
// re-identification risk models and the optimal generalisation search. It is a
// pure library: no files, no network, no clock. Callers load data into a Table.
package anon

import "fmt"

// Column is a dictionary-encoded column: row i holds Dict[Codes[i]].
// Dictionary encoding makes grouping and generalisation work on small
// integers instead of strings.
type Column struct {
	Name  string
	Dict  []string
	Codes []uint32
}

// Value returns the string value of row i.
func (c *Column) Value(i int) string { return c.Dict[c.Codes[i]] }

// Table is an in-memory columnar table.
type Table struct {
	Columns []*Column
	Rows    int
}

// Column returns the column with the given name and its index, or nil, -1.
func (t *Table) Column(name string) (*Column, int) {
	for i, c := range t.Columns {
		if c.Name == name {
			return c, i
		}
	}
	return nil, -1
}

// Names returns the column names in order.
func (t *Table) Names() []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name
	}
	return out
}

// TableBuilder builds a Table row by row, dictionary-encoding as it goes.
type TableBuilder struct {
	t     *Table
	index []map[string]uint32
}

// NewTableBuilder starts a table with the given column names.
func NewTableBuilder(names []string) *TableBuilder {
	b := &TableBuilder{t: &Table{}}
	for _, n := range names {
		b.t.Columns = append(b.t.Columns, &Column{Name: n})
		b.index = append(b.index, map[string]uint32{})
	}
	return b
}

// Append adds one row; rec must have one value per column.
func (b *TableBuilder) Append(rec []string) error {
	if len(rec) != len(b.t.Columns) {
		return fmt.Errorf("row %d has %d values, want %d", b.t.Rows+1, len(rec), len(b.t.Columns))
	}
	for i, v := range rec {
		c := b.t.Columns[i]
		code, ok := b.index[i][v]
		if !ok {
			code = uint32(len(c.Dict))
			c.Dict = append(c.Dict, v)
			b.index[i][v] = code
		}
		c.Codes = append(c.Codes, code)
	}
	b.t.Rows++
	return nil
}

// Table returns the built table. The builder must not be used afterwards.
func (b *TableBuilder) Table() *Table { return b.t }
