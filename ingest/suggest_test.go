package ingest

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestDetectors(t *testing.T) {
	tests := []struct {
		fn   func(string) bool
		name string
		yes  []string
		no   []string
	}{
		{isEmail, "email", []string{"a@b.org", "amina.yusuf+x@mail.example.co.ke", " x@y.fr "},
			[]string{"a@b", "@b.org", "a b@c.org", "a@b.c", "a@@b.org", "a@b..org", "plain", ""}},
		{isPhone, "phone", []string{"+44 20 7946 0958", "+254712345678", "0044 20 7946 0958", "020 7946 0958", "0712345678", "(555) 123-4567", "555-1234", "+1 (555) 123-4567"},
			[]string{"12345678", "2024-03-01", "12.345678", "01/02/2020", "+123", "call me", "1234567890123456", ""}},
		{isUKNINO, "nino", []string{"AB123456C", "ab 12 34 56 c", "JG103759A"},
			[]string{"BG123456C", "DA123456C", "AB123456E", "AB12345C", "A1234567C", ""}},
		{isUSSSN, "ssn", []string{"123-45-6789", "078-05-1120"},
			[]string{"000-12-3456", "666-12-3456", "900-12-3456", "123-00-6789", "123-45-0000", "123456789", "12a-45-6789"}},
		{digitID, "digit id", []string{"12345678", "12345678901234"}, []string{"1234567", "123456789012345", "1234a678", ""}},
		{luhn, "luhn", []string{"79927398713", "4539578763621486", "046454286"}, []string{"79927398710", "1234567812345678", "7", "12a4"}},
		{func(s string) bool { _, _, _, ok := latLon(s); return ok }, "lat lon",
			[]string{"51.5072,-0.1276", "-1.2921 36.8219 1700 5", "51.50 -0.12"},
			[]string{"91.0,0.0", "51.5,181.0", "51,0", "1 2 3", "a,b", ""}},
		{func(s string) bool { _, k := nameTokens(s); return k }, "known name",
			[]string{"Amina Yusuf", "John Smith", "Kwame", "Jean-Pierre Dupont"},
			[]string{"amina yusuf", "Married-civ-spouse", "United-States", "The Big Red Fox Jumps", "Zxq Wvt"}},
		{mentionsName, "mentions", []string{"I met Amina Yusuf at the camp", "Yesterday John came to the office"},
			[]string{"John came in the morning", "no names here at all", "THE OFFICE OF JOHN"}},
		{isUUID, "uuid", []string{"5f0c6b1e-8a3e-4f7a-9a63-1b2c3d4e5f60", "uuid:5F0C6B1E-8A3E-4F7A-9A63-1B2C3D4E5F60"},
			[]string{"5f0c6b1e-8a3e-4f7a-9a63-1b2c3d4e5f6", "5f0c6b1e_8a3e-4f7a-9a63-1b2c3d4e5f60", "zf0c6b1e-8a3e-4f7a-9a63-1b2c3d4e5f60"}},
		{isBoolean, "boolean", []string{"true", "No", " y ", "0"}, []string{"2", "maybe", ""}},
		{isDecimal, "decimal", []string{"1.5", "-0.25", "3,75", "1e5", "2.5E-3", ".5"}, []string{"1", "1.2.3", "a.b", "1e", ""}},
	}
	for _, tt := range tests {
		for _, s := range tt.yes {
			if !tt.fn(s) {
				t.Errorf("%s(%q) = false, want true", tt.name, s)
			}
		}
		for _, s := range tt.no {
			if tt.fn(s) {
				t.Errorf("%s(%q) = true, want false", tt.name, s)
			}
		}
	}
}

func TestNameWords(t *testing.T) {
	for in, want := range map[string]string{
		"household/head_name": "head name",
		"firstName":           "first name",
		"Date of Birth":       "date of birth",
		"_submission_time":    "submission time",
		"meta:instanceID":     "instance id",
	} {
		w, _ := nameWords(in)
		if got := strings.Join(w, " "); got != want {
			t.Errorf("nameWords(%q) = %q, want %q", in, got, want)
		}
	}
}

