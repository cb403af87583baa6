package agreement

import (
	"testing"
	"time"

	"github.com/accord-coalition/accord"
)

func sig(t *testing.T, a *Agreement, org string) *Signature {
	t.Helper()
	s, err := Sign(a, org, testKey(org))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLifecycleHappyPath(t *testing.T) {
	a := mustParse(t, "example.yaml")
	l, err := NewLifecycle(a)
	if err != nil {
		t.Fatal(err)
	}
	dec := date(2024, 12, 1)
	steps := []struct {
		e    Event
		want State // state right after the step
	}{
		{Event{Kind: EventPropose, At: dec, Organisation: "housing-coalition"}, StateProposed},
		{Event{Kind: EventSign, At: dec.Add(time.Hour), Signature: sig(t, a, "riverside-tenants")}, StateProposed},
		{Event{Kind: EventSign, At: dec.Add(2 * time.Hour), Signature: sig(t, a, "city-research")}, StateProposed},
		{Event{Kind: EventSign, At: dec.Add(3 * time.Hour), Signature: sig(t, a, "housing-coalition")}, StateSigned},
		{Event{Kind: EventSuspend, At: date(2025, 3, 1), Organisation: "riverside-tenants", Reason: "suspected breach"}, StateSuspended},
		{Event{Kind: EventSuspend, At: date(2025, 3, 2), Organisation: "city-research"}, StateSuspended},
		{Event{Kind: EventResume, At: date(2025, 3, 3), Organisation: "riverside-tenants"}, StateSuspended},
		{Event{Kind: EventResume, At: date(2025, 3, 4), Organisation: "city-research"}, StateActive},
	}
	if got := l.State(dec.Add(-time.Hour)); got != StateDraft {
		t.Fatalf("initial state %s", got)
	}
	for i, s := range steps {
		if err := l.Apply(s.e); err != nil {
			t.Fatalf("step %d (%s): %v", i, s.e.Kind, err)
		}
		if got := l.State(s.e.At); got != s.want {
			t.Fatalf("after step %d (%s): %s, want %s", i, s.e.Kind, got, s.want)
		}
	}
	// Time alone moves the agreement: active at the start of validity,
	// expired the instant `until` is reached.
	if got := l.State(date(2025, 1, 1)); got != StateActive {
		t.Fatalf("at from: %s", got)
	}
	if got := l.State(a.Validity.Until.Add(-time.Nanosecond)); got != StateActive {
		t.Fatalf("just before until: %s", got)
	}
	if got := l.State(a.Validity.Until); got != StateExpired {
		t.Fatalf("at until: %s", got)
	}
	// History stays answerable.
	if got := l.State(date(2025, 3, 2)); got != StateSuspended {
		t.Fatalf("history: %s", got)
	}
	if got := l.Unsigned(dec.Add(90 * time.Minute)); len(got) != 2 || got[0] != "city-research" {
		t.Fatalf("unsigned: %v", got)
	}
}

func TestLifecycleRefusals(t *testing.T) {
	a := mustParse(t, "example.yaml")
	v1 := mustParse(t, "example-v1.yaml")
	at := date(2024, 12, 1)
	fresh := func() *Lifecycle {
		l, err := NewLifecycle(a)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	proposed := func() *Lifecycle {
		l := fresh()
		if err := l.Apply(Event{Kind: EventPropose, At: at, Organisation: "riverside-tenants"}); err != nil {
			t.Fatal(err)
		}
		return l
	}
	active := func() *Lifecycle { return signedBy(t, a, at) }
	oldSig := sig(t, v1, "city-research")

	cases := []struct {
		name string
		l    *Lifecycle
		e    Event
		code string
	}{
		{"sign a draft", fresh(), Event{Kind: EventSign, At: at, Signature: sig(t, a, "city-research")}, accord.ECONFLICT},
		{"propose twice", proposed(), Event{Kind: EventPropose, At: at, Organisation: "city-research"}, accord.ECONFLICT},
		{"non-party proposes", fresh(), Event{Kind: EventPropose, At: at, Organisation: "outsider"}, accord.EFORBIDDEN},
		{"sign twice", func() *Lifecycle {
			l := proposed()
			_ = l.Apply(Event{Kind: EventSign, At: at, Signature: sig(t, a, "city-research")})
			return l
		}(), Event{Kind: EventSign, At: at, Signature: sig(t, a, "city-research")}, accord.ECONFLICT},
		{"sign with a signature from version 1", proposed(), Event{Kind: EventSign, At: at, Signature: oldSig}, accord.EINVALID},
		{"sign for another party", proposed(), Event{Kind: EventSign, At: at, Organisation: "riverside-tenants", Signature: sig(t, a, "city-research")}, accord.EFORBIDDEN},
		{"sign without signature", proposed(), Event{Kind: EventSign, At: at, Organisation: "city-research"}, accord.EINVALID},
		{"sign after expiry", proposed(), Event{Kind: EventSign, At: date(2027, 2, 1), Signature: sig(t, a, "city-research")}, accord.ECONFLICT},
		{"suspend a proposal", proposed(), Event{Kind: EventSuspend, At: at, Organisation: "city-research"}, accord.ECONFLICT},
		{"resume what is active", active(), Event{Kind: EventResume, At: date(2025, 2, 1), Organisation: "city-research"}, accord.ECONFLICT},
		{"resume someone else's suspension", func() *Lifecycle {
			l := active()
			_ = l.Apply(Event{Kind: EventSuspend, At: date(2025, 2, 1), Organisation: "riverside-tenants"})
			return l
		}(), Event{Kind: EventResume, At: date(2025, 2, 2), Organisation: "city-research"}, accord.EFORBIDDEN},
		{"terminate twice", func() *Lifecycle {
			l := active()
			_ = l.Apply(Event{Kind: EventTerminate, At: date(2025, 2, 1), Organisation: "riverside-tenants"})
			return l
		}(), Event{Kind: EventTerminate, At: date(2025, 2, 2), Organisation: "city-research"}, accord.ECONFLICT},
		{"terminate after expiry", active(), Event{Kind: EventTerminate, At: date(2027, 6, 1), Organisation: "city-research"}, accord.ECONFLICT},
		{"out of order", active(), Event{Kind: EventSuspend, At: at.Add(-time.Hour), Organisation: "city-research"}, accord.EINVALID},
		{"no time", active(), Event{Kind: EventSuspend, Organisation: "city-research"}, accord.EINVALID},
		{"unknown step", active(), Event{Kind: "approve", At: date(2025, 2, 1), Organisation: "city-research"}, accord.EINVALID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := len(c.l.Events)
			err := c.l.Apply(c.e)
			if accord.ErrorCode(err) != c.code {
				t.Fatalf("got %v, want %s", err, c.code)
			}
			if len(c.l.Events) != n {
				t.Fatal("a refused step was recorded")
			}
		})
	}
}

func TestTerminateEndsAtOnce(t *testing.T) {
	a := mustParse(t, "example.yaml")
	l := signedBy(t, a, date(2024, 12, 1))
	if err := l.Apply(Event{Kind: EventTerminate, At: date(2025, 6, 1), Organisation: "city-research"}); err != nil {
		t.Fatal(err)
	}
	if l.State(date(2025, 5, 31)) != StateActive || l.State(date(2025, 6, 1)) != StateTerminated {
		t.Fatal("termination not effective at its time")
	}
}

func TestNewLifecycleRefusesInvalid(t *testing.T) {
	a := mustParse(t, "example.yaml")
	a.Privacy.Release.K = 1
	if _, err := NewLifecycle(a); accord.ErrorCode(err) != accord.EINVALID {
		t.Fatalf("got %v", err)
	}
}

func TestActiveSpans(t *testing.T) {
	a := mustParse(t, "example.yaml")
	l := signedBy(t, a, date(2024, 12, 1))
	_ = l.Apply(Event{Kind: EventSuspend, At: date(2025, 3, 1), Organisation: "city-research"})
	_ = l.Apply(Event{Kind: EventResume, At: date(2025, 4, 1), Organisation: "city-research"})
	got := l.activeSpans()
	want := []interval{{date(2025, 1, 1), date(2025, 3, 1)}, {date(2025, 4, 1), date(2027, 1, 1)}}
	if len(got) != len(want) {
		t.Fatalf("spans %v", got)
	}
	for i := range want {
		if !got[i].from.Equal(want[i].from) || !got[i].until.Equal(want[i].until) {
			t.Fatalf("span %d: %v, want %v", i, got[i], want[i])
		}
	}
}

func TestCheckAmendmentRefuses(t *testing.T) {
	v1 := mustParse(t, "example-v1.yaml")
	v2 := mustParse(t, "example.yaml")
	v2.Previous.Digest = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
	if err := CheckAmendment(v1, v2); accord.ErrorCode(err) != accord.EINVALID {
		t.Fatalf("wrong digest accepted: %v", err)
	}
	if err := CheckAmendment(v1, v1); err == nil {
		t.Fatal("an agreement amending itself was accepted")
	}
}
