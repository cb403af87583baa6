package agreement

import (
	"fmt"
	"slices"
	"time"

	"github.com/accord-coalition/accord"
)

// State is where one version of an agreement stands at a moment.
type State string

const (
	StateDraft      State = "draft"      // written, not yet put to the parties
	StateProposed   State = "proposed"   // put to the parties; some have not signed
	StateSigned     State = "signed"     // every party signed; validity not started
	StateActive     State = "active"     // in force
	StateSuspended  State = "suspended"  // a party paused it; resumes when every suspending party resumes
	StateExpired    State = "expired"    // validity ended
	StateTerminated State = "terminated" // ended early by a party
	StateSuperseded State = "superseded" // a later version came into force
)

// EventKind names a lifecycle step.
type EventKind string

const (
	EventPropose   EventKind = "propose"
	EventSign      EventKind = "sign"
	EventSuspend   EventKind = "suspend"
	EventResume    EventKind = "resume"
	EventTerminate EventKind = "terminate"
)

// Event is one lifecycle step taken by a party at a time. The store keeps
// the accepted events; replaying them through Apply rebuilds the lifecycle.
type Event struct {
	Kind         EventKind  `json:"kind"`
	At           time.Time  `json:"at"`
	Organisation string     `json:"organisation"`
	Member       string     `json:"member,omitempty"`
	Reason       string     `json:"reason,omitempty"`
	Signature    *Signature `json:"signature,omitempty"` // for sign
}

// Lifecycle is one version of an agreement with the steps taken on it. It
// is a pure state machine: Apply accepts or refuses a step, State says
// where the agreement stands at any time. Time matters by itself: an
// agreement expires at `until` without anyone acting.
type Lifecycle struct {
	Agreement *Agreement
	Digest    Digest
	Events    []Event
}

// NewLifecycle starts a draft lifecycle. It refuses an agreement with
// errors, so nothing inconsistent can ever be signed or take effect.
func NewLifecycle(a *Agreement) (*Lifecycle, error) {
	if a == nil {
		return nil, accord.Errorf(accord.EINVALID, "no agreement given")
	}
	if errs := errorsOnly(Validate(a)); len(errs) > 0 {
		return nil, invalid(errs)
	}
	d, err := DigestOf(a)
	if err != nil {
		return nil, fmt.Errorf("new lifecycle: %w", err)
	}
	return &Lifecycle{Agreement: a, Digest: d}, nil
}

// snapshot is what the events up to a moment amount to.
type snapshot struct {
	proposed    bool
	signed      map[string]bool
	suspendedBy map[string]bool
	terminated  bool
}

func (l *Lifecycle) at(t time.Time) snapshot {
	s := snapshot{signed: map[string]bool{}, suspendedBy: map[string]bool{}}
	for _, e := range l.Events {
		if e.At.After(t) {
			break
		}
		switch e.Kind {
		case EventPropose:
			s.proposed = true
		case EventSign:
			s.signed[e.Organisation] = true
		case EventSuspend:
			s.suspendedBy[e.Organisation] = true
		case EventResume:
			delete(s.suspendedBy, e.Organisation)
		case EventTerminate:
			s.terminated = true
		}
	}
	return s
}

// State returns the state of this version at t, from the events up to t
// and the validity period. It does not know about later versions; a
// Decider, which holds every version, also reports StateSuperseded.
func (l *Lifecycle) State(t time.Time) State {
	s := l.at(t)
	v := l.Agreement.Validity
	switch {
	case s.terminated:
		return StateTerminated
	case !t.Before(v.Until):
		return StateExpired
	case !s.proposed:
		return StateDraft
	case len(s.signed) < len(l.Agreement.Parties):
		return StateProposed
	case len(s.suspendedBy) > 0:
		return StateSuspended
	case t.Before(v.From):
		return StateSigned
	}
	return StateActive
}

// Unsigned returns the parties that had not signed by t, in agreement order.
func (l *Lifecycle) Unsigned(t time.Time) []string {
	s := l.at(t)
	var out []string
	for _, p := range l.Agreement.Parties {
		if !s.signed[p.Organisation] {
			out = append(out, p.Organisation)
		}
	}
	return out
}

