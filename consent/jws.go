package consent

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Receipts are signed as JWS compact serialisation (RFC 7515) with alg
// EdDSA over Ed25519 (RFC 8037). This is only an encoding around
// crypto/ed25519: header.payload are base64url without padding, and the
// signature covers exactly the ASCII of "header.payload".

var b64 = base64.RawURLEncoding

type jwsHeader struct {
	Alg string `json:"alg"`
	Typ string `json:"typ,omitempty"`
	Kid string `json:"kid,omitempty"`
}

// KeyID names a public key: the base64url SHA-256 of the raw key, cut to
// 16 characters, so a verifier can tell which node key signed.
func KeyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return b64.EncodeToString(h[:])[:16]
}

// SignJWS signs payload (JSON) with key and returns the compact JWS.
func SignJWS(key ed25519.PrivateKey, payload []byte) (string, error) {
	if len(key) != ed25519.PrivateKeySize {
		return "", errors.New("receipt signing key is not an Ed25519 private key")
	}
	h, err := json.Marshal(jwsHeader{Alg: "EdDSA", Typ: "JWT", Kid: KeyID(key.Public().(ed25519.PublicKey))})
	if err != nil {
		return "", fmt.Errorf("encode JWS header: %w", err)
	}
	input := b64.EncodeToString(h) + "." + b64.EncodeToString(payload)
	return input + "." + b64.EncodeToString(ed25519.Sign(key, []byte(input))), nil
}

// VerifyJWS checks a compact JWS against pub and returns its payload. Only
// alg EdDSA is accepted, whatever the header claims otherwise, so a token
// cannot downgrade its own verification ("alg": "none").
func VerifyJWS(pub ed25519.PublicKey, jws string) ([]byte, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, errors.New("verification key is not an Ed25519 public key")
	}
	parts := strings.Split(strings.TrimSpace(jws), ".")
	if len(parts) != 3 {
		return nil, errors.New("not a compact JWS: it must have three dot-separated parts")
	}
	hb, err := b64.DecodeString(parts[0])
	if err != nil {
		return nil, fmt.Errorf("JWS header is not base64url: %w", err)
	}
	var h jwsHeader
	dec := json.NewDecoder(bytes.NewReader(hb))
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("JWS header is not JSON: %w", err)
	}
	if h.Alg != "EdDSA" {
		return nil, fmt.Errorf("JWS algorithm %q is not accepted (only EdDSA)", h.Alg)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("JWS signature is not base64url: %w", err)
	}
	if !ed25519.Verify(pub, []byte(parts[0]+"."+parts[1]), sig) {
		return nil, errors.New("the signature does not match: the receipt was altered or signed by another key")
	}
	payload, err := b64.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("JWS payload is not base64url: %w", err)
	}
	return payload, nil
}
