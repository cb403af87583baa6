package audit

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"sync"
)

// SecretSize is the size of a node's audit HMAC secret.
const SecretSize = 32

// Hasher replaces values that identify people with an HMAC-SHA256 under a
// node secret, as Vault's audit devices do. Equal inputs give equal outputs,
// so an auditor holding a subject key can ask the node for Hash(key) and find
// every entry about that subject, while the log itself never holds the key.
// A plain hash would not do: subject keys are guessable, and anyone with the
// log could hash candidates.
type Hasher struct {
	pool sync.Pool // of keyed HMAC states: keying one costs as much as using it
}

// GenerateSecret returns a new random secret for NewHasher. The node keeps it
// in its data folder (mode 0600); losing it only stops new lookups, while
// the log itself still verifies.
func GenerateSecret() ([]byte, error) {
	b := make([]byte, SecretSize)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("generate audit secret: %w", err)
	}
	return b, nil
}

// NewHasher returns a Hasher keyed with secret, which must be at least
// SecretSize bytes.
func NewHasher(secret []byte) (*Hasher, error) {
	if len(secret) < SecretSize {
		return nil, errors.New("audit secret is shorter than 32 bytes")
	}
	key := append([]byte(nil), secret...)
	h := &Hasher{}
	h.pool.New = func() any { return hmac.New(sha256.New, key) }
	return h, nil
}

// Hash returns "hmac-sha256:<hex>" for a non-empty value and "" for "",
// so an absent value stays visibly absent.
func (h *Hasher) Hash(value string) string {
	if value == "" {
		return ""
	}
	m := h.pool.Get().(hash.Hash)
	defer h.pool.Put(m)
	m.Reset()
	m.Write([]byte(value))
	var sum [sha256.Size]byte
	return HashedPrefix + hex.EncodeToString(m.Sum(sum[:0]))
}

// HashEntry replaces the fields that may identify people (Subject, Detail)
// with their HMAC. It is applied exactly once, by Log.Append, to the raw
// values the caller passed.
func (h *Hasher) HashEntry(e *Entry) {
	e.Subject = h.Hash(e.Subject)
	e.Detail = h.Hash(e.Detail)
}
