package anon

import "fmt"

// Hierarchy is a generalisation hierarchy for one attribute in ARX's shape:
// each row starts with an original value followed by its generalisation at
// level 1, 2, … up to the top (usually "*"). Every row has the same length.
type Hierarchy struct {
	Attribute string
	Rows      [][]string
	// Source names where the hierarchy came from (a file name, or a builder),
	// so that errors found later, when it is matched against data, can point
	// the user at the file to fix.
	Source string
}

// Levels returns the number of levels including level 0 (the original value).
func (h *Hierarchy) Levels() int {
	if len(h.Rows) == 0 {
		return 0
	}
	return len(h.Rows[0])
}

// source returns a human name for error messages.
func (h *Hierarchy) source() string {
	if h.Source != "" {
		return h.Source
	}
	return "hierarchy " + h.Attribute
}

// Validate checks the structural rules the search relies on: at least one
// row, equal depth, unique original values, and that every label at one level
// generalises to exactly one label at the next level. The last rule matters
// because the search rolls equivalence classes up level by level; a label
// with two parents would make the result depend on the path taken.
func (h *Hierarchy) Validate() error { return h.validate(nil) }

// validate is Validate with the file line of each row (nil: row i is line
// i+1), so that file errors point at the right line even past blank lines.
func (h *Hierarchy) validate(lines []int) error {
	lineOf := func(i int) int {
		if lines != nil {
			return lines[i]
		}
		return i + 1
	}
	if len(h.Rows) == 0 {
		return fmt.Errorf("%s: empty hierarchy", h.source())
	}
	depth := len(h.Rows[0])
	if depth == 0 {
		return fmt.Errorf("%s: line %d: no values", h.source(), lineOf(0))
	}
	seen := make(map[string]int, len(h.Rows))
	parents := make([]map[string]string, depth)
	for l := range parents {
		parents[l] = map[string]string{}
	}
	for i, row := range h.Rows {
		line := lineOf(i)
		if len(row) != depth {
			return fmt.Errorf("%s: line %d: %d levels, but line %d has %d; every value needs the same number of levels", h.source(), line, len(row), lineOf(0), depth)
		}
		if prev, dup := seen[row[0]]; dup {
			return fmt.Errorf("%s: line %d, column 1: value %q already defined on line %d", h.source(), line, row[0], prev)
		}
		seen[row[0]] = line
		for l := 1; l < depth; l++ {
			if p, ok := parents[l-1][row[l-1]]; ok && p != row[l] {
				return fmt.Errorf("%s: line %d, column %d: %q generalises to %q here but to %q on an earlier line", h.source(), line, l+1, row[l-1], row[l], p)
			}
			parents[l-1][row[l-1]] = row[l]
		}
	}
	return nil
}
