package consent

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"
)

// LinkPrefix starts every consent link secret, so one found in a log or a
// chat is recognisable (and not mistaken for an API token).
const LinkPrefix = "acl_"

// Link lifetimes: a link defaults to 30 days and may run at most 180, long
// enough to reach people through community workers, short enough that a
// lost paper slip stops working.
const (
	DefaultLinkDuration = 30 * 24 * time.Hour
	MaxLinkDuration     = 180 * 24 * time.Hour
)

// NewLinkSecret returns a random 256-bit link secret and the hash to store.
func NewLinkSecret() (secret string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	secret = LinkPrefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashLinkSecret(secret)
}

// HashLinkSecret returns the stored form of a link secret. SHA-256 is
// enough: 256 random bits leave nothing to brute-force.
func HashLinkSecret(secret string) []byte {
	h := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	return h[:]
}

// LooksLikeLinkSecret rejects obviously malformed secrets before any
// database lookup (still answered with the same "not found" page).
func LooksLikeLinkSecret(s string) bool {
	rest, ok := strings.CutPrefix(s, LinkPrefix)
	if !ok || len(rest) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(rest)
	return err == nil
}
