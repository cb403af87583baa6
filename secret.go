package accord

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"strings"
)

// TokenPrefix starts every API token so leaked tokens are easy to spot in
// logs and by secret scanners.
const TokenPrefix = "acc_"

// NewTokenSecret returns a random 256-bit token secret and the hash to store.
func NewTokenSecret() (secret string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b) // never fails on supported platforms (Go 1.24+ panics instead)
	secret = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashTokenSecret(secret)
}

// HashTokenSecret returns the stored form of a token secret. A plain SHA-256
// suffices: the secret has 256 bits of entropy, so there is nothing to brute-force.
func HashTokenSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns a random identifier with a readable prefix, e.g. "mem_x4k…".
func NewID(prefix string) string {
	b := make([]byte, 10)
	rand.Read(b)
	return prefix + "_" + strings.ToLower(idEncoding.EncodeToString(b))
}
