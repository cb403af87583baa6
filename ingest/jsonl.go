package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Header discovery for JSON Lines reads ahead at most this many objects
// (and at most headerScanBytes), so memory stays bounded.
const (
	headerScanLines = 1000
	headerScanBytes = 8 << 20
)

// JSONLReader reads JSON Lines: one JSON object per line.
//
// The header is the union of the keys of the first objects (up to 1000),
// in the order they are first seen. An object may leave keys out (their
// values are empty), but a key that first appears later in the file is an
// error naming its line: keys must be consistent across the file.
//
// Values become strings: strings as they are, numbers in canonical form
// (1.50 → "1.5", 1e3 → "1000"), true/false as "true"/"false", null as "",
// and nested arrays or objects as compact JSON text (KoboToolbox puts
// geolocations and attachments there). Blank lines are skipped.
type JSONLReader struct {
	lr      lineReader
	header  []string
	index   map[string]int
	maxCols int
	legacy  bool
	pending []jsonRow // objects read ahead while building the header
	recLine int
	err     error
}

type jsonRow struct {
	line int
	kv   []keyValue
}

type keyValue struct{ key, value string }

// NewJSONLReader reads ahead to build the header.
func NewJSONLReader(r io.Reader, opts Options) (*JSONLReader, error) {
	opts = opts.withDefaults()
	br, legacy, err := textInput(r, opts, 64<<10)
	if err != nil {
		return nil, err
	}
	j := &JSONLReader{
		lr:      lineReader{br: br, max: opts.MaxRecordBytes},
		index:   make(map[string]int),
		maxCols: opts.MaxColumns,
		legacy:  legacy,
	}
	size := 0
	for len(j.pending) < headerScanLines && size < headerScanBytes {
		row, n, err := j.readObject()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		size += n
		for _, kv := range row.kv {
			if _, ok := j.index[kv.key]; !ok {
				if len(j.header) >= j.maxCols {
					return nil, parseErr(&ParseError{Line: row.line, Column: j.maxCols + 1},
						fmt.Sprintf("the objects have more than %d different keys", j.maxCols),
						"remove unused keys")
				}
				j.index[kv.key] = len(j.header)
				j.header = append(j.header, kv.key)
			}
		}
		j.pending = append(j.pending, row)
	}
	if len(j.header) == 0 {
		if len(j.pending) > 0 {
			return nil, invalidf(nil, "the objects in the file have no keys: each line must be an object such as {\"age\": 42}")
		}
		return nil, invalidf(nil, "the file is empty: each line must hold one JSON object")
	}
	if len(j.pending) > 0 {
		j.recLine = j.pending[0].line
	}
	return j, nil
}

// Header returns the keys, in first-seen order.
func (j *JSONLReader) Header() []string { return j.header }

// Line returns the line of the last object returned.
func (j *JSONLReader) Line() int { return j.recLine }

// Next returns the next object's values in header order, or io.EOF.
func (j *JSONLReader) Next() ([]string, error) {
	if j.err != nil {
		return nil, j.err
	}
	var row jsonRow
	if len(j.pending) > 0 {
		row, j.pending = j.pending[0], j.pending[1:]
	} else {
		var err error
		if row, _, err = j.readObject(); err != nil {
			j.err = err
			return nil, err
		}
	}
	j.recLine = row.line
	out := make([]string, len(j.header))
	for _, kv := range row.kv {
		i, ok := j.index[kv.key]
		if !ok {
			j.err = parseErr(&ParseError{Line: row.line},
				fmt.Sprintf("key %q does not appear in the first %d objects", kv.key, headerScanLines),
				"use the same keys on every line (a key may be left out, or set to null)")
			return nil, j.err
		}
		out[i] = kv.value
	}
	return out, nil
}