// Apply checks a step against the state at e.At and records it. Steps
// must come in time order. A refused step leaves the lifecycle unchanged.
func (l *Lifecycle) Apply(e Event) error {
	a := l.Agreement
	if e.At.IsZero() {
		return accord.Errorf(accord.EINVALID, "a lifecycle step needs a time")
	}
	if n := len(l.Events); n > 0 && e.At.Before(l.Events[n-1].At) {
		return accord.Errorf(accord.EINVALID, "steps must be recorded in time order: %s is before the last step (%s)",
			e.At.Format(time.RFC3339), l.Events[n-1].At.Format(time.RFC3339))
	}
	if e.Kind == EventSign && e.Signature != nil && e.Organisation == "" {
		e.Organisation = e.Signature.Organisation
	}
	if a.Party(e.Organisation) == nil {
		return accord.Errorf(accord.EFORBIDDEN, "%q is not a party to agreement %s v%d", e.Organisation, a.ID, a.Version)
	}
	state := l.State(e.At)
	refuse := func(why string) error {
		return accord.Errorf(accord.ECONFLICT, "cannot %s agreement %s v%d: it is %s%s", e.Kind, a.ID, a.Version, state, why)
	}
	switch e.Kind {
	case EventPropose:
		if state != StateDraft {
			return refuse("")
		}
	case EventSign:
		if state == StateDraft {
			return refuse("; propose it first")
		}
		if state != StateProposed {
			return refuse("")
		}
		if e.Signature == nil {
			return accord.Errorf(accord.EINVALID, "signing needs a signature")
		}
		if e.Signature.Organisation != e.Organisation {
			return accord.Errorf(accord.EFORBIDDEN, "%s cannot sign for %s", e.Organisation, e.Signature.Organisation)
		}
		if err := Verify(a, e.Signature); err != nil {
			return err
		}
		if l.at(e.At).signed[e.Organisation] {
			return accord.Errorf(accord.ECONFLICT, "%s has already signed agreement %s v%d", e.Organisation, a.ID, a.Version)
		}
	case EventSuspend:
		if state != StateActive && state != StateSigned && state != StateSuspended {
			return refuse("")
		}
		if l.at(e.At).suspendedBy[e.Organisation] {
			return accord.Errorf(accord.ECONFLICT, "%s has already suspended agreement %s v%d", e.Organisation, a.ID, a.Version)
		}
	case EventResume:
		if state != StateSuspended {
			return refuse("")
		}
		if !l.at(e.At).suspendedBy[e.Organisation] {
			return accord.Errorf(accord.EFORBIDDEN, "%s did not suspend agreement %s v%d; only the parties that suspended it can resume it", e.Organisation, a.ID, a.Version)
		}
	case EventTerminate:
		if !slices.Contains([]State{StateProposed, StateSigned, StateActive, StateSuspended}, state) {
			return refuse("")
		}
	default:
		return accord.Errorf(accord.EINVALID, "unknown lifecycle step %q", e.Kind)
	}
	l.Events = append(l.Events, e)
	return nil
}

// interval is a half-open span of time; a zero end means "for ever".
type interval struct{ from, until time.Time }

func (iv interval) contains(t time.Time) bool {
	return !t.Before(iv.from) && (iv.until.IsZero() || t.Before(iv.until))
}

// activeSpans returns when this version is active, ignoring later
// versions. State only changes at an event or a validity boundary, so
// sampling it there is exact.
func (l *Lifecycle) activeSpans() []interval {
	marks := []time.Time{l.Agreement.Validity.From, l.Agreement.Validity.Until}
	for _, e := range l.Events {
		marks = append(marks, e.At)
	}
	slices.SortFunc(marks, func(x, y time.Time) int { return x.Compare(y) })
	marks = slices.CompactFunc(marks, func(x, y time.Time) bool { return x.Equal(y) })
	var out []interval
	for i, m := range marks {
		if l.State(m) != StateActive {
			continue
		}
		var end time.Time
		if i+1 < len(marks) {
			end = marks[i+1]
		}
		if n := len(out); n > 0 && out[n-1].until.Equal(m) {
			out[n-1].until = end
		} else {
			out = append(out, interval{m, end})
		}
	}
	return out
}

// CheckAmendment verifies that next amends prev: same id, the next version
// number, and a previous digest equal to prev's canonical digest.
func CheckAmendment(prev, next *Agreement) error {
	r := next.Previous
	if r == nil {
		return accord.Errorf(accord.EINVALID, "agreement %s v%d does not name a previous version", next.ID, next.Version)
	}
	if r.ID != prev.ID || r.Version != prev.Version || next.ID != prev.ID || next.Version != prev.Version+1 {
		return accord.Errorf(accord.EINVALID, "agreement %s v%d amends %s v%d, not %s v%d", next.ID, next.Version, r.ID, r.Version, prev.ID, prev.Version)
	}
	d, err := DigestOf(prev)
	if err != nil {
		return fmt.Errorf("check amendment: %w", err)
	}
	if r.Digest != d.String() {
		return accord.Errorf(accord.EINVALID, "agreement %s v%d names previous digest %s, but version %d's digest is %s", next.ID, next.Version, r.Digest, prev.Version, d)
	}
	return nil
}
