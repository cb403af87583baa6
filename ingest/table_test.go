package ingest

import (
	"bytes"
	"context"
	"errors"
	"hash/maphash"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/accord-coalition/accord/anon"
)

// tableRows decodes a table back into records.
func tableRows(t *anon.Table) [][]string {
	out := [][]string{t.Names()}
	for i := 0; i < t.Rows; i++ {
		rec := make([]string, len(t.Columns))
		for j, c := range t.Columns {
			rec[j] = c.Value(i)
		}
		out = append(out, rec)
	}
	return out
}

// nextOnly hides the fast path so ReadTable's generic path is tested too.
type nextOnly struct{ Reader }

func TestReadTableMatchesNext(t *testing.T) {
	data := adultCSV(7, 5000)
	data = append(data, "Female;33;\"White\";\"a;b\";\"multi\nline\";X;Y;Z;>50K\n"...)
	want, err := readCSV(string(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, generic := range []bool{false, true} {
		r, err := NewCSVReader(bytes.NewReader(data), Options{Size: int64(len(data))})
		if err != nil {
			t.Fatal(err)
		}
		var rd Reader = r
		if generic {
			rd = nextOnly{r}
		}
		tb, err := ReadTable(context.Background(), rd)
		if err != nil {
			t.Fatal(err)
		}
		if got := tableRows(tb); !reflect.DeepEqual(got, want) {
			t.Fatalf("generic=%v: table differs from Next records", generic)
		}
		if len(tb.Columns[0].Dict) != 2 {
			t.Errorf("sex dictionary has %d values, want 2", len(tb.Columns[0].Dict))
		}
	}
}

func TestReadTableErrorAndCancel(t *testing.T) {
	r, _ := NewCSVReader(strings.NewReader("a;b\n1;2\n3\n"), Options{})
	_, err := ReadTable(context.Background(), r)
	wantInvalid(t, err, "line 3")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, _ = NewCSVReader(strings.NewReader("a;b\n1;2\n"), Options{})
	if _, err := ReadTable(ctx, r); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestEstimatedRowsReservesOnce(t *testing.T) {
	data := adultCSV(3, 50_000)
	r, _ := NewCSVReader(bytes.NewReader(data), Options{Size: int64(len(data))})
	tb, err := ReadTable(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	c := tb.Columns[0]
	if cap(c.Codes) < tb.Rows || cap(c.Codes) > tb.Rows*11/10 {
		t.Errorf("codes capacity %d for %d rows: the estimate is off", cap(c.Codes), tb.Rows)
	}
}

func TestDictIndex(t *testing.T) {
	col := &anon.Column{}
	d := newDictIndex(maphash.MakeSeed(), col)
	// Many values of every length, so the table grows and short and long
	// values both go through their hash paths.
	var keys []string
	for i := 0; i < 5000; i++ {
		keys = append(keys, strings.Repeat("k", i%40)+strconv.Itoa(i))
	}
	keys = append(keys, "")
	for round := 0; round < 2; round++ {
		for i, k := range keys {
			if got := d.code([]byte(k)); got != uint32(i) {
				t.Fatalf("round %d: code(%q) = %d, want %d", round, k, got, i)
			}
		}
	}
	if len(col.Dict) != len(keys) {
		t.Errorf("dictionary has %d values, want %d", len(col.Dict), len(keys))
	}
}

func TestOpenFileFormats(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{
		"a.csv":   []byte("x;y\n1;2\n"),
		"a.jsonl": []byte(`{"x":1,"y":2}` + "\n"),
		"a.xlsx":  makeXLSX(t, []string{"s"}, map[string][][]any{"s": {{"x", "y"}, {1, 2}}}),
	}
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		var calls int
		var last, total int64
		tb, err := ReadFile(context.Background(), path, Options{Progress: func(read, tot int64) {
			calls++
			last, total = read, tot
		}})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := tableRows(tb); !reflect.DeepEqual(got, [][]string{{"x", "y"}, {"1", "2"}}) {
			t.Errorf("%s: %q", name, got)
		}
		if calls == 0 || last != int64(len(data)) || total != int64(len(data)) {
			t.Errorf("%s: progress %d calls, last %d of %d, want %d", name, calls, last, total, len(data))
		}
	}
	_, err := OpenFile(filepath.Join(dir, "a.xls"), Options{})
	wantInvalid(t, err, "old Excel")
	_, err = OpenFile(filepath.Join(dir, "a.pdf"), Options{})
	wantInvalid(t, err, "cannot tell the format")
	_, err = OpenFile(filepath.Join(dir, "missing.csv"), Options{})
	wantInvalid(t, err, "does not exist")
	_, err = NewReader(strings.NewReader(""), Options{Format: "parquet"})
	wantInvalid(t, err, "unknown format")
}

func TestProgressBarOnlyOnTerminal(t *testing.T) {
	var out bytes.Buffer
	progress, done := newBarProgress(&out, false, "reading")
	progress(10, 100)
	done()
	if out.Len() != 0 {
		t.Errorf("wrote %q when not a terminal", out.String())
	}
	progress, done = newBarProgress(&out, true, "reading")
	progress(50, 100)
	progress(100, 100)
	done()
	if !strings.Contains(out.String(), "reading") {
		t.Errorf("no bar drawn: %q", out.String())
	}
}
