package ingest

import (
	"strings"
	"time"
)

// ColumnType is the suggested type of a column's values.
type ColumnType string

// Column types.
const (
	TypeInteger     ColumnType = "integer"
	TypeDecimal     ColumnType = "decimal"
	TypeDate        ColumnType = "date"
	TypeCategorical ColumnType = "categorical" // few distinct values, used as labels
	TypeText        ColumnType = "text"        // free or high-cardinality text
)

// Column classes, as in the agreement's dataset schemas.
const (
	ClassIdentifier  = "identifier"  // identifies a person directly
	ClassQuasi       = "quasi"       // identifies in combination (age, postcode, sex…)
	ClassSensitive   = "sensitive"   // what must not be learnt about a person
	ClassInsensitive = "insensitive" // neither
	ClassSubject     = "subject"     // the pseudonymous subject key
)

// missingMarkers are values that mean "no value" in survey exports; they
// are not counted against a column's type.
var missingMarkers = map[string]bool{
	"": true, "na": true, "n/a": true, "nan": true, "null": true, "none": true,
	"?": true, "-": true, "--": true, ".": true, "missing": true, "#n/a": true,
}

func isMissing(s string) bool {
	s = strings.TrimSpace(s)
	return len(s) <= 7 && missingMarkers[strings.ToLower(s)]
}

// isInteger: optional sign and digits only.
func isInteger(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	return allDigits(s) && len(s) <= 18
}

// isDecimal: digits with one '.' or ',' and digits after it, or a number
// with an exponent (1e5, 2.5E-3).
func isDecimal(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	exp := false
	if i := strings.IndexAny(s, "eE"); i > 0 {
		e := s[i+1:]
		if e != "" && (e[0] == '-' || e[0] == '+') {
			e = e[1:]
		}
		if !allDigits(e) {
			return false
		}
		s, exp = s[:i], true
	}
	i := strings.IndexAny(s, ".,")
	if i < 0 {
		return exp && allDigits(s)
	}
	return (i == 0 || allDigits(s[:i])) && allDigits(s[i+1:])
}

// dateFormat is a date layout that parsing accepts and the pattern shown
// to people.
type dateFormat struct {
	layout, pattern string
}

// dateFormats are tried in order; where one value fits two (3/4/2020),
// the earlier wins, so day-first (used by most of the world) comes before
// month-first.
var dateFormats = []dateFormat{
	{"2006-01-02", "yyyy-mm-dd"},
	{time.RFC3339, "yyyy-mm-ddThh:mm:ss±hh:mm"},
	{"2006-01-02T15:04:05", "yyyy-mm-ddThh:mm:ss"},
	{"2006-01-02 15:04:05", "yyyy-mm-dd hh:mm:ss"},
	{"2006-01-02 15:04", "yyyy-mm-dd hh:mm"},
	{"2006/1/2", "yyyy/mm/dd"},
	{"2/1/2006", "dd/mm/yyyy"},
	{"1/2/2006", "mm/dd/yyyy"},
	{"2.1.2006", "dd.mm.yyyy"},
	{"2-1-2006", "dd-mm-yyyy"},
	{"2/1/2006 15:04", "dd/mm/yyyy hh:mm"},
	{"1/2/2006 15:04", "mm/dd/yyyy hh:mm"},
	{"2 Jan 2006", "d Mon yyyy"},
	{"2-Jan-2006", "d-Mon-yyyy"},
	{"2 January 2006", "d Month yyyy"},
	{"Jan 2, 2006", "Mon d, yyyy"},
	{"January 2, 2006", "Month d, yyyy"},
}

// maybeDate is a cheap filter run before trying every layout.
func maybeDate(s string) bool {
	if len(s) < 6 || len(s) > 35 {
		return false
	}
	c := s[0]
	return (isDigit(c) || isUpper(c)) && strings.ContainsAny(s, "-/. ")
}

// dateMatches calls fn with the index of every format s parses with.
func dateMatches(s string, fn func(i int, t time.Time)) {
	s = strings.TrimSpace(s)
	if !maybeDate(s) {
		return
	}
	for i, f := range dateFormats {
		if t, err := time.Parse(f.layout, s); err == nil {
			fn(i, t)
		}
	}
}

// dateLayoutOf returns the pattern of the first format s parses with, or "".
func dateLayoutOf(s string) string {
	p := ""
	dateMatches(s, func(i int, _ time.Time) {
		if p == "" {
			p = dateFormats[i].pattern
		}
	})
	return p
}
