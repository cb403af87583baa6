package ingest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/accord-coalition/accord/anon"
	"golang.org/x/text/encoding/charmap"
)

// Reader streams the records of a table. Header is known once the reader
// has been created. Next returns io.EOF after the last record.
type Reader interface {
	// Header returns the column names, in file order.
	Header() []string
	// Next returns the next record, one value per header column. The slice
	// belongs to the caller.
	Next() ([]string, error)
	// Line returns the line (CSV, JSON Lines) or row (XLSX) where the record
	// last returned by Next started; before the first record, the header's.
	Line() int
}

// RawReader is a Reader that can also hand out records without allocating:
// the slices returned by NextBytes are only valid until the next call.
// ReadTable uses it to dictionary-encode without a string per cell.
type RawReader interface {
	Reader
	NextBytes() ([][]byte, error)
}

// ReadCloser is a Reader over a file that must be closed.
type ReadCloser interface {
	Reader
	io.Closer
}

// Format is an input file format.
type Format string

// Supported formats.
const (
	FormatCSV   Format = "csv"
	FormatJSONL Format = "jsonl"
	FormatXLSX  Format = "xlsx"
)

// Defaults for the limits in Options. They bound memory whatever the input.
const (
	DefaultMaxColumns     = 4096
	DefaultMaxRecordBytes = 1 << 20
)

// Options configure a Reader. The zero value reads UTF-8 CSV with a
// detected delimiter.
type Options struct {
	// Format of the input. OpenFile guesses it from the file extension
	// when empty; NewReader then assumes CSV.
	Format Format
	// Delimiter for CSV. 0 detects it among ';' ',' tab and '|' from the
	// first lines of the file. See ParseDelimiter.
	Delimiter rune
	// Encoding of CSV and JSON Lines input: "" or "utf-8" (the default;
	// invalid UTF-8 is an error), "latin-1" (ISO-8859-1) or "windows-1252".
	Encoding string
	// Sheet of an XLSX workbook; "" reads the first sheet.
	Sheet string
	// MaxColumns caps the number of columns (default 4096).
	MaxColumns int
	// MaxRecordBytes caps the size of one record (default 1 MiB).
	MaxRecordBytes int
	// Size is the input size in bytes, passed to Progress; 0 if unknown.
	// OpenFile fills it in.
	Size int64
	// Progress, when set, is called as input is consumed with the bytes
	// read so far and Size (-1 when unknown). It is called at most once per
	// MiB and once at the end.
	Progress func(read, total int64)
}

func (o Options) withDefaults() Options {
	if o.MaxColumns <= 0 {
		o.MaxColumns = DefaultMaxColumns
	}
	if o.MaxRecordBytes <= 0 {
		o.MaxRecordBytes = DefaultMaxRecordBytes
	}
	return o
}

// ParseDelimiter turns a user-given delimiter ("," ";" "|" "tab" `\t`)
// into a rune.
func ParseDelimiter(s string) (rune, error) {
	switch strings.ToLower(s) {
	case "", "auto":
		return 0, nil
	case "tab", `\t`, "\t":
		return '\t', nil
	case ";", ",", "|", ":":
		return rune(s[0]), nil
	}
	return 0, invalidf(nil, "unsupported delimiter %q: use one of ; , | tab (or leave it out to detect it)", s)
}

// FormatFromName guesses the format from a file name's extension.
func FormatFromName(name string) (Format, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".tsv", ".txt", ".tab":
		return FormatCSV, nil
	case ".jsonl", ".ndjson", ".json":
		return FormatJSONL, nil
	case ".xlsx", ".xlsm":
		return FormatXLSX, nil
	case ".xls":
		return "", invalidf(nil, "%s is an old Excel (.xls) file: save it as .xlsx or export it as CSV", filepath.Base(name))
	}
	return "", invalidf(nil, "cannot tell the format of %s from its extension: name it .csv, .jsonl or .xlsx, or give the format explicitly", filepath.Base(name))
}

// NewReader returns a Reader for opts.Format (CSV when empty).
func NewReader(r io.Reader, opts Options) (Reader, error) {
	switch opts.Format {
	case "", FormatCSV:
		return NewCSVReader(r, opts)
	case FormatJSONL:
		return NewJSONLReader(r, opts)
	case FormatXLSX:
		return NewXLSXReader(r, opts)
	}
	return nil, invalidf(nil, "unknown format %q: use csv, jsonl or xlsx", opts.Format)
}

