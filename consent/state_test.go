package consent

import (
	"testing"
	"time"

	"github.com/accord-coalition/accord"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func ev(purpose string, st accord.ConsentState, at time.Time) *accord.ConsentEvent {
	return &accord.ConsentEvent{DatasetID: "survey", SubjectKey: "s1", Purpose: purpose, State: st, Time: at,
		Method: accord.MethodPaper, Agreement: "housing@1"}
}

func TestTransition(t *testing.T) {
	for _, tc := range []struct {
		from, to accord.ConsentState
		ok       bool
	}{
		{accord.ConsentNotGiven, accord.ConsentGiven, true},
		{accord.ConsentNotGiven, accord.ConsentWithdrawn, true},
		{accord.ConsentNotGiven, accord.ConsentExpired, false},
		{accord.ConsentGiven, accord.ConsentWithdrawn, true},
		{accord.ConsentGiven, accord.ConsentExpired, true},
		{accord.ConsentGiven, accord.ConsentGiven, true},
		{accord.ConsentWithdrawn, accord.ConsentGiven, true},
		{accord.ConsentWithdrawn, accord.ConsentExpired, false},
		{accord.ConsentExpired, accord.ConsentGiven, true},
		{accord.ConsentExpired, accord.ConsentWithdrawn, true},
		{accord.ConsentGiven, "maybe", false},
	} {
		err := Transition(tc.from, tc.to)
		if (err == nil) != tc.ok {
			t.Errorf("%s → %s: err = %v, want ok=%v", tc.from, tc.to, err, tc.ok)
		}
		if err != nil && accord.ErrorCode(err) != accord.EINVALID {
			t.Errorf("%s → %s: code %s", tc.from, tc.to, accord.ErrorCode(err))
		}
	}
}

func TestCurrentAndCheck(t *testing.T) {
	g := ev("advocacy.report", accord.ConsentGiven, t0)
	g.ExpiresAt = t0.Add(24 * time.Hour)
	w := ev("research.academic", accord.ConsentWithdrawn, t0.Add(time.Hour))
	late := ev("research.academic", accord.ConsentGiven, t0) // older decision entered later
	cur := Current([]*accord.ConsentEvent{g, w, late}, t0.Add(2*time.Hour))
	if StateOf(cur, "advocacy.report") != accord.ConsentGiven || StateOf(cur, "research.academic") != accord.ConsentWithdrawn {
		t.Fatalf("current = %+v", cur)
	}
	if StateOf(cur, "other.use") != accord.ConsentNotGiven {
		t.Fatal("a purpose never decided should be not-given")
	}
	cur = Current([]*accord.ConsentEvent{g, w}, t0.Add(48*time.Hour))
	if StateOf(cur, "advocacy.report") != accord.ConsentExpired || !cur[0].Since.Equal(g.ExpiresAt) {
		t.Fatalf("after expiry: %+v", cur[0])
	}
	if err := Check(ev("research.academic", accord.ConsentExpired, t0.Add(3*time.Hour)), cur); err == nil {
		t.Fatal("withdrawn consent was allowed to expire")
	}
	if err := Check(ev("research.academic", accord.ConsentExpired, t0.Add(-time.Hour)), cur); err != nil {
		t.Fatalf("an older decision should join the history unchecked: %v", err)
	}
	if err := Check(ev("new.purpose", accord.ConsentExpired, t0), nil); err == nil {
		t.Fatal("consent never given was allowed to expire")
	}
	bad := ev("Not A Purpose", accord.ConsentGiven, t0)
	if err := Check(bad, nil); accord.ErrorCode(err) != accord.EINVALID {
		t.Fatalf("bad purpose: %v", err)
	}
}

func TestParseState(t *testing.T) {
	for in, want := range map[string]accord.ConsentState{"given": "given", " YES ": "given", "oui": "given", "no": "withdrawn",
		"Withdrawn": "withdrawn", "expired": "expired", "0": "withdrawn"} {
		got, err := ParseState(in)
		if err != nil || got != want {
			t.Errorf("ParseState(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseState("perhaps"); err == nil {
		t.Error("unknown state accepted")
	}
}
