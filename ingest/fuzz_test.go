package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"reflect"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/accord-coalition/accord"
)

// checkInputError asserts the error contract: every failure caused by the
// input is an EINVALID accord.Error with a message a person can act on.
func checkInputError(t *testing.T, err error) {
	t.Helper()
	var ae *accord.Error
	if !errors.As(err, &ae) || ae.Code != accord.EINVALID || ae.Message == "" {
		t.Fatalf("error %v is not an EINVALID accord.Error", err)
	}
	var pe *ParseError
	if errors.As(err, &pe) && (pe.Line < 0 || pe.Column < 0) {
		t.Fatalf("negative position in %v", err)
	}
}

var csvSeeds = []string{
	"a;b\n1;2\n",
	"a,b\r\n\"x,y\",2\r\n",
	"a;b\n\"multi\nline\";\"q\"\"q\"\n",
	"\ufeffa\tb\n1\t2",
	"a|b\n\"open\n",
	"a;b\n\"x\"y;2\n",
	"a;;a\n",
	"a;b\n1;2;3\n",
	"x\n",
	"a;b\nRen\xe9e;2\n",
	"\"a\";\"b\"\n\"\";\"\"\n\n\n",
	"sex;age;race\nMale;39;White\nFemale;50;Black\n",
}

func FuzzCSV(f *testing.F) {
	for i, s := range csvSeeds {
		f.Add([]byte(s), byte(i))
	}
	f.Fuzz(func(t *testing.T, data []byte, d byte) {
		opts := Options{MaxColumns: 64, MaxRecordBytes: 4096}
		delims := []rune{0, ';', ',', '\t', '|'}
		opts.Delimiter = delims[int(d)%len(delims)]
		recs, err := readCSV(string(data), opts)
		if err != nil {
			checkInputError(t, err)
		}

		// ReadTable's fast path must agree with Next, record for record.
		var tableErr error
		if r, err := NewCSVReader(bytes.NewReader(data), opts); err == nil {
			tb, err := ReadTable(context.Background(), r)
			tableErr = err
			if err == nil && recs != nil && !reflect.DeepEqual(tableRows(tb), recs) {
				t.Fatalf("ReadTable %q differs from Next %q", tableRows(tb), recs)
			}
		}
		if (err == nil) != (tableErr == nil) && recs != nil {
			t.Fatalf("Next error %v but ReadTable error %v", err, tableErr)
		}

		// Where encoding/csv accepts the input, the result must be the same.
		if opts.Delimiter == 0 || len(data) > 4000 || !utf8.Valid(data) || bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
			return
		}
		cr := csv.NewReader(bytes.NewReader(data))
		cr.Comma = opts.Delimiter
		want, cerr := cr.ReadAll()
		if cerr != nil || len(want) == 0 || len(want[0]) > opts.MaxColumns {
			return
		}
		seen := map[string]bool{}
		for i, n := range want[0] {
			n = strings.TrimSpace(n)
			if n == "" || seen[n] {
				return // ours rejects such headers, by design
			}
			seen[n] = true
			want[0][i] = n
		}
		if err != nil {
			t.Fatalf("encoding/csv read %q but we failed: %v", want, err)
		}
		if !reflect.DeepEqual(recs, want) {
			t.Fatalf("got %q\nencoding/csv %q", recs, want)
		}
	})
}

func FuzzJSONL(f *testing.F) {
	for _, s := range []string{
		`{"a":1,"b":"x"}` + "\n" + `{"b":null,"a":2.50}`,
		`{"a":[1,{"b":2}],"c":true}`,
		`{"a":1}{"a":2}`,
		`{"a":1,"a":2}`,
		`[1]`,
		"{\"a\":\"\xff\"}",
		`{"a":1e400,"b":-0,"c":12345678901234567890}`,
		"\n\n{\"x\":\"\\ud800\"}\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := readJSONL(string(data), Options{MaxColumns: 64, MaxRecordBytes: 4096})
		if err != nil {
			checkInputError(t, err)
			return
		}
		header := recs[0]
		seen := map[string]bool{}
		for _, h := range header {
			if h == "" || seen[h] {
				t.Fatalf("bad header %q", header)
			}
			seen[h] = true
		}
		for _, r := range recs[1:] {
			if len(r) != len(header) {
				t.Fatalf("record %q for header %q", r, header)
			}
			for _, v := range r {
				if !utf8.ValidString(v) {
					t.Fatalf("invalid UTF-8 value %q", v)
				}
			}
		}
	})
}

// FuzzSuggest feeds arbitrary values and names to the detectors and the
// suggestion logic, which must never panic and must return valid classes.
func FuzzSuggest(f *testing.F) {
	for _, s := range []string{"a@b.org", "+44 20 7946 0958", "AB123456C", "123-45-6789", "51.5,-0.12",
		"Amina Yusuf", "03/04/2020", "2024-03-01T08:31:02", "1e5", "0012", "NA", "", "\xff\xfe", "Jean-Pierre", "-"} {
		f.Add(s, "col_"+s)
	}
	valid := map[string]bool{ClassIdentifier: true, ClassQuasi: true, ClassSensitive: true, ClassInsensitive: true, ClassSubject: true}
	f.Fuzz(func(t *testing.T, v, name string) {
		isEmail(v)
		isPhone(v)
		isUKNINO(v)
		isUSSSN(v)
		luhn(v)
		isUUID(v)
		isBoolean(v)
		isDecimal(v)
		isInteger(v)
		latLon(v)
		nameTokens(v)
		mentionsName(v)
		dateLayoutOf(v)
		canonicalNumber(v)
		hintsFor(name)
		isKeyName(name)
		rows := [][]string{{v, v}, {v + "1", ""}, {"x", v}}
		for _, s := range Suggest([]string{name, "b"}, rows) {
			if !valid[s.Class] || len(s.Reasons) == 0 || s.Type == "" {
				t.Fatalf("bad suggestion %+v", s)
			}
		}
	})
}

// FuzzXLSX fuzzes the worksheet and shared-strings XML inside an
// otherwise valid workbook (mutating the zip itself only exercises CRC
// checks): damaged content must give an input error, never a panic.
func FuzzXLSX(f *testing.F) {
	base := makeXLSX(f, []string{"s"}, map[string][][]any{"s": {{"a", "b"}, {1, "x"}, nil, {2}}})
	parts := unzipParts(f, base)
	f.Add(parts["xl/worksheets/sheet1.xml"], parts["xl/sharedStrings.xml"])
	odk := unzipParts(f, makeXLSX(f, []string{"s"}, map[string][][]any{"s": {odkHeader, {"2024-03-01", "x", 3}}}))
	f.Add(odk["xl/worksheets/sheet1.xml"], odk["xl/sharedStrings.xml"])
	f.Fuzz(func(t *testing.T, sheet, sst []byte) {
		parts["xl/worksheets/sheet1.xml"], parts["xl/sharedStrings.xml"] = sheet, sst
		r, err := NewXLSXReader(bytes.NewReader(zipParts(t, parts)), Options{MaxColumns: 64})
		if err != nil {
			checkInputError(t, err)
			return
		}
		defer r.Close()
		for {
			rec, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				checkInputError(t, err)
				return
			}
			if len(rec) != len(r.Header()) {
				t.Fatalf("record %q for header %q", rec, r.Header())
			}
		}
	})
}

func unzipParts(t testing.TB, data []byte) map[string][]byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		parts[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return parts
}

func zipParts(t testing.TB, parts map[string][]byte) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	names := make([]string, 0, len(parts))
	for n := range parts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(parts[n])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