// readObject parses the next non-blank line. n is the line's size.
func (j *JSONLReader) readObject() (row jsonRow, n int, err error) {
	for {
		line, err := j.lr.next()
		if err == errLineTooLong {
			return row, 0, parseErr(&ParseError{Line: j.lr.line + 1},
				fmt.Sprintf("the line is longer than %d bytes", j.lr.max), "split very long values")
		}
		if err != nil {
			return row, 0, err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		// Only the right is trimmed so decoder offsets are columns of the line.
		body := bytes.TrimRight(line, " \t\r\n")
		kv, err := j.parseLine(body, j.lr.line)
		return jsonRow{line: j.lr.line, kv: kv}, len(line), err
	}
}

func (j *JSONLReader) parseLine(body []byte, line int) ([]keyValue, error) {
	syntax := func(off int64, what string) error {
		return parseErr(&ParseError{Line: line, Column: int(off) + 1}, what,
			`each line must be one complete JSON object such as {"age": 42}`)
	}
	fromDecoder := func(err error, off int64) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return syntax(int64(len(body)), "the JSON object is cut off")
		}
		return syntax(off, "invalid JSON: "+strings.TrimPrefix(err.Error(), "json: "))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fromDecoder(err, dec.InputOffset())
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, syntax(0, "the line is not a JSON object")
	}
	var kv []keyValue
	seen := make(map[string]bool)
	for dec.More() {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil, fromDecoder(err, off)
		}
		key := tok.(string) // inside an object the decoder only yields string keys
		pe := &ParseError{Line: line, Column: skipSpace(body, off, ",") + 1, ColumnName: key}
		if key == "" || seen[key] {
			what := "an empty key"
			if key != "" {
				what = fmt.Sprintf("key %q appears twice in the object", key)
			}
			return nil, parseErr(pe, what, "give every value its own, non-empty key")
		}
		seen[key] = true
		off = dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fromDecoder(err, off)
		}
		if !j.legacy && !utf8.Valid(raw) {
			return nil, parseErr(pe, "the text is not valid UTF-8",
				"save the file as UTF-8, or give its encoding (latin-1 or windows-1252)")
		}
		v, err := jsonValue(raw)
		if err != nil {
			return nil, parseErr(pe, "the value cannot be read", "check the JSON syntax")
		}
		kv = append(kv, keyValue{key, v})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, fromDecoder(err, dec.InputOffset())
	}
	if off := dec.InputOffset(); int(off) < len(body) {
		return nil, syntax(int64(skipSpace(body, off, "")), "unexpected text after the JSON object")
	}
	if !j.legacy && !utf8.Valid(body) {
		return nil, parseErr(&ParseError{Line: line}, "a key is not valid UTF-8",
			"save the file as UTF-8, or give its encoding (latin-1 or windows-1252)")
	}
	return kv, nil
}

// skipSpace returns the offset of the first byte at or after off that is
// neither JSON whitespace nor in also, so errors point at the text itself.
func skipSpace(b []byte, off int64, also string) int {
	i := int(off)
	for i < len(b) && (strings.IndexByte(" \t\r\n", b[i]) >= 0 || strings.IndexByte(also, b[i]) >= 0) {
		i++
	}
	return i
}

// jsonValue turns one JSON value into the string Accord stores.
func jsonValue(raw json.RawMessage) (string, error) {
	switch raw[0] {
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case 'n':
		return "", nil
	case 't', 'f':
		return string(raw), nil
	case '{', '[':
		var b bytes.Buffer
		err := json.Compact(&b, raw)
		return b.String(), err
	}
	return canonicalNumber(string(raw)), nil
}

// canonicalNumber formats a JSON number the way ECMAScript prints numbers
// (as JSON canonicalisation, RFC 8785, does), so 1.0, 1e0 and 1 are one
// dictionary value. Integers too large for float64 keep their digits.
func canonicalNumber(s string) string {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return strconv.FormatInt(i, 10)
	}
	if !strings.ContainsAny(s, ".eE") {
		return s // an integer beyond int64: its digits are already canonical
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s // out of float64 range: keep the number as written
	}
	if f == 0 {
		return "0" // also for -0, as ECMAScript does
	}
	if a := abs(f); a >= 1e-6 && a < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
