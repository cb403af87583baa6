package agreement

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// Canonical returns the agreement's canonical form: JSON of the parsed
// agreement with object keys sorted by their UTF-8 bytes, no insignificant
// whitespace, no HTML escaping, times in RFC 3339 UTC, durations in ISO
// 8601 and numbers in Go's shortest round-trip form. Because it is built
// from the parsed values, YAML comments, quoting, indentation and key order
// do not change it; list order does, since clauses are cited by position.
// Parties sign the SHA-256 of these bytes.
func Canonical(a *Agreement) ([]byte, error) {
	raw, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("canonical form of agreement %s: %w", a.ID, err)
	}
	// A round trip through generic values sorts every object's keys
	// (encoding/json writes map keys in order); UseNumber keeps numbers
	// exactly as first written.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("canonical form of agreement %s: %w", a.ID, err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("canonical form of agreement %s: %w", a.ID, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Digest is the SHA-256 of an agreement's canonical form.
type Digest [sha256.Size]byte

// String returns "sha256:" and the digest in lowercase hex, the form used
// in `previous.digest`.
func (d Digest) String() string { return "sha256:" + hex.EncodeToString(d[:]) }

// ParseDigest reads "sha256:<64 lowercase hex>".
func ParseDigest(s string) (Digest, error) {
	var d Digest
	if !validDigest(s) {
		return d, fmt.Errorf("digest %q is not sha256: followed by 64 lowercase hexadecimal characters", s)
	}
	_, err := hex.Decode(d[:], []byte(strings.TrimPrefix(s, "sha256:")))
	return d, err
}

// DigestOf returns the digest of a's canonical form.
func DigestOf(a *Agreement) (Digest, error) {
	c, err := Canonical(a)
	if err != nil {
		return Digest{}, err
	}
	return sha256.Sum256(c), nil
}
