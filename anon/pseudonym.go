package anon

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
)

// pseudonymInfo labels keys derived for pseudonyms, so that a key derived
// from the same master secret for another purpose can never coincide.
const pseudonymInfo = "accord/anon/pseudonym/v1 agreement="

// AgreementKey derives the pseudonymisation key for one agreement from a
// node's master secret with HKDF-SHA256 (RFC 5869). Scoping keys to an
// agreement means the same person gets unrelated pseudonyms under
// different agreements, so datasets released under two agreements cannot
// be joined on the pseudonym.
func AgreementKey(master []byte, agreementID string) ([]byte, error) {
	if len(master) < 32 {
		return nil, errors.New("pseudonym key: the master secret must be at least 32 bytes")
	}
	if agreementID == "" {
		return nil, errors.New("pseudonym key: no agreement given")
	}
	k, err := hkdf.Key(sha256.New, master, nil, pseudonymInfo+agreementID, 32)
	if err != nil {
		return nil, fmt.Errorf("pseudonym key: %w", err)
	}
	return k, nil
}

// Pseudonym returns the keyed pseudonym of one value: HMAC-SHA256 under
// key, hex-encoded and cut to 128 bits, which keeps collisions negligible
// for any realistic number of subjects.
func Pseudonym(key []byte, value string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Pseudonymise replaces every value of column by its keyed pseudonym. The
// same value always gets the same pseudonym under the same key, so rows of
// one person still link within the agreement, but without the key the
// pseudonym cannot be reversed or recomputed from a guessed value.
func Pseudonymise(t *Table, column string, key []byte) (*Table, error) {
	if len(key) < 16 {
		return nil, errors.New("pseudonymise: the key must be at least 16 bytes")
	}
	col, idx := t.Column(column)
	if col == nil {
		return nil, fmt.Errorf("pseudonymise: no column %q", column)
	}
	r := newColumnRecoder(col)
	for code, v := range col.Dict {
		if r.used[code] {
			r.set(code, Pseudonym(key, v))
		}
	}
	return t.withColumn(idx, r.column()), nil
}

// Pseudonymiser gives the pseudonyms of one key value by value, for rows
// streamed one at a time: it reuses one HMAC state and remembers recent
// values, since a subject's rows often come together. Not safe for
// concurrent use.
type Pseudonymiser struct {
	mac   hash.Hash
	sum   []byte
	known map[string]string
}

// pseudonymsKept bounds what a Pseudonymiser remembers.
const pseudonymsKept = 1 << 16

// NewPseudonymiser returns a Pseudonymiser under key (at least 16 bytes).
func NewPseudonymiser(key []byte) (*Pseudonymiser, error) {
	if len(key) < 16 {
		return nil, errors.New("pseudonymise: the key must be at least 16 bytes")
	}
	return &Pseudonymiser{mac: hmac.New(sha256.New, key), known: map[string]string{}}, nil
}

// Pseudonym returns what Pseudonym(key, value) does.
func (p *Pseudonymiser) Pseudonym(value string) string {
	if s, ok := p.known[value]; ok {
		return s
	}
	p.mac.Reset()
	p.mac.Write([]byte(value))
	p.sum = p.mac.Sum(p.sum[:0])
	s := hex.EncodeToString(p.sum[:16])
	if len(p.known) == pseudonymsKept {
		clear(p.known)
	}
	p.known[value] = s
	return s
}