// OpenFile opens a file and returns a Reader for it. The format comes from
// opts.Format or else from the extension; opts.Size is set from the file.
func OpenFile(path string, opts Options) (ReadCloser, error) {
	if opts.Format == "" {
		f, err := FormatFromName(path)
		if err != nil {
			return nil, err
		}
		opts.Format = f
	}
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, invalidf(err, "file %s does not exist", filepath.Base(path))
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if st, err := f.Stat(); err == nil && opts.Size == 0 {
		opts.Size = st.Size()
	}
	r, err := NewReader(f, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &fileReader{Reader: r, f: f}, nil
}

type fileReader struct {
	Reader
	f *os.File
}

func (r *fileReader) Close() error {
	var err error
	if c, ok := r.Reader.(io.Closer); ok {
		err = c.Close()
	}
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (r *fileReader) estimatedRows() int {
	if e, ok := r.Reader.(rowEstimator); ok {
		return e.estimatedRows()
	}
	return 0
}

// NextBytes passes the fast path through when the wrapped reader has one.
func (r *fileReader) NextBytes() ([][]byte, error) {
	if rr, ok := r.Reader.(RawReader); ok {
		return rr.NextBytes()
	}
	rec, err := r.Reader.Next()
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(rec))
	for i, v := range rec {
		out[i] = []byte(v)
	}
	return out, nil
}

// ReadFile reads a whole file into a dictionary-encoded table.
func ReadFile(ctx context.Context, path string, opts Options) (*anon.Table, error) {
	r, err := OpenFile(path, opts)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return ReadTable(ctx, r)
}

// textInput wraps r for text formats: progress counting, the requested
// legacy encoding, and BOM handling. legacy reports whether a single-byte
// encoding was requested (then every byte sequence is valid text).
func textInput(r io.Reader, opts Options, bufSize int) (br *bufio.Reader, legacy bool, err error) {
	if opts.Progress != nil {
		r = newProgressReader(r, opts.Size, opts.Progress)
	}
	switch strings.ToLower(strings.ReplaceAll(opts.Encoding, "_", "-")) {
	case "", "utf-8", "utf8":
	case "latin-1", "latin1", "iso-8859-1", "iso8859-1":
		r, legacy = charmap.ISO8859_1.NewDecoder().Reader(r), true
	case "windows-1252", "cp1252", "win-1252":
		r, legacy = charmap.Windows1252.NewDecoder().Reader(r), true
	default:
		return nil, false, invalidf(nil, "unsupported encoding %q: use utf-8, latin-1 or windows-1252", opts.Encoding)
	}
	br = bufio.NewReaderSize(r, bufSize)
	b, _ := br.Peek(3)
	switch {
	case len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF:
		br.Discard(3)
	case !legacy && len(b) >= 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF):
		return nil, false, parseErr(&ParseError{Line: 1}, "the file is UTF-16 encoded",
			"save it as UTF-8 (in Excel: \"CSV UTF-8\")")
	}
	return br, legacy, nil
}

// errEmpty is returned for files with no header at all.
func errEmpty() error {
	return invalidf(nil, "the file is empty: the first line must hold the column names")
}

// checkHeader trims header names and rejects empty or duplicate ones. at
// gives the position of a 1-based column for error messages.
func checkHeader(names []string, maxCols int, at func(col int, name string) *ParseError) ([]string, error) {
	if len(names) > maxCols {
		return nil, parseErr(at(maxCols+1, ""),
			fmt.Sprintf("the header has %d columns, more than the limit of %d", len(names), maxCols),
			"check the delimiter, or remove unused columns")
	}
	seen := make(map[string]int, len(names))
	out := make([]string, len(names))
	for i, n := range names {
		n = strings.TrimSpace(n)
		out[i] = n
		if n == "" {
			return nil, parseErr(at(i+1, ""), "the header has an empty column name", "give every column a name")
		}
		if j, dup := seen[n]; dup {
			return nil, parseErr(at(i+1, n),
				fmt.Sprintf("the same column name is used by column %d", j+1), "give every column a different name")
		}
		seen[n] = i
	}
	return out, nil
}
