package ingest

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/accord-coalition/accord"
	"github.com/xuri/excelize/v2"
)

// xlsxUnzipLimit caps how much a workbook may expand when unzipped, so a
// small malicious file cannot fill memory or disk.
const xlsxUnzipLimit = 4 << 30

// XLSXReader reads one sheet of an Excel workbook, such as an ODK or
// KoboToolbox export. The first row is the header. Rows are streamed with
// excelize's row iterator; the workbook file itself is held in memory, as
// the zip format needs random access. Cells show the value as formatted in
// the sheet (dates as displayed). Empty rows are skipped, and missing
// trailing cells are empty values.
type XLSXReader struct {
	f       *excelize.File
	rows    *excelize.Rows
	sheet   string
	header  []string
	row     int // 1-based number of the row the iterator is on
	recLine int
	err     error
}

// NewXLSXReader opens the workbook in r and reads the header row of
// opts.Sheet (the first sheet when empty).
func NewXLSXReader(r io.Reader, opts Options) (*XLSXReader, error) {
	opts = opts.withDefaults()
	if opts.Progress != nil {
		r = newProgressReader(r, opts.Size, opts.Progress)
	}
	var f *excelize.File
	err := recovered(func() (err error) {
		f, err = excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: xlsxUnzipLimit})
		return err
	})
	if err != nil {
		return nil, invalidf(err, "the file is not a readable XLSX workbook: save it as .xlsx (Excel 2007 or later) or export it as CSV")
	}
	x := &XLSXReader{f: f}
	if err := recovered(func() error { return x.open(opts) }); err != nil {
		f.Close()
		if !isInputError(err) {
			err = invalidf(err, "the workbook cannot be read: save it again as .xlsx or export it as CSV")
		}
		return nil, err
	}
	return x, nil
}

// recovered runs fn and turns a panic into an error. excelize parses
// untrusted zip and XML; a damaged upload must be refused, never crash the
// node.
func recovered(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("xlsx library panic: %v", p)
		}
	}()
	return fn()
}

func isInputError(err error) bool {
	var ae *accord.Error
	return errors.As(err, &ae) && ae.Code == accord.EINVALID
}

func (x *XLSXReader) open(opts Options) error {
	sheets := x.f.GetSheetList()
	if len(sheets) == 0 {
		return invalidf(nil, "the workbook has no sheets")
	}
	x.sheet = sheets[0]
	if opts.Sheet != "" {
		x.sheet = ""
		for _, s := range sheets {
			if s == opts.Sheet {
				x.sheet = s
			}
		}
		if x.sheet == "" {
			return invalidf(nil, "the workbook has no sheet named %q; its sheets are: %s", opts.Sheet, strings.Join(sheets, ", "))
		}
	}
	rows, err := x.f.Rows(x.sheet)
	if err != nil {
		return invalidf(err, "sheet %q cannot be read: save the workbook again or export it as CSV", x.sheet)
	}
	x.rows = rows
	cells, err := x.nextRow()
	if err == io.EOF {
		return invalidf(nil, "sheet %q is empty: the first row must hold the column names", x.sheet)
	}
	if err != nil {
		return err
	}
	if x.row != 1 {
		return parseErr(x.at(1, 0, ""), "the first row is empty", "put the column names in the first row")
	}
	x.header, err = checkHeader(cells, opts.MaxColumns, func(col int, name string) *ParseError {
		return x.at(x.row, col, name)
	})
	if err != nil {
		return err
	}
	x.recLine = x.row
	return nil
}

// nextRow returns the cells of the next row that has any value, with
// trailing empty cells removed, or io.EOF.
func (x *XLSXReader) nextRow() ([]string, error) {
	for x.rows.Next() {
		x.row++
		cells, err := x.rows.Columns()
		if err != nil {
			pe := x.at(x.row, 0, "")
			pe.Err = err
			return nil, parseErr(pe, "the row cannot be read",
				"save the workbook again or export it as CSV")
		}
		for len(cells) > 0 && cells[len(cells)-1] == "" {
			cells = cells[:len(cells)-1]
		}
		if len(cells) > 0 {
			return cells, nil
		}
	}
	if err := x.rows.Error(); err != nil {
		pe := x.at(x.row+1, 0, "")
		pe.Err = err
		return nil, parseErr(pe, "the row cannot be read",
			"save the workbook again or export it as CSV")
	}
	return nil, io.EOF
}

// Header returns the names in the first row.
func (x *XLSXReader) Header() []string { return x.header }

// Line returns the spreadsheet row number of the last record.
func (x *XLSXReader) Line() int { return x.recLine }

// Sheet returns the name of the sheet being read.
func (x *XLSXReader) Sheet() string { return x.sheet }

// Next returns the next non-empty row, padded to the header's width.
func (x *XLSXReader) Next() ([]string, error) {
	if x.err != nil {
		return nil, x.err
	}
	var cells []string
	err := recovered(func() (err error) {
		cells, err = x.nextRow()
		return err
	})
	if err != nil && err != io.EOF && !isInputError(err) {
		err = parseErr(&ParseError{Line: x.row + 1, Sheet: x.sheet, Err: err}, "the row cannot be read",
			"save the workbook again or export it as CSV")
	}
	if err != nil {
		x.err = err
		return nil, err
	}
	x.recLine = x.row
	if len(cells) > len(x.header) {
		col := len(x.header) + 1
		x.err = parseErr(x.at(x.row, col, ""),
			"a cell to the right of the last named column has a value",
			"give that column a name in the first row, or clear the cell")
		return nil, x.err
	}
	out := make([]string, len(x.header))
	copy(out, cells)
	return out, nil
}

// Close releases the workbook and any temporary files excelize made.
func (x *XLSXReader) Close() error {
	err := x.rows.Close()
	if cerr := x.f.Close(); err == nil {
		err = cerr
	}
	return err
}

func columnLetters(col int) string {
	s, err := excelize.ColumnNumberToName(col)
	if err != nil {
		return ""
	}
	return s
}

// at locates a cell of the sheet for an error message.
func (x *XLSXReader) at(row, col int, name string) *ParseError {
	return &ParseError{Line: row, Column: col, ColumnName: name, Sheet: x.sheet}
}
