package ingest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func readJSONL(in string, opts Options) ([][]string, error) {
	r, err := NewJSONLReader(strings.NewReader(in), opts)
	if err != nil {
		return nil, err
	}
	return readAll(r)
}

func TestJSONLValid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want [][]string
	}{
		{"basic", `{"a":"x","b":1}` + "\n" + `{"a":"y","b":2}`, [][]string{{"a", "b"}, {"x", "1"}, {"y", "2"}}},
		{"union of keys in first-seen order", `{"a":1}` + "\n" + `{"b":2,"a":3}` + "\n" + `{"c":4}` + "\n",
			[][]string{{"a", "b", "c"}, {"1", "", ""}, {"3", "2", ""}, {"", "", "4"}}},
		{"canonical numbers", `{"n":1.50}` + "\n" + `{"n":1e3}` + "\n" + `{"n":-0.0}` + "\n" + `{"n":12345678901234567890123}` + "\n" + `{"n":1e-7}` + "\n" + `{"n":2.5E+30}`,
			[][]string{{"n"}, {"1.5"}, {"1000"}, {"0"}, {"12345678901234567890123"}, {"1e-07"}, {"2.5e+30"}}},
		{"null true false", `{"a":null,"b":true,"c":false}`, [][]string{{"a", "b", "c"}, {"", "true", "false"}}},
		{"nested as compact json", `{"geo": [51.5, -0.12], "o": {"k" : "v"}}`, [][]string{{"geo", "o"}, {"[51.5,-0.12]", `{"k":"v"}`}}},
		{"escapes", `{"s":"a\"b\\c\u00e9\n"}`, [][]string{{"s"}, {"a\"b\\cé\n"}}},
		{"blank lines and crlf", "\r\n" + `{"a":1}` + "\r\n\r\n" + `{"a":2}` + "\r\n", [][]string{{"a"}, {"1"}, {"2"}}},
		{"bom", "\ufeff" + `{"a":1}`, [][]string{{"a"}, {"1"}}},
		{"latin-1", "{\"a\":\"Ren\xe9e\"}", [][]string{{"a"}, {"Renée"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{}
			if tt.name == "latin-1" {
				opts.Encoding = "latin-1"
			}
			got, err := readJSONL(tt.in, opts)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestJSONLErrors(t *testing.T) {
	var late strings.Builder
	for i := 0; i < headerScanLines; i++ {
		late.WriteString(`{"a":1}` + "\n")
	}
	late.WriteString(`{"a":1,"b":2}` + "\n")
	var wide strings.Builder
	wide.WriteString("{")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&wide, `"k%d":1,`, i)
	}
	wide.WriteString(`"end":1}`)

	tests := []struct {
		name      string
		in        string
		want      []string
		line, col int
	}{
		{"empty", "", []string{"the file is empty"}, 0, 0},
		{"blank only", "\n\n", []string{"the file is empty"}, 0, 0},
		{"empty objects", "{}\n{}\n", []string{"no keys"}, 0, 0},
		{"not an object", `[1,2]`, []string{"line 1", "not a JSON object"}, 1, 1},
		{"scalar", `42`, []string{"line 1", "not a JSON object"}, 1, 1},
		{"syntax error", `{"a":1}` + "\n" + `{"a":1,}`, []string{"line 2, column 8", "invalid JSON"}, 2, 8},
		{"bad value", `{"a":1}` + "\n" + `{"a":tru}`, []string{"line 2, column", "invalid JSON"}, 2, 0},
		{"cut off", `{"a":1}` + "\n" + `{"a":`, []string{"line 2", "cut off"}, 2, 0},
		{"trailing text", `{"a":1} x`, []string{"line 1, column 9", "unexpected text after"}, 1, 9},
		{"two objects on a line", `{"a":1}{"a":2}`, []string{"line 1, column 8"}, 1, 8},
		{"late new key", late.String(), []string{fmt.Sprintf("line %d", headerScanLines+1), `key "b" does not appear`, "use the same keys"}, headerScanLines + 1, 0},
		{"duplicate key", `{"a":1,"a":2}`, []string{`line 1, column`, `key "a" appears twice`}, 1, 0},
		{"empty key", `{"":1}`, []string{"line 1", "an empty key"}, 1, 0},
		{"invalid utf-8 value", "{\"a\":\"ok\"}\n{\"a\":\"Ren\xe9e\"}", []string{`line 2`, `("a")`, "not valid UTF-8"}, 2, 0},
		{"invalid utf-8 key", "{\"\xff\":1}", []string{"line 1", "not valid UTF-8"}, 1, 0},
		{"too many keys", wide.String(), []string{"line 1", "more than 4096 different keys"}, 1, 4097},
		{"line too long", `{"a":"` + strings.Repeat("x", 2<<20) + `"}`, []string{"line 1", "longer than"}, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readJSONL(tt.in, Options{})
			wantInvalid(t, err, tt.want...)
			if tt.line == 0 {
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("no ParseError in %v", err)
			}
			if pe.Line != tt.line || tt.col != 0 && pe.Column != tt.col {
				t.Errorf("position line %d column %d, want %d %d", pe.Line, pe.Column, tt.line, tt.col)
			}
		})
	}
}

func TestJSONLLineNumbers(t *testing.T) {
	r, err := NewJSONLReader(strings.NewReader("\n{\"a\":1}\n\n{\"a\":2}\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []int{2, 4} {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
		if r.Line() != want {
			t.Errorf("line %d, want %d", r.Line(), want)
		}
	}
}
