package anon

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"unicode/utf8"
)

// ReadHierarchy reads a hierarchy in ARX's CSV format: one line per original
// value, `value;level1;…;top`, separated by ';'. name is used in error
// messages (usually the file name); attribute names the column it is for.
// Errors name the line and column of the first problem found.
func ReadHierarchy(r io.Reader, name, attribute string) (*Hierarchy, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: read: %w", name, err)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // spreadsheet exports often start with a BOM
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = ';'
	cr.FieldsPerRecord = -1 // ragged rows get our own, clearer message
	cr.ReuseRecord = false
	h := &Hierarchy{Attribute: attribute, Source: name}
	var lines []int
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s: line %d, column %d: %w", name, pe.Line, pe.Column, pe.Err)
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		for j, f := range rec {
			if !utf8.ValidString(f) {
				l, c := cr.FieldPos(j)
				return nil, fmt.Errorf("%s: line %d, column %d: value is not valid UTF-8 text", name, l, c)
			}
		}
		if len(h.Rows) > 0 && len(rec) != len(h.Rows[0]) {
			return nil, fmt.Errorf("%s: line %d: %d levels, but line %d has %d; every value needs the same number of levels", name, line, len(rec), lines[0], len(h.Rows[0]))
		}
		if len(rec) < 2 {
			return nil, fmt.Errorf("%s: line %d: %d level; a hierarchy needs at least the value and one generalisation", name, line, len(rec))
		}
		h.Rows = append(h.Rows, rec)
		lines = append(lines, line)
	}
	if len(h.Rows) == 0 {
		return nil, fmt.Errorf("%s: empty hierarchy file", name)
	}
	if err := h.validate(lines); err != nil {
		return nil, err
	}
	return h, nil
}

// HierarchyColumns returns, in order, the columns that have a hierarchy
// file in dir (see LoadHierarchies for the names accepted). A command that
// is given only a directory of hierarchies uses it to pick the
// quasi-identifiers.
func HierarchyColumns(fsys fs.FS, dir string, columns []string) ([]string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("hierarchies: %w", err)
	}
	var out []string
	for _, c := range columns {
		for _, e := range entries {
			if n := e.Name(); !e.IsDir() && hierarchyFileFor(n, c) {
				out = append(out, c)
				break
			}
		}
	}
	return out, nil
}

func hierarchyFileFor(name, column string) bool {
	return name == column+".csv" || strings.HasSuffix(name, "_hierarchy_"+column+".csv")
}

// LoadHierarchies reads the hierarchy of each named column from dir in fsys.
// For column c it accepts a file named `*_hierarchy_c.csv` (ARX's naming,
// e.g. adult_hierarchy_age.csv) or `c.csv`. A column without a file is an
// error, as is a column matched by two files, because silently picking one
// would generalise with a hierarchy the user may not have meant.
func LoadHierarchies(fsys fs.FS, dir string, columns []string) (map[string]*Hierarchy, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("hierarchies: %w", err)
	}
	out := make(map[string]*Hierarchy, len(columns))
	for _, c := range columns {
		var found []string
		for _, e := range entries {
			n := e.Name()
			if e.IsDir() {
				continue
			}
			if hierarchyFileFor(n, c) {
				found = append(found, n)
			}
		}
		switch len(found) {
		case 0:
			return nil, fmt.Errorf("hierarchies: no file for column %q in %s (want %s.csv or *_hierarchy_%s.csv)", c, dir, c, c)
		case 1:
		default:
			return nil, fmt.Errorf("hierarchies: column %q matches several files in %s: %s", c, dir, strings.Join(found, ", "))
		}
		p := path.Join(dir, found[0])
		f, err := fsys.Open(p)
		if err != nil {
			return nil, fmt.Errorf("hierarchies: %w", err)
		}
		h, err := ReadHierarchy(f, p, c)
		f.Close()
		if err != nil {
			return nil, err
		}
		out[c] = h
	}
	return out, nil
}
