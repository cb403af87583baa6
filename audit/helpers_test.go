package audit_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/accord-coalition/accord/audit"
)

var testSecret = bytes.Repeat([]byte{7}, audit.SecretSize)

func testKey(t testing.TB, origin string) *audit.SigningKey {
	t.Helper()
	k, err := audit.GenerateSigningKey(origin)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testHasher(t testing.TB) *audit.Hasher {
	t.Helper()
	h, err := audit.NewHasher(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// fakeClock advances by one millisecond each time it is read.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time {
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

func openLog(t testing.TB, st audit.Store, key *audit.SigningKey, opts audit.Options) *audit.Log {
	t.Helper()
	opts.Key, opts.Hasher = key, testHasher(t)
	l, err := audit.Open(context.Background(), st, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func sampleEntry(i int) audit.Entry {
	e := audit.Entry{
		Actor:         audit.Actor{MemberID: fmt.Sprintf("m%d", i%5), OrganisationID: fmt.Sprintf("org%d", i%2)},
		Action:        "query",
		Resource:      fmt.Sprintf("dataset:survey-%d", i%3),
		Purpose:       "advocacy.report",
		Decision:      audit.Allowed,
		Reason:        "agreement coalition-2025@3 permits",
		RequestDigest: audit.RequestDigest([]byte(fmt.Sprint("request", i))),
	}
	if i%4 == 0 {
		e.Decision, e.Reason = audit.Denied, "purpose not in agreement"
		e.Subject = fmt.Sprintf("subject-%d", i)
		e.Detail = "free text naming Jane Doe"
	}
	return e
}

func appendN(t testing.TB, l *audit.Log, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if _, err := l.Append(context.Background(), sampleEntry(i)); err != nil {
			t.Fatal(err)
		}
	}
}

func mustVerify(t testing.TB, st audit.Store, key *audit.SigningKey) *audit.Report {
	t.Helper()
	rep, err := audit.VerifyStore(context.Background(), st, key.Verifier())
	if err != nil {
		t.Fatalf("VerifyStore: %v\n%s", err, rep)
	}
	return rep
}
