package audit

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// SigningKey is the node's ed25519 checkpoint key in the sumdb/note
// encoding. Its name is the log's origin: the first line of every
// checkpoint the key signs (e.g. "accord.example.org/audit").
type SigningKey struct {
	skey     string
	vkey     string
	signer   note.Signer
	verifier note.Verifier
}

// GenerateSigningKey creates a new key for the log named origin. The origin
// must be non-empty with no spaces or '+'.
func GenerateSigningKey(origin string) (*SigningKey, error) {
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return nil, fmt.Errorf("generate checkpoint key: %w", err)
	}
	return newSigningKey(skey, vkey)
}

// ParseSigningKey reads a private key written by MarshalText
// ("PRIVATE+KEY+<origin>+<hash>+<base64>", surrounding space ignored).
func ParseSigningKey(text []byte) (*SigningKey, error) {
	skey := string(bytes.TrimSpace(text))
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("parse checkpoint signing key: %w", err)
	}
	// The note package derives no public key from a private one, so it is
	// rebuilt from the seed: the key is ed25519, algorithm byte 1.
	vkey, err := verifierKeyFromSigner(skey)
	if err != nil {
		return nil, err
	}
	k, err := newSigningKey(skey, vkey)
	if err != nil {
		return nil, err
	}
	if k.verifier.KeyHash() != signer.KeyHash() {
		return nil, fmt.Errorf("parse checkpoint signing key: key hash does not match")
	}
	return k, nil
}

func newSigningKey(skey, vkey string) (*SigningKey, error) {
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("checkpoint signing key: %w", err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("checkpoint verifier key: %w", err)
	}
	return &SigningKey{skey: skey, vkey: vkey, signer: signer, verifier: verifier}, nil
}

// MarshalText returns the private key file contents (one line). The caller
// writes it with mode 0600 in the node's data folder.
func (k *SigningKey) MarshalText() ([]byte, error) { return []byte(k.skey + "\n"), nil }

// Origin is the log origin, the key's name.
func (k *SigningKey) Origin() string { return k.signer.Name() }

// Signer signs checkpoints.
func (k *SigningKey) Signer() note.Signer { return k.signer }

// Verifier checks checkpoints signed by this key.
func (k *SigningKey) Verifier() note.Verifier { return k.verifier }

// VerifierKey is the public key partners pin ("<origin>+<hash>+<base64>").
func (k *SigningKey) VerifierKey() string { return k.vkey }

// ParseVerifierKey reads a public key as given by VerifierKey.
func ParseVerifierKey(vkey string) (note.Verifier, error) {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return nil, fmt.Errorf("parse checkpoint verifier key: %w", err)
	}
	return v, nil
}