// column builds n values with gen and returns one suggestion for them.
func column(name string, n int, gen func(r *rand.Rand, i int) string) ColumnSuggestion {
	r := rand.New(rand.NewPCG(42, uint64(len(name))))
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{gen(r, i)}
	}
	return Suggest([]string{name}, rows)[0]
}

func TestSuggestColumns(t *testing.T) {
	defer func(f func() time.Time) { now = f }(now)
	now = func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	first := []string{"Amina", "John", "Kwame", "Maria", "Wei", "Fatima", "Carlos", "Priya"}
	last := []string{"Yusuf", "Smith", "Mensah", "Garcia", "Chen", "Okafor", "Silva", "Patel"}
	luhnID := func(r *rand.Rand) string {
		d := fmt.Sprintf("%010d", r.Int64N(1e10))
		for c := '0'; c <= '9'; c++ {
			if luhn(d + string(c)) {
				return d + string(c)
			}
		}
		return d
	}
	tests := []struct {
		col       ColumnSuggestion
		typ       ColumnType
		class     string
		reasonHas string
	}{
		{column("contact", 200, func(r *rand.Rand, i int) string { return fmt.Sprintf("user%d@example.org", i) }),
			TypeText, ClassIdentifier, "e-mail addresses"},
		{column("contact_number", 200, func(r *rand.Rand, i int) string { return fmt.Sprintf("+254 7%02d %03d %03d", i%100, r.IntN(1000), i) }),
			TypeText, ClassIdentifier, "phone numbers"},
		{column("mob", 200, func(r *rand.Rand, i int) string { return fmt.Sprintf("07%08d", r.IntN(1e8)) }),
			TypeText, ClassIdentifier, "phone numbers"},
		{column("ni", 100, func(r *rand.Rand, i int) string { return fmt.Sprintf("JG%06d%c", r.IntN(1e6), 'A'+rune(i%4)) }),
			TypeText, ClassIdentifier, "National Insurance"},
		{column("ssn", 100, func(r *rand.Rand, i int) string {
			return fmt.Sprintf("%03d-%02d-%04d", 100+r.IntN(500), 1+r.IntN(98), 1+r.IntN(9998))
		}),
			TypeText, ClassIdentifier, "Social Security"},
		{column("ref", 300, func(r *rand.Rand, i int) string { return luhnID(r) }),
			TypeText, ClassIdentifier, "check digit (Luhn)"}, // leading zeros make them text
		{column("account", 300, func(r *rand.Rand, i int) string { return fmt.Sprintf("%d", 100000000+r.IntN(899999999)) }),
			TypeInteger, ClassIdentifier, "9-digit numbers"},
		{column("home", 100, func(r *rand.Rand, i int) string {
			return fmt.Sprintf("%.6f %.6f 1700 5", -1-r.Float64(), 36+r.Float64())
		}),
			TypeText, ClassIdentifier, "within about 10 m"},
		{column("area", 100, func(r *rand.Rand, i int) string { return fmt.Sprintf("%.2f,%.2f", -1-r.Float64(), 36+r.Float64()) }),
			TypeText, ClassQuasi, "coarse location"},
		{column("latitude", 100, func(r *rand.Rand, i int) string { return fmt.Sprintf("%.5f", 51+r.Float64()) }),
			TypeDecimal, ClassIdentifier, "latitudes"},
		{column("respondent", 100, func(r *rand.Rand, i int) string { return first[r.IntN(8)] + " " + last[r.IntN(8)] }),
			TypeCategorical, ClassIdentifier, "common first name"},
		{column("story", 100, func(r *rand.Rand, i int) string {
			return fmt.Sprintf("On day %d we visited the %s site and spoke to %s %s about the water supply", i, []string{"north", "east"}[i%2], first[r.IntN(8)], last[r.IntN(8)])
		}), TypeText, ClassIdentifier, "mention what look like people's names"},
		{column("notes", 100, func(r *rand.Rand, i int) string {
			return fmt.Sprintf("visit %d went well and the pump at site %d was repaired", i, r.IntN(1000))
		}), TypeText, ClassSensitive, "free text"},
		{column("when_born", 300, func(r *rand.Rand, i int) string {
			return time.Date(1940+r.IntN(65), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC).Format("02/01/2006")
		}), TypeDate, ClassQuasi, "as dates of birth do"},
		{column("visit", 100, func(r *rand.Rand, i int) string {
			return time.Date(2024, time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		}), TypeDate, ClassQuasi, "dates of events"},
		{column("_uuid", 100, func(r *rand.Rand, i int) string { return fmt.Sprintf("5f0c6b1e-8a3e-4f7a-9a63-%012x", r.Int64N(1<<48)) }),
			TypeText, ClassSubject, "candidate subject key"},
		{column("survey_round", 100, func(r *rand.Rand, i int) string { return "2024-Q1" }),
			TypeCategorical, ClassInsensitive, "same value"},
		{column("unused", 100, func(r *rand.Rand, i int) string { return []string{"", "NA"}[i%2] }),
			TypeText, ClassInsensitive, "no values"},
		{column("weight_kg", 100, func(r *rand.Rand, i int) string { return fmt.Sprintf("%.1f", 40+r.Float64()*60) }),
			TypeDecimal, ClassInsensitive, "measurements"},
		{column("religion", 100, func(r *rand.Rand, i int) string { return []string{"A", "B", "C"}[r.IntN(3)] }),
			TypeCategorical, ClassSensitive, "special-category"},
		{column("hh/household_size", 100, func(r *rand.Rand, i int) string { return fmt.Sprint(1 + r.IntN(9)) }),
			TypeInteger, ClassQuasi, "demographic"},
		{column("code", 100, func(r *rand.Rand, i int) string { return fmt.Sprintf("%03d", r.IntN(20)) }),
			TypeCategorical, ClassQuasi, "leading zeros"},
		{column("postcode", 100, func(r *rand.Rand, i int) string { return fmt.Sprintf("SW%d", 1+r.IntN(20)) }),
			TypeCategorical, ClassQuasi, "postcode"},
	}
	for _, tt := range tests {
		c := tt.col
		t.Run(c.Name, func(t *testing.T) {
			if c.Type != tt.typ || c.Class != tt.class {
				t.Errorf("type %s class %s, want %s %s; reasons %q", c.Type, c.Class, tt.typ, tt.class, c.Reasons)
			}
			if !strings.Contains(strings.Join(c.Reasons, " | "), tt.reasonHas) {
				t.Errorf("reasons %q lack %q", c.Reasons, tt.reasonHas)
			}
			if c.Confidence <= 0 || c.Confidence > 1 {
				t.Errorf("confidence %v", c.Confidence)
			}
		})
	}
}

func TestSuggestDateFormats(t *testing.T) {
	rows := [][]string{{"03/04/2020"}, {"11/12/2019"}, {"01/02/2021"}}
	if c := Suggest([]string{"d"}, rows)[0]; c.Type != TypeDate || c.DateFormat != "dd/mm/yyyy" {
		t.Errorf("ambiguous dates: %s %q, want day first", c.Type, c.DateFormat)
	}
	rows = append(rows, []string{"12/25/2020"}, []string{"12/31/2020"})
	rows = [][]string{{"12/25/2020"}, {"01/31/2020"}, {"03/04/2020"}}
	if c := Suggest([]string{"d"}, rows)[0]; c.Type != TypeDate || c.DateFormat != "mm/dd/yyyy" {
		t.Errorf("month-first dates: %s %q", c.Type, c.DateFormat)
	}
	for in, want := range map[string]string{
		"2024-03-01T08:31:02":           "yyyy-mm-ddThh:mm:ss",
		"2024-03-01T09:12:00.000+01:00": "yyyy-mm-ddThh:mm:ss±hh:mm",
		"1 Mar 2024":                    "d Mon yyyy",
		"March 1, 2024":                 "Month d, yyyy",
		"01.03.2024":                    "dd.mm.yyyy",
	} {
		if c := Suggest([]string{"d"}, [][]string{{in}})[0]; c.DateFormat != want {
			t.Errorf("%q: format %q, want %q", in, c.DateFormat, want)
		}
	}
}

func TestSuggestAdultAndODK(t *testing.T) {
	r, err := NewCSVReader(bytes.NewReader(adultCSV(5, 3000)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tb, err := ReadTable(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"sex": ClassQuasi, "age": ClassQuasi, "race": ClassSensitive, "marital-status": ClassQuasi,
		"education": ClassQuasi, "native-country": ClassQuasi, "workclass": ClassQuasi, "occupation": ClassQuasi, "salary-class": ClassSensitive}
	for _, c := range SuggestTable(tb) {
		if c.Class != want[c.Name] {
			t.Errorf("%s: %s, want %s (%q)", c.Name, c.Class, want[c.Name], c.Reasons)
		}
		if c.Name == "age" && c.Type != TypeInteger {
			t.Errorf("age type %s", c.Type)
		}
	}

	// An ODK export: metadata and group paths.
	rows := [][]any{odkHeader}
	for i := 0; i < 60; i++ {
		rows = append(rows, []any{"2024-03-01T09:12:00.000+01:00", "2024-03-01T09:30:00.000+01:00", "2024-03-01",
			fmt.Sprintf("collect:%08x", i*7919), []string{"Amina Yusuf", "John Smith", "Kofi Mensah", "Maria Silva"}[i%4] + fmt.Sprint(" ", []string{"A", "B"}[i%2]),
			1 + i%7, fmt.Sprintf("+254 712 %03d %03d", i, i*3%1000), fmt.Sprintf("-1.%06d 36.%06d 1700 5", i*15485863%1000000, i*32452843%1000000),
			1000 + i, fmt.Sprintf("5f0c6b1e-8a3e-4f7a-9a63-%012x", i*104729), fmt.Sprintf("2024-03-01T08:%02d:02", i), "submitted_via_web"})
	}
	xr, err := NewXLSXReader(bytes.NewReader(makeXLSX(t, []string{"survey"}, map[string][][]any{"survey": rows})), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer xr.Close()
	sugs, err := SuggestReader(context.Background(), xr)
	if err != nil {
		t.Fatal(err)
	}
	want = map[string]string{"deviceid": ClassIdentifier, "household/head_name": ClassIdentifier, "household/size": ClassQuasi,
		"household/phone": ClassIdentifier, "gps": ClassIdentifier, "_id": ClassSubject, "_uuid": ClassSubject,
		"_submission_time": ClassQuasi, "_status": ClassInsensitive}
	for _, c := range sugs {
		if w, ok := want[c.Name]; ok && c.Class != w {
			t.Errorf("%s: %s, want %s (%q)", c.Name, c.Class, w, c.Reasons)
		}
	}
}

func TestProfilerBoundedMemory(t *testing.T) {
	const n = 100_000
	p := NewProfiler([]string{"id", "group"})
	for i := 0; i < n; i++ {
		p.Add([]string{fmt.Sprintf("x%07d", i), fmt.Sprint(i % 10)})
	}
	if len(p.cols[0].counts) > profileValues {
		t.Errorf("kept %d distinct values, cap is %d", len(p.cols[0].counts), profileValues)
	}
	s := p.Suggestions()
	if !s[0].Estimated || s[0].Distinct < n*95/100 || s[0].Distinct > n*105/100 {
		t.Errorf("distinct estimate %d (estimated=%v), want about %d", s[0].Distinct, s[0].Estimated, n)
	}
	if s[0].Class != ClassSubject {
		t.Errorf("unique id column: %s %q", s[0].Class, s[0].Reasons)
	}
	if s[1].Estimated || s[1].Distinct != 10 {
		t.Errorf("group: distinct %d estimated %v", s[1].Distinct, s[1].Estimated)
	}
}

func TestSuggestShortRecords(t *testing.T) {
	s := Suggest([]string{"a", "b"}, [][]string{{"1"}, {"2", "x", "extra"}})
	if s[1].Missing != 1 || s[0].Rows != 2 {
		t.Errorf("short records: %+v", s)
	}
}
