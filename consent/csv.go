package consent

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/accord-coalition/accord"
)

// CSVColumns are the columns of a consent import file, in this order,
// after a header line naming them.
var CSVColumns = []string{"subject", "purpose", "state", "time", "method", "agreement"}

// MaxImportRows bounds one import so a single file cannot hold the write
// lock for long; larger sets are split into several files.
const MaxImportRows = 1_000_000

// Defaults fill what an import file leaves out and say where it belongs.
type Defaults struct {
	OrganisationID string
	DatasetID      string
	Agreement      string                  // used when the agreement cell is empty
	Method         accord.CollectionMethod // used when the method cell is empty; "import" if unset
	Time           time.Time               // used when the time cell is empty (column imports)
	RecordedBy     string
	RecordedAt     time.Time
}

// LineError locates a problem in an import: a line (1-based, as an editor
// shows it) and a column name.
type LineError struct {
	Line   int
	Column string
	Msg    string
}

func (e *LineError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Msg)
}

// asInvalid makes a LineError an accord EINVALID whose message names the place.
func asInvalid(e *LineError) error {
	return &accord.Error{Code: accord.EINVALID, Message: e.Error(), Err: e}
}

// ReadCSV reads consent events from a CSV file with the header
// subject,purpose,state,time,method,agreement. Times are RFC 3339 or
// YYYY-MM-DD. The first problem stops the read with an error naming its line
// and column, so nothing of a bad file is applied.
func ReadCSV(r io.Reader, d Defaults) ([]*accord.ConsentEvent, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, accord.Errorf(accord.EINVALID, "the file is empty: it needs the header line %s", strings.Join(CSVColumns, ","))
	}
	if err != nil {
		return nil, csvError(err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // spreadsheet byte-order mark
	}
	for i, want := range CSVColumns {
		if i >= len(header) || !strings.EqualFold(strings.TrimSpace(header[i]), want) {
			return nil, asInvalid(&LineError{Line: 1, Msg: fmt.Sprintf("the header must be %s", strings.Join(CSVColumns, ","))})
		}
	}
	if len(header) != len(CSVColumns) {
		return nil, asInvalid(&LineError{Line: 1, Msg: fmt.Sprintf("the header has %d columns; it must be exactly %s", len(header), strings.Join(CSVColumns, ","))})
	}
	var out []*accord.ConsentEvent
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rec) != len(CSVColumns) {
			return nil, asInvalid(&LineError{Line: line, Msg: fmt.Sprintf("expected %d values (%s), found %d", len(CSVColumns), strings.Join(CSVColumns, ","), len(rec))})
		}
		if len(out) == MaxImportRows {
			return nil, asInvalid(&LineError{Line: line, Msg: fmt.Sprintf("an import holds at most %d changes; split the file", MaxImportRows)})
		}
		e, lerr := row(rec, line, d)
		if lerr != nil {
			return nil, asInvalid(lerr)
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, accord.Errorf(accord.EINVALID, "the file has a header but no consent changes")
	}
	return out, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return asInvalid(&LineError{Line: pe.Line, Msg: fmt.Sprintf("not valid CSV (column %d): %v", pe.Column, pe.Err)})
	}
	return fmt.Errorf("read consent file: %w", err)
}

