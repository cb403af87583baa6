package ingest

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// csvBufSize is the read buffer. Lines shorter than this are split in
// place without copying, which is nearly all lines of a real export.
const csvBufSize = 256 << 10

// CSVReader reads delimited text (RFC 4180 quoting, CRLF or LF line ends).
//
// Quoted values may hold delimiters, line breaks and doubled quotes ("").
// A quote in the middle of an unquoted value is kept as an ordinary
// character. Blank lines are skipped. Every record must have as many values
// as the header.
type CSVReader struct {
	lr      lineReader
	comma   byte
	header  []string
	maxCols int
	maxRec  int
	legacy  bool  // single-byte encoding requested: skip UTF-8 checks
	size    int64 // input size from Options.Size, for estimatedRows
	recLine int
	fields  [][]byte
	rec     []byte // values of a record that needed unquoting
	ends    []int  // end offset in rec of each value
	err     error  // sticky: once the input is bad, stop
}

// NewCSVReader reads the header of a CSV file, detecting the delimiter
// unless opts.Delimiter is set.
func NewCSVReader(r io.Reader, opts Options) (*CSVReader, error) {
	opts = opts.withDefaults()
	br, legacy, err := textInput(r, opts, csvBufSize)
	if err != nil {
		return nil, err
	}
	c := &CSVReader{
		lr:      lineReader{br: br, max: opts.MaxRecordBytes},
		maxCols: opts.MaxColumns,
		maxRec:  opts.MaxRecordBytes,
		legacy:  legacy,
		size:    opts.Size,
	}
	switch d := opts.Delimiter; {
	case d == 0:
		if c.comma, err = detectDelimiter(br); err != nil {
			return nil, err
		}
	case d >= utf8.RuneSelf || d == '"' || d == '\n' || d == '\r':
		return nil, invalidf(nil, "delimiter %q cannot be used: use one of ; , | tab", d)
	default:
		c.comma = byte(d)
	}
	fields, err := c.read()
	if err == io.EOF {
		return nil, errEmpty()
	}
	if err != nil {
		return nil, err
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = string(f)
	}
	at := func(col int, name string) *ParseError {
		return &ParseError{Line: c.recLine, Column: col, ColumnName: name}
	}
	if c.header, err = checkHeader(names, c.maxCols, at); err != nil {
		return nil, err
	}
	return c, nil
}

// Header returns the column names.
func (c *CSVReader) Header() []string { return c.header }

// Line returns the line where the last record started.
func (c *CSVReader) Line() int { return c.recLine }

// estimatedRows guesses the number of records from the input size and the
// bytes per line so far, so ReadTable can size its columns once instead of
// growing them by copying. It returns 0 when the size is unknown.
func (c *CSVReader) estimatedRows() int {
	if c.size <= 0 || c.lr.line < 2 || c.lr.n <= 0 {
		return 0
	}
	perLine := float64(c.lr.n) / float64(c.lr.line)
	return int(float64(c.size)/perLine*1.02) + 16
}

// Delimiter returns the delimiter in use (given or detected).
func (c *CSVReader) Delimiter() rune { return rune(c.comma) }

// NextBytes returns the next record; the slices are valid until the next
// call. It returns io.EOF at the end of the input.
func (c *CSVReader) NextBytes() ([][]byte, error) {
	if c.err != nil {
		return nil, c.err
	}
	f, err := c.read()
	if err == nil && len(f) != len(c.header) {
		err = c.ragged(len(f))
	}
	if err != nil {
		c.err = err
		return nil, err
	}
	return f, nil
}

// Next returns the next record as strings, or io.EOF at the end.
func (c *CSVReader) Next() ([]string, error) {
	f, err := c.NextBytes()
	if err != nil {
		return nil, err
	}
	return bytesToStrings(f), nil
}

// bytesToStrings copies a record into one backing string, so a record costs
// two allocations however many values it has.
func bytesToStrings(f [][]byte) []string {
	n := 0
	for _, b := range f {
		n += len(b)
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, b := range f {
		sb.Write(b)
	}
	all := sb.String()
	out := make([]string, len(f))
	off := 0
	for i, b := range f {
		out[i] = all[off : off+len(b)]
		off += len(b)
	}
	return out
}

// read returns the next non-blank record's values.
func (c *CSVReader) read() ([][]byte, error) {
	for {
		line, err := c.lr.next()
		if err == errLineTooLong {
			return nil, c.tooLong(line, c.lr.line+1)
		}
		if err != nil {
			return nil, err
		}
		c.recLine = c.lr.line
		body := trimEOL(line)
		if len(body) == 0 {
			continue
		}
		// Fast path: no quotes, so values are the bytes between delimiters
		// and can be handed out in place.
		quoted, ascii, err := c.splitFast(body)
		if err != nil {
			return nil, err
		}
		if quoted {
			return c.readQuoted(line)
		}
		if !ascii && !c.legacy {
			if err := c.checkUTF8(c.fields, c.recLine); err != nil {
				return nil, err
			}
		}
		return c.fields, nil
	}
}

// name returns the header name of 1-based column col, if known.
func (c *CSVReader) name(col int) string {
	if col >= 1 && col <= len(c.header) {
		return c.header[col-1]
	}
	return ""
}

func (c *CSVReader) checkUTF8(fields [][]byte, line int) error {
	if c.legacy {
		return nil
	}
	for i, f := range fields {
		if !utf8.Valid(f) {
			return parseErr(&ParseError{Line: line, Column: i + 1, ColumnName: c.name(i + 1)},
				"the text is not valid UTF-8",
				"save the file as UTF-8, or give its encoding (latin-1 or windows-1252)")
		}
	}
	return nil
}

func (c *CSVReader) ragged(n int) error {
	want := len(c.header)
	col := n + 1 // the first missing column
	if n > want {
		col = want + 1 // the first extra value
	}
	what := fmt.Sprintf("found %d values but the header has %d columns", n, want)
	return parseErr(&ParseError{Line: c.recLine, Column: col, ColumnName: c.name(col)}, what,
		fmt.Sprintf("check for a missing or extra %s, and put quotes around values that contain %s",
			delimName(c.comma), delimName(c.comma)))
}

func (c *CSVReader) tooManyColumns(line int) error {
	return parseErr(&ParseError{Line: line, Column: c.maxCols + 1},
		fmt.Sprintf("more than %d columns", c.maxCols),
		"check the delimiter, or remove unused columns")
}

// tooLong explains an over-long line. A header that is long because it has
// a huge number of columns gets the column message, which is the real cause.
func (c *CSVReader) tooLong(partial []byte, line int) error {
	if c.header == nil && bytes.Count(partial, []byte{c.comma}) >= c.maxCols {
		return c.tooManyColumns(line)
	}
	return parseErr(&ParseError{Line: line},
		fmt.Sprintf("the record is longer than %d bytes", c.maxRec),
		"check that every opening quote is closed, or split very long text values")
}

func (c *CSVReader) unclosedQuote(line, col int) error {
	return parseErr(&ParseError{Line: line, Column: col, ColumnName: c.name(col)},
		"a quoted value is never closed",
		`add the missing closing quote; a quote inside a quoted value must be doubled ("")`)
}

func delimName(d byte) string {
	if d == '\t' {
		return "tab"
	}
	return fmt.Sprintf("'%c'", d)
}
