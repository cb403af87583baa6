package agreement

import (
	"errors"
	"fmt"
	"strings"

	"github.com/accord-coalition/accord"
)

// Severity says whether a diagnostic blocks the agreement.
type Severity string

const (
	// SeverityError blocks parsing, proposing and signing.
	SeverityError Severity = "error"
	// SeverityWarning points at something probably unintended.
	SeverityWarning Severity = "warning"
)

// Diagnostic is one finding about an agreement's source, with where it is
// and how to fix it. Code is a stable identifier tools can match on;
// Message and Hint are written for the people who draft agreements.
type Diagnostic struct {
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Severity Severity `json:"severity"`
	Code     string   `json:"code"`
	Message  string   `json:"message"`
	Hint     string   `json:"hint,omitempty"`
}

func (d Diagnostic) String() string {
	s := fmt.Sprintf("%d:%d: %s: %s", d.Line, d.Column, d.Severity, d.Message)
	if d.Hint != "" {
		s += " (" + d.Hint + ")"
	}
	return s
}

// ParseError is the cause behind the *accord.Error that Parse returns. It
// carries every error-severity diagnostic, the first one leading.
type ParseError struct {
	Diagnostics []Diagnostic
}

// Error lists every problem, for logs; Parse's user-facing message names
// the first one and how many more there are.
func (e *ParseError) Error() string {
	if len(e.Diagnostics) == 0 {
		return "invalid agreement"
	}
	s := make([]string, len(e.Diagnostics))
	for i, d := range e.Diagnostics {
		s[i] = d.String()
	}
	return strings.Join(s, "; ")
}

func (e *ParseError) summary() string {
	d := e.first()
	s := fmt.Sprintf("line %d, column %d: %s", d.Line, d.Column, d.Message)
	if n := len(e.Diagnostics) - 1; n > 0 {
		s += fmt.Sprintf(" (and %d more problem%s)", n, plural(n))
	}
	return s
}

// Line is the line of the first problem.
func (e *ParseError) Line() int { return e.first().Line }

// Column is the column of the first problem.
func (e *ParseError) Column() int { return e.first().Column }

func (e *ParseError) first() Diagnostic {
	if len(e.Diagnostics) == 0 {
		return Diagnostic{Line: 1, Column: 1}
	}
	return e.Diagnostics[0]
}

// AsParseError returns the ParseError inside err, if any.
func AsParseError(err error) (*ParseError, bool) {
	var pe *ParseError
	ok := errors.As(err, &pe)
	return pe, ok
}

// errorsOnly keeps the error-severity diagnostics.
func errorsOnly(ds []Diagnostic) []Diagnostic {
	var out []Diagnostic
	for _, d := range ds {
		if d.Severity == SeverityError {
			out = append(out, d)
		}
	}
	return out
}

// invalid wraps diagnostics as the project's EINVALID error.
func invalid(ds []Diagnostic) error {
	pe := &ParseError{Diagnostics: ds}
	return &accord.Error{Code: accord.EINVALID, Message: "agreement: " + pe.summary(), Err: pe}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// suggest returns a "did you mean" hint for a misspelt word, or "".
func suggest(word string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if d := editDistance(strings.ToLower(word), k); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return "did you mean `" + best + "`?"
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
