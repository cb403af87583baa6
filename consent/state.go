// Package consent is the pure logic of live consent: the state machine a
// subject's decisions follow, importers for consent records, the filter that
// keeps withheld subjects' rows out of a data use, consent receipts and
// their signatures. It does no I/O of its own; the store and the HTTP layer
// call it.
package consent

import (
	"sort"
	"strings"
	"time"

	"github.com/accord-coalition/accord"
)

// ParseState reads a state as people write it on forms and in
// spreadsheets: the state names, and yes/no answers in English, French and
// Spanish. An unknown word is an error naming the accepted ones.
func ParseState(s string) (accord.ConsentState, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "given", "give", "yes", "y", "true", "1", "oui", "si", "sí", "consent", "agreed":
		return accord.ConsentGiven, nil
	case "withdrawn", "withdraw", "no", "n", "false", "0", "non", "revoked", "refused":
		return accord.ConsentWithdrawn, nil
	case "expired":
		return accord.ConsentExpired, nil
	}
	return "", accord.Errorf(accord.EINVALID, "unknown consent state %q (use given, withdrawn or expired; yes/no also work)", s)
}

// Transition checks that a subject's state for a purpose may move from
// `from` to `to`. Giving again renews consent (a new expiry); withdrawing
// again re-records a refusal. Expiry only ends a consent that was given, and
// nothing can expire before it was given.
func Transition(from, to accord.ConsentState) error {
	if !to.Valid() {
		return accord.Errorf(accord.EINVALID, "unknown consent state %q (one of given, withdrawn, expired)", to)
	}
	if to == accord.ConsentExpired && from != accord.ConsentGiven {
		return accord.Errorf(accord.EINVALID, "consent that is %s cannot expire: only given consent expires", from)
	}
	return nil
}

// Current derives each purpose's state at t from a subject's history: the
// latest decision wins (see accord.ConsentEvent.After), and given consent
// whose expiry has passed is expired. Purposes are sorted.
func Current(history []*accord.ConsentEvent, at time.Time) []accord.ConsentStatus {
	latest := map[string]*accord.ConsentEvent{}
	for _, e := range history {
		if cur, ok := latest[e.Purpose]; !ok || e.After(cur) || (e.Time.Equal(cur.Time) && e.Seq == cur.Seq) {
			latest[e.Purpose] = e
		}
	}
	out := make([]accord.ConsentStatus, 0, len(latest))
	for _, e := range latest {
		out = append(out, e.StatusAt(at))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Purpose < out[j].Purpose })
	return out
}

// StateOf returns the state for purpose in statuses, ConsentNotGiven if the
// subject never decided about it.
func StateOf(statuses []accord.ConsentStatus, purpose string) accord.ConsentState {
	for _, s := range statuses {
		if s.Purpose == purpose {
			return s.State
		}
	}
	return accord.ConsentNotGiven
}

// Check validates a new event against the subject's current statuses: the
// event itself, and, when it is newer than the decision in force, the
// transition. An older decision entered late (a paper form found in a
// drawer) joins the history without a transition check, since it does not
// change the current state.
func Check(e *accord.ConsentEvent, current []accord.ConsentStatus) error {
	if err := e.Validate(); err != nil {
		return err
	}
	for _, s := range current {
		if s.Purpose == e.Purpose {
			if e.Time.Before(s.Since) {
				return nil
			}
			return Transition(s.State, e.State)
		}
	}
	return Transition(accord.ConsentNotGiven, e.State)
}
