package consent

import (
	"strings"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
)

var defaults = Defaults{OrganisationID: "riverside", DatasetID: "survey", Agreement: "housing@2", RecordedBy: "m", RecordedAt: t0}

func TestReadCSV(t *testing.T) {
	in := "\ufeffsubject,purpose,state,time,method,agreement\n" +
		"s1,advocacy.report,given,2026-03-01T10:00:00Z,paper,housing@1\n" +
		"\n" +
		"s2,research.academic,no,2026-03-02,,\n"
	evs, err := ReadCSV(strings.NewReader(in), defaults)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 {
		t.Fatalf("events = %d", len(evs))
	}
	a, b := evs[0], evs[1]
	if a.SubjectKey != "s1" || a.State != accord.ConsentGiven || a.Method != accord.MethodPaper || a.Agreement != "housing@1" ||
		!a.Time.Equal(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)) || a.DatasetID != "survey" || a.OrganisationID != "riverside" {
		t.Fatalf("first = %+v", a)
	}
	if b.State != accord.ConsentWithdrawn || b.Method != accord.MethodImport || b.Agreement != "housing@2" {
		t.Fatalf("second = %+v", b)
	}
	for _, e := range evs {
		if err := e.Validate(); err != nil {
			t.Fatalf("imported event does not validate: %v", err)
		}
	}
}

func TestReadCSVErrorsNameLineAndColumn(t *testing.T) {
	const h = "subject,purpose,state,time,method,agreement\n"
	for _, tc := range []struct{ in, want string }{
		{"", "empty"},
		{"subject,purpose\n", "line 1: the header must be"},
		{h, "no consent changes"},
		{h + "s1,advocacy.report,maybe,2026-03-01,paper,ag@1\n", "line 2, column state: unknown consent state \"maybe\""},
		{h + "s1,advocacy.report,given,2026-03-01,paper,ag@1\ns2,Advocacy Report,given,2026-03-01,paper,ag@1\n", "line 3, column purpose"},
		{h + "s1,advocacy.report,given,yesterday,paper,ag@1\n", "line 2, column time"},
		{h + "s1,advocacy.report,given,,paper,ag@1\n", "line 2, column time: the time is empty"},
		{h + "s1,advocacy.report,given,2026-03-01,email,ag@1\n", "line 2, column method: unknown collection method \"email\""},
		{h + "s1,advocacy.report,given,2026-03-01,paper,v1\n", "line 2, column agreement"},
		{h + ",advocacy.report,given,2026-03-01,paper,ag@1\n", "line 2, column subject"},
		{h + "s1,advocacy.report,given\n", "line 2: expected 6 values"},
		{h + "s1,\"advocacy.report,given,2026-03-01,paper,ag@1\n", "line 2: not valid CSV"},
	} {
		_, err := ReadCSV(strings.NewReader(tc.in), Defaults{})
		if err == nil || !strings.Contains(accord.ErrorMessage(err), tc.want) || accord.ErrorCode(err) != accord.EINVALID {
			t.Errorf("%q: error %v, want it to contain %q", tc.in, err, tc.want)
		}
	}
}

func TestFromColumn(t *testing.T) {
	rows := [][]string{{"id", "age", "consent_research"}, {"p1", "40", "yes"}, {"p2", "31", "non"}, {"p3", "22", "oui"}}
	d := defaults
	d.Time = t0
	evs, err := FromColumn(rows, 0, 2, "research.academic", d)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 || evs[1].State != accord.ConsentWithdrawn || evs[2].SubjectKey != "p3" || evs[0].Method != accord.MethodImport {
		t.Fatalf("events = %+v", evs)
	}
	rows[2][2] = "dunno"
	_, err = FromColumn(rows, 0, 2, "research.academic", d)
	if msg := accord.ErrorMessage(err); !strings.Contains(msg, "line 3, column consent_research") {
		t.Fatalf("error = %q", msg)
	}
	if _, err := FromColumn(rows, 0, 7, "research.academic", d); err == nil {
		t.Fatal("a column outside the table was accepted")
	}
	d.Time = time.Time{}
	if _, err := FromColumn(rows, 0, 2, "research.academic", d); err == nil {
		t.Fatal("a column import without a time was accepted")
	}
	subs := SubjectsOf(evs, "import", t0)
	if len(subs) != 3 || subs[0].Key != "p1" || subs[0].OrganisationID != "riverside" {
		t.Fatalf("subjects = %+v", subs)
	}
}

func TestSubjectColumn(t *testing.T) {
	got := SubjectColumn([]uint32{2, 0, 2, 0}, []string{"a", "unused", "c"})
	if strings.Join(got, ",") != "a,c" {
		t.Fatalf("subjects = %v", got)
	}
}

// FuzzReadCSV: any input either parses into events that validate, or fails
// with an EINVALID naming a line; it never panics.
func FuzzReadCSV(f *testing.F) {
	f.Add("subject,purpose,state,time,method,agreement\ns1,advocacy.report,given,2026-03-01,paper,ag@1\n")
	f.Add("subject,purpose,state,time,method,agreement\ns1,x.y,no,2026-03-01T10:00:00+02:00,,\n")
	f.Add("subject,purpose,state,time,method,agreement\n\"s\n1\",a,yes,2026-03-01,api,ag@1\n")
	f.Add("\ufeffSUBJECT,Purpose,state,time,method,agreement\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		evs, err := ReadCSV(strings.NewReader(in), defaults)
		if err != nil {
			if accord.ErrorCode(err) != accord.EINVALID {
				t.Fatalf("error code %s for %q: %v", accord.ErrorCode(err), in, err)
			}
			return
		}
		for _, e := range evs {
			if err := e.Validate(); err != nil {
				t.Fatalf("accepted event does not validate: %v (%+v)", err, e)
			}
		}
	})
}
