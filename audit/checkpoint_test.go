package audit_test

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/accord-coalition/accord/audit"
)

func TestSigningKeyRoundTrip(t *testing.T) {
	k := testKey(t, "accord.example.org/audit")
	text, _ := k.MarshalText()
	if !bytes.HasPrefix(text, []byte("PRIVATE+KEY+accord.example.org/audit+")) {
		t.Fatalf("key file %q", text)
	}
	k2, err := audit.ParseSigningKey(text)
	if err != nil {
		t.Fatal(err)
	}
	if k2.VerifierKey() != k.VerifierKey() || k2.Origin() != k.Origin() {
		t.Fatalf("round trip changed the key: %s vs %s", k2.VerifierKey(), k.VerifierKey())
	}
	v, err := audit.ParseVerifierKey(k.VerifierKey() + "\n")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := audit.SignCheckpoint(audit.Checkpoint{Origin: k.Origin(), Size: 3, Root: audit.EmptyRoot()}, k2.Signer())
	if err != nil {
		t.Fatal(err)
	}
	if c, err := audit.OpenCheckpoint(msg, v); err != nil || c.Size != 3 {
		t.Fatalf("open: %v %v", c, err)
	}
	for _, bad := range []string{"", "PRIVATE+KEY+x+00000000+AAAA", k.VerifierKey()} {
		if _, err := audit.ParseSigningKey([]byte(bad)); err == nil {
			t.Errorf("parsed %q as a signing key", bad)
		}
	}
	if _, err := audit.GenerateSigningKey("has space"); err == nil {
		t.Error("origin with a space accepted")
	}
}

func TestCheckpointFormat(t *testing.T) {
	root := bytes.Repeat([]byte{0xab}, 32)
	c := audit.Checkpoint{Origin: "accord.example.org/audit", Size: 1234, Root: root}
	want := "accord.example.org/audit\n1234\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n"
	if got := string(c.Marshal()); got != want {
		t.Fatalf("Marshal = %q, want %q", got, want)
	}
	if got, err := audit.ParseCheckpoint([]byte(want + "extension line\n")); err != nil || !got.Equal(c) {
		t.Fatalf("Parse = %v, %v", got, err)
	}
	for _, bad := range []string{"", "o\n1\n", "o\n01\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n", "o\n-1\nAA==\n", "o\n1\nAA==\n", "\n1\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n"} {
		if _, err := audit.ParseCheckpoint([]byte(bad)); err == nil {
			t.Errorf("parsed %q", bad)
		}
	}
	k := testKey(t, "one")
	if _, err := audit.SignCheckpoint(audit.Checkpoint{Origin: "two", Size: 1, Root: root}, k.Signer()); err == nil {
		t.Error("signed a checkpoint for another origin")
	}
}

func FuzzParseCheckpoint(f *testing.F) {
	f.Add([]byte("accord.example.org/audit\n1234\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n"))
	f.Add([]byte("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := audit.ParseCheckpoint(b)
		if err != nil {
			return
		}
		again, err := audit.ParseCheckpoint(c.Marshal())
		if err != nil || !again.Equal(c) {
			t.Fatalf("re-parse of %q: %v %v", c.Marshal(), again, err)
		}
	})
}

// TestLeafEncodingIsStable pins the canonical encoding: a change here
// breaks every stored log, so it needs a new leaf format version instead.
func TestLeafEncodingIsStable(t *testing.T) {
	h := testHasher(t)
	e := audit.Entry{
		Seq:           42,
		Time:          time.Date(2025, 3, 4, 10, 11, 12, 345678000, time.UTC),
		Actor:         audit.Actor{MemberID: "m-1", OrganisationID: "org-ç"},
		Action:        "extract",
		Resource:      "dataset:survey-2025",
		Purpose:       "advocacy.report",
		Decision:      audit.Allowed,
		Reason:        "agreement x@3 permits",
		RequestDigest: audit.RequestDigest([]byte("GET /x")),
		Subject:       "subject-7",
		Detail:        "note",
	}
	h.HashEntry(&e)
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	leaf := e.MarshalLeaf()
	if !strings.HasPrefix(string(leaf), "accord.audit.entry/v1\n\x00\x00\x00\x00\x00\x00\x00\x2a") {
		t.Fatalf("leaf starts %q", leaf[:40])
	}
	const want = "ad97ea79d5f042c323a84df812bd4712d785a1cb9f5bd5d1dc21e4f410f59158"
	if got := hex.EncodeToString(e.LeafHash()); got != want {
		t.Fatalf("leaf hash %s, want %s", got, want)
	}
	// Other time zones and sub-microsecond digits encode the same instant.
	e2 := e
	e2.Time = e.Time.In(time.FixedZone("x", 3600)).Add(999)
	if !bytes.Equal(e2.MarshalLeaf(), leaf) {
		t.Fatal("encoding depends on the time zone or nanoseconds")
	}
	// The HMAC is keyed: another secret gives another value.
	h2, _ := audit.NewHasher(bytes.Repeat([]byte{8}, 32))
	if h2.Hash("subject-7") == h.Hash("subject-7") || h.Hash("") != "" {
		t.Fatal("hasher is not keyed")
	}
	if _, err := audit.NewHasher([]byte("short")); err == nil {
		t.Fatal("short secret accepted")
	}
}

func FuzzParseSigningKey(f *testing.F) {
	k, _ := audit.GenerateSigningKey("accord.example.org/audit")
	text, _ := k.MarshalText()
	f.Add(text)
	f.Add([]byte("PRIVATE+KEY+a+00000000+AQ=="))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := audit.ParseSigningKey(b)
		if err != nil {
			return
		}
		again, err := k.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		if k2, err := audit.ParseSigningKey(again); err != nil || k2.VerifierKey() != k.VerifierKey() {
			t.Fatalf("re-parse: %v", err)
		}
	})
}
