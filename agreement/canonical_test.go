package agreement

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// Formatting, comments, key order, quoting and the spelling of dates and
// numbers must not change what parties sign.
func TestCanonicalIndependentOfFormatting(t *testing.T) {
	a := mustParse(t, "example.yaml")
	b := mustParse(t, "example-reformatted.yaml")
	ca, err := Canonical(a)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := Canonical(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ca, cb) {
		t.Fatalf("canonical forms differ:\n%s\n%s", ca, cb)
	}
	da, _ := DigestOf(a)
	db, _ := DigestOf(b)
	if da != db {
		t.Fatal("digests differ")
	}
}

func TestCanonicalShape(t *testing.T) {
	c, err := Canonical(mustParse(t, "example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(c), `{"contacts":`) {
		t.Fatalf("keys not sorted: %.40s", c)
	}
	if !strings.Contains(string(c), `"validity":{"from":"2025-01-01T00:00:00Z","until":"2027-01-01T00:00:00Z"}`) {
		t.Fatalf("validity not in canonical time form: %s", c)
	}
	var v any
	if err := json.Unmarshal(c, &v); err != nil {
		t.Fatalf("canonical form is not JSON: %v", err)
	}
	// Re-canonicalising is a fixed point.
	var buf bytes.Buffer
	if err := json.Compact(&buf, c); err != nil || !bytes.Equal(buf.Bytes(), c) {
		t.Fatal("canonical form is not compact")
	}
}

func TestCanonicalChangesWithContent(t *testing.T) {
	src := string(readTestdata(t, "example.yaml"))
	a := mustParseString(t, src)
	b := mustParseString(t, strings.Replace(src, "min_cell_size: 10", "min_cell_size: 11", 1))
	da, _ := DigestOf(a)
	db, _ := DigestOf(b)
	if da == db {
		t.Fatal("a changed agreement kept its digest")
	}
}

func TestParseDigest(t *testing.T) {
	d, _ := DigestOf(mustParse(t, "example.yaml"))
	got, err := ParseDigest(d.String())
	if err != nil || got != d {
		t.Fatalf("round trip: %v", err)
	}
	for _, bad := range []string{"", "sha256:", "md5:00", "sha256:" + strings.Repeat("G", 64), "sha256:" + strings.Repeat("A", 64)} {
		if _, err := ParseDigest(bad); err == nil {
			t.Errorf("ParseDigest(%q) accepted", bad)
		}
	}
}
