package ingest

import (
	"fmt"
	"strings"

	"github.com/accord-coalition/accord"
)

// ParseError locates a problem in an input file. It is carried as the cause
// of an *accord.Error with code accord.EINVALID, so callers that need the
// position (an API pointing at a cell, a test) can get it with errors.As,
// while the accord.Error's Message is the sentence shown to people.
type ParseError struct {
	Line       int    // 1-based line (CSV, JSON Lines) or row (XLSX); 0 if unknown
	Column     int    // 1-based column (field, or byte for JSON syntax); 0 if unknown
	ColumnName string // header name of Column when known
	Sheet      string // XLSX: the sheet; positions are then rows and column letters
	Err        error  // low-level cause, for logs; may be nil
}

func (e *ParseError) Error() string {
	s := "ingest: " + e.location()
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *ParseError) Unwrap() error { return e.Err }

// location renders "line 5, column 3 ("age")" with the parts that are known.
func (e *ParseError) location() string {
	var parts []string
	if e.Sheet != "" {
		parts = append(parts, fmt.Sprintf("sheet %q", e.Sheet))
	}
	if e.Line > 0 {
		word := "line"
		if e.Sheet != "" {
			word = "row"
		}
		parts = append(parts, fmt.Sprintf("%s %d", word, e.Line))
	}
	if e.Column > 0 {
		c := fmt.Sprintf("column %d", e.Column)
		if e.Sheet != "" {
			c = "column " + columnLetters(e.Column)
		}
		if e.ColumnName != "" {
			c += fmt.Sprintf(" (%q)", e.ColumnName)
		}
		parts = append(parts, c)
	}
	if len(parts) == 0 {
		return "input"
	}
	return strings.Join(parts, ", ")
}

// parseErr builds the user-facing error for a problem at pe's position.
// what says what is wrong, hint says what to do about it; both must be safe
// to show (they never quote cell values, which may be personal data).
func parseErr(pe *ParseError, what, hint string) error {
	msg := pe.location() + ": " + what
	if hint != "" {
		msg += "; " + hint
	}
	return &accord.Error{Code: accord.EINVALID, Message: msg, Err: pe}
}

// invalidf is for problems that have no position (bad options, empty file).
func invalidf(cause error, format string, args ...any) error {
	e := accord.Errorf(accord.EINVALID, format, args...)
	e.Err = cause
	return e
}