// row turns one record (subject,purpose,state,time,method,agreement) into an event.
func row(rec []string, line int, d Defaults) (*accord.ConsentEvent, *LineError) {
	fail := func(col, format string, args ...any) *LineError {
		return &LineError{Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
	}
	e := &accord.ConsentEvent{OrganisationID: d.OrganisationID, DatasetID: d.DatasetID,
		SubjectKey: strings.TrimSpace(rec[0]), Purpose: strings.TrimSpace(rec[1]),
		RecordedBy: d.RecordedBy, RecordedAt: d.RecordedAt}
	if e.SubjectKey == "" {
		return nil, fail("subject", "the subject key is empty")
	}
	if len(e.SubjectKey) > 200 {
		return nil, fail("subject", "the subject key is longer than 200 characters")
	}
	if !accord.ValidPurpose(e.Purpose) {
		return nil, fail("purpose", "%q is not a purpose id (dotted lowercase words, e.g. research.academic)", clip(e.Purpose))
	}
	st, err := ParseState(rec[2])
	if err != nil {
		return nil, fail("state", "%s", accord.ErrorMessage(err))
	}
	e.State = st
	if e.Time, err = parseTime(rec[3], d.Time); err != nil {
		return nil, fail("time", "%v", err)
	}
	e.Method = accord.CollectionMethod(strings.ToLower(strings.TrimSpace(rec[4])))
	if e.Method == "" {
		e.Method = defaultMethod(d)
	}
	if !e.Method.Valid() {
		return nil, fail("method", "unknown collection method %q (one of paper, verbal, web-link, import, api)", clip(rec[4]))
	}
	e.Agreement = strings.TrimSpace(rec[5])
	if e.Agreement == "" {
		e.Agreement = d.Agreement
	}
	if _, _, ok := accord.SplitAgreementRef(e.Agreement); !ok {
		return nil, fail("agreement", "%q must be written agreement-id@version", clip(e.Agreement))
	}
	return e, nil
}

func defaultMethod(d Defaults) accord.CollectionMethod {
	if d.Method != "" {
		return d.Method
	}
	return accord.MethodImport
}

func parseTime(s string, def time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if def.IsZero() {
			return time.Time{}, errors.New("the time is empty (RFC 3339, e.g. 2026-03-01T12:00:00Z, or a date 2026-03-01)")
		}
		return def, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time (RFC 3339, e.g. 2026-03-01T12:00:00Z, or a date 2026-03-01)", clip(s))
}

// clip shortens a value quoted back in a message.
func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// FromColumn reads consent from a table already in memory (a form export
// read from CSV or XLSX), where one column holds each row's subject key and
// another the answer to a consent question for one purpose. rows[0] is the
// header. Defaults supply the time, method and agreement of every change.
func FromColumn(rows [][]string, subjectCol, stateCol int, purpose string, d Defaults) ([]*accord.ConsentEvent, error) {
	if len(rows) < 2 {
		return nil, accord.Errorf(accord.EINVALID, "the table has no rows below its header")
	}
	if !accord.ValidPurpose(purpose) {
		return nil, accord.Errorf(accord.EINVALID, "%q is not a purpose id", clip(purpose))
	}
	header := rows[0]
	name := func(c int) string {
		if c >= 0 && c < len(header) && strings.TrimSpace(header[c]) != "" {
			return strings.TrimSpace(header[c])
		}
		return fmt.Sprintf("%d", c+1)
	}
	if subjectCol < 0 || stateCol < 0 || subjectCol >= len(header) || stateCol >= len(header) {
		return nil, accord.Errorf(accord.EINVALID, "column %d is not in the table (it has %d columns)", max(subjectCol, stateCol)+1, len(header))
	}
	if _, _, ok := accord.SplitAgreementRef(d.Agreement); !ok {
		return nil, accord.Errorf(accord.EINVALID, "agreement %q must be written agreement-id@version", clip(d.Agreement))
	}
	if d.Time.IsZero() {
		return nil, accord.Errorf(accord.EINVALID, "a column import needs the time the answers were collected")
	}
	if len(rows)-1 > MaxImportRows {
		return nil, accord.Errorf(accord.EINVALID, "an import holds at most %d changes; split the table", MaxImportRows)
	}
	out := make([]*accord.ConsentEvent, 0, len(rows)-1)
	for i, r := range rows[1:] {
		line := i + 2
		if subjectCol >= len(r) || stateCol >= len(r) {
			return nil, asInvalid(&LineError{Line: line, Msg: fmt.Sprintf("the row has %d values; columns %s and %s are needed", len(r), name(subjectCol), name(stateCol))})
		}
		key := strings.TrimSpace(r[subjectCol])
		if key == "" {
			return nil, asInvalid(&LineError{Line: line, Column: name(subjectCol), Msg: "the subject key is empty"})
		}
		st, err := ParseState(r[stateCol])
		if err != nil {
			return nil, asInvalid(&LineError{Line: line, Column: name(stateCol), Msg: accord.ErrorMessage(err)})
		}
		out = append(out, &accord.ConsentEvent{OrganisationID: d.OrganisationID, DatasetID: d.DatasetID, SubjectKey: key,
			Purpose: purpose, State: st, Time: d.Time, Method: defaultMethod(d), Agreement: d.Agreement,
			RecordedBy: d.RecordedBy, RecordedAt: d.RecordedAt})
	}
	return out, nil
}

// SubjectsOf lists the distinct subject keys a set of events names, in first
// appearance order, for registering them with an import.
func SubjectsOf(events []*accord.ConsentEvent, source string, at time.Time) []accord.ConsentSubject {
	seen := map[[2]string]bool{}
	var out []accord.ConsentSubject
	for _, e := range events {
		k := [2]string{e.DatasetID, e.SubjectKey}
		if !seen[k] {
			seen[k] = true
			out = append(out, accord.ConsentSubject{DatasetID: e.DatasetID, OrganisationID: e.OrganisationID, Key: e.SubjectKey, Source: source, RegisteredAt: at})
		}
	}
	return out
}

// SubjectColumn returns the distinct non-empty keys of a dataset's subject
// column, for registering the dataset's subjects.
func SubjectColumn(codes []uint32, dict []string) []string {
	used := make([]bool, len(dict))
	for _, c := range codes {
		if int(c) < len(used) {
			used[c] = true
		}
	}
	var out []string
	for c, ok := range used {
		if ok && strings.TrimSpace(dict[c]) != "" {
			out = append(out, dict[c])
		}
	}
	return out
}
