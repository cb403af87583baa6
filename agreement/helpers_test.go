package agreement

import (
	"crypto/ed25519"
	"crypto/sha256"
	"testing"
	"time"
)

// testKey derives the deterministic test key whose public half is written
// in testdata/example.yaml for org.
func testKey(org string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("accord test key " + org))
	return ed25519.NewKeyFromSeed(seed[:])
}

func mustParse(t testing.TB, name string) *Agreement {
	t.Helper()
	a, err := Parse(readTestdata(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return a
}

func mustParseString(t testing.TB, src string) *Agreement {
	t.Helper()
	a, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// signedBy proposes a at t and has every party sign it at t.
func signedBy(t testing.TB, a *Agreement, at time.Time) *Lifecycle {
	t.Helper()
	l, err := NewLifecycle(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Apply(Event{Kind: EventPropose, At: at, Organisation: a.Parties[0].Organisation}); err != nil {
		t.Fatal(err)
	}
	for _, p := range a.Parties {
		s, err := Sign(a, p.Organisation, testKey(p.Organisation))
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Apply(Event{Kind: EventSign, At: at, Signature: s}); err != nil {
			t.Fatal(err)
		}
	}
	return l
}
