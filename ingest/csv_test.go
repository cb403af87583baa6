package ingest

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/accord-coalition/accord"
)

// readAll reads a whole input with Next, returning header and records.
func readAll(r Reader) ([][]string, error) {
	out := [][]string{r.Header()}
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
}

func readCSV(in string, opts Options) ([][]string, error) {
	r, err := NewCSVReader(strings.NewReader(in), opts)
	if err != nil {
		return nil, err
	}
	return readAll(r)
}

func TestCSVValid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opts Options
		want [][]string
	}{
		{"semicolon", "a;b\n1;2\n", Options{}, [][]string{{"a", "b"}, {"1", "2"}}},
		{"comma", "a,b\n1,2\n", Options{}, [][]string{{"a", "b"}, {"1", "2"}}},
		{"tab", "a\tb\n1\t2\n", Options{}, [][]string{{"a", "b"}, {"1", "2"}}},
		{"pipe", "a|b\n1|2\n", Options{}, [][]string{{"a", "b"}, {"1", "2"}}},
		{"explicit delimiter", "a;b,c\n1;2,3\n", Options{Delimiter: ','}, [][]string{{"a;b", "c"}, {"1;2", "3"}}},
		{"semicolon wins over commas inside values", "name;note\nx;a, b, c\ny;d\n", Options{}, [][]string{{"name", "note"}, {"x", "a, b, c"}, {"y", "d"}}},
		{"detection ignores quoted delimiters", "a,b\n\"1;2;3\",x\n", Options{}, [][]string{{"a", "b"}, {"1;2;3", "x"}}},
		{"crlf", "a;b\r\n1;2\r\n", Options{}, [][]string{{"a", "b"}, {"1", "2"}}},
		{"no final newline", "a;b\n1;2", Options{}, [][]string{{"a", "b"}, {"1", "2"}}},
		{"bom", "\ufeffa;b\n1;2\n", Options{}, [][]string{{"a", "b"}, {"1", "2"}}},
		{"header only", "a;b\n", Options{}, [][]string{{"a", "b"}}},
		{"header names trimmed", " a ; b\n1;2\n", Options{}, [][]string{{"a", "b"}, {"1", "2"}}},
		{"blank lines skipped", "a;b\n\n1;2\r\n\r\n3;4\n\n", Options{}, [][]string{{"a", "b"}, {"1", "2"}, {"3", "4"}}},
		{"empty values", "a;b;c\n;;\n", Options{}, [][]string{{"a", "b", "c"}, {"", "", ""}}},
		{"quoted delimiter", "a;b\n\"x;y\";2\n", Options{}, [][]string{{"a", "b"}, {"x;y", "2"}}},
		{"doubled quote", "a;b\n\"say \"\"hi\"\"\";2\n", Options{}, [][]string{{"a", "b"}, {`say "hi"`, "2"}}},
		{"quoted newline", "a;b\n\"line1\nline2\";2\n3;4\n", Options{}, [][]string{{"a", "b"}, {"line1\nline2", "2"}, {"3", "4"}}},
		{"quoted crlf becomes lf", "a;b\r\n\"l1\r\nl2\";2\r\n", Options{}, [][]string{{"a", "b"}, {"l1\nl2", "2"}}},
		{"quoted empty", "a;b\n\"\";\"\"\n", Options{}, [][]string{{"a", "b"}, {"", ""}}},
		{"quoted last value then eof", "a;b\n1;\"x\"", Options{}, [][]string{{"a", "b"}, {"1", "x"}}},
		{"bare quote kept", "a;b\n5'11\";2\n", Options{}, [][]string{{"a", "b"}, {`5'11"`, "2"}}},
		{"quoted header", "\"a;1\";b\n1;2\n", Options{}, [][]string{{"a;1", "b"}, {"1", "2"}}},
		{"utf-8", "nom;ville\nRenée;Zürich\n", Options{}, [][]string{{"nom", "ville"}, {"Renée", "Zürich"}}},
		{"latin-1", "nom;ville\nRen\xe9e;Z\xfcrich\n", Options{Encoding: "latin-1"}, [][]string{{"nom", "ville"}, {"Renée", "Zürich"}}},
		{"windows-1252", "a;b\n\x80;\x93q\x94\n", Options{Encoding: "windows-1252"}, [][]string{{"a", "b"}, {"€", "“q”"}}},
		{"long line beyond buffer", "a;b\n" + strings.Repeat("x", 300<<10) + ";2\n", Options{}, [][]string{{"a", "b"}, {strings.Repeat("x", 300<<10), "2"}}},
		{"long quoted value", "a;b\n\"" + strings.Repeat("y\n", 200<<10) + "\";2\n", Options{}, [][]string{{"a", "b"}, {strings.Repeat("y\n", 200<<10), "2"}}},
		{"eight byte boundaries", "abcdefg;hijklmn\nabcdefgh;ijklmnopq\n", Options{}, [][]string{{"abcdefg", "hijklmn"}, {"abcdefgh", "ijklmnopq"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readCSV(tt.in, tt.opts)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// wantInvalid checks that err is an accord EINVALID error whose message
// contains every fragment (the position and the advice).
func wantInvalid(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", fragments)
	}
	var ae *accord.Error
	if !errors.As(err, &ae) || ae.Code != accord.EINVALID {
		t.Fatalf("error %v is not an accord EINVALID error", err)
	}
	for _, f := range fragments {
		if !strings.Contains(ae.Message, f) {
			t.Errorf("message %q does not contain %q", ae.Message, f)
		}
	}
}

func TestCSVErrors(t *testing.T) {
	wideHeader := strings.Repeat("c,", 1_000_000) + "c\n1\n"
	tests := []struct {
		name string
		in   string
		opts Options
		want []string // fragments of the message
		line int      // ParseError position, 0 to skip
		col  int
	}{
		{"empty file", "", Options{}, []string{"the file is empty"}, 0, 0},
		{"only blank lines", "\n\r\n\n", Options{Delimiter: ';'}, []string{"the file is empty"}, 0, 0},
		{"undetectable delimiter", "abc\n1\n", Options{}, []string{"line 1", "could not detect the delimiter", "give the delimiter"}, 1, 0},
		{"bad delimiter option", "a;b\n", Options{Delimiter: '"'}, []string{"cannot be used"}, 0, 0},
		{"too few values", "a;b;c\n1;2;3\n4;5\n", Options{}, []string{`line 3, column 3 ("c")`, "found 2 values but the header has 3 columns", "missing or extra ';'"}, 3, 3},
		{"too many values", "a;b\n1;2\n3;4;5\n", Options{}, []string{"line 3, column 3", "found 3 values"}, 3, 3},
		{"ragged after quoted newline", "a;b\n\"x\ny\";1\n2\n", Options{}, []string{"line 4, column 2"}, 4, 2},
		{"ragged quoted row", "a;b\n\"x\";1;2\n", Options{}, []string{"line 2, column 3"}, 2, 3},
		{"empty header name", "a;;c\n1;2;3\n", Options{}, []string{"line 1, column 2", "empty column name", "give every column a name"}, 1, 2},
		{"duplicate header", "id;age;id\n1;2;3\n", Options{}, []string{`line 1, column 3 ("id")`, "used by column 1"}, 1, 3},
		{"duplicate after trim", "a; a\n1;2\n", Options{}, []string{"line 1, column 2"}, 1, 2},
		{"million columns", wideHeader, Options{}, []string{"line 1, column 4097", "more than 4096 columns"}, 1, 4097},
		{"million columns explicit", wideHeader, Options{Delimiter: ','}, []string{"line 1, column 4097", "more than 4096 columns"}, 1, 4097},
		{"columns over a custom cap", "a;b;c\n", Options{MaxColumns: 2}, []string{"line 1, column 3", "more than 2 columns"}, 1, 3},
		{"quoted header over cap", "\"a\";b;c\n", Options{MaxColumns: 2}, []string{"line 1, column 3"}, 1, 3},
		{"line too long", "a;b\n1;" + strings.Repeat("x", 2<<20) + "\n", Options{}, []string{"line 2", "longer than 1048576 bytes"}, 2, 0},
		{"quoted value too long", "a;b\n\"" + strings.Repeat("x\n", 600<<10) + "\";1\n", Options{}, []string{"longer than 1048576 bytes"}, 0, 0},
		{"unclosed quote", "a;b\n1;\"open\n2;3\n", Options{}, []string{`line 2, column 2 ("b")`, "never closed"}, 2, 2},
		{"unclosed quote no newline", "a;b\n1;\"open", Options{}, []string{"line 2, column 2", "never closed"}, 2, 2},
		{"text after closing quote", "a;b\n\"x\"y;2\n", Options{}, []string{`line 2, column 1 ("a")`, "after the closing quote", `doubled ("")`}, 2, 1},
		{"text after closing quote on later line", "a;b\n1;\"x\n\"z\n", Options{}, []string{"line 3, column 2"}, 3, 2},
		{"invalid utf-8", "a;b\n1;2\nok;Ren\xe9e\n", Options{}, []string{`line 3, column 2 ("b")`, "not valid UTF-8", "latin-1"}, 3, 2},
		{"invalid utf-8 long line", "a;b\n" + strings.Repeat("x", 20) + ";\xff" + strings.Repeat("y", 20) + "\n", Options{}, []string{"line 2, column 2"}, 2, 2},
		{"invalid utf-8 quoted", "a;b\n\"\xff\";2\n", Options{}, []string{"line 2, column 1", "not valid UTF-8"}, 2, 1},
		{"invalid utf-8 header", "a;\xff\n1;2\n", Options{}, []string{"line 1, column 2", "not valid UTF-8"}, 1, 2},
		{"utf-16", "\xff\xfea\x00;\x00b\x00", Options{}, []string{"UTF-16", "save it as UTF-8"}, 1, 0},
		{"unknown encoding", "a;b\n", Options{Encoding: "ebcdic"}, []string{"unsupported encoding"}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readCSV(tt.in, tt.opts)
			wantInvalid(t, err, tt.want...)
			if tt.line == 0 {
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("no ParseError in %v", err)
			}
			if pe.Line != tt.line || pe.Column != tt.col {
				t.Errorf("position line %d column %d, want %d %d", pe.Line, pe.Column, tt.line, tt.col)
			}
		})
	}
}

func TestCSVErrorIsSticky(t *testing.T) {
	r, err := NewCSVReader(strings.NewReader("a;b\n1\n2;3\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err1 := r.Next()
	_, err2 := r.Next()
	if err1 == nil || err1 != err2 {
		t.Fatalf("errors %v then %v, want the same error twice", err1, err2)
	}
}

func TestCSVLineNumbers(t *testing.T) {
	r, err := NewCSVReader(strings.NewReader("\na;b\n1;2\n\"x\ny\";3\n\n4;5\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Line() != 2 {
		t.Errorf("header line %d, want 2", r.Line())
	}
	for _, want := range []int{3, 4, 7} {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
		if r.Line() != want {
			t.Errorf("line %d, want %d", r.Line(), want)
		}
	}
	if r.Delimiter() != ';' {
		t.Errorf("delimiter %q", r.Delimiter())
	}
}

func TestParseDelimiter(t *testing.T) {
	for in, want := range map[string]rune{"": 0, "auto": 0, ";": ';', ",": ',', "tab": '\t', `\t`: '\t', "|": '|'} {
		got, err := ParseDelimiter(in)
		if err != nil || got != want {
			t.Errorf("ParseDelimiter(%q) = %q, %v", in, got, err)
		}
	}
	_, err := ParseDelimiter("::")
	wantInvalid(t, err, "unsupported delimiter")
}
