package agreement

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"strconv"

	"github.com/accord-coalition/accord"
)

// Signature is one party's signature over one version of an agreement. It
// is detached: the agreement text stays as its authors wrote it, and the
// signatures travel beside it.
type Signature struct {
	Agreement    string `json:"agreement"`
	Version      int    `json:"version"`
	Digest       string `json:"digest"`
	Organisation string `json:"organisation"`
	Member       string `json:"member"`
	Value        []byte `json:"signature"` // ed25519, base64 in JSON
}

// SigningMessage is the exact byte string a signer signs. It binds the
// agreement id, the version and the digest of the canonical form, with a
// domain-separation line, so a signature can be replayed neither onto
// another agreement or version nor outside Accord.
func SigningMessage(id string, version int, d Digest) []byte {
	var b bytes.Buffer
	b.WriteString("accord agreement signature v1\n")
	b.WriteString("id: " + id + "\n")
	b.WriteString("version: " + strconv.Itoa(version) + "\n")
	b.WriteString("digest: " + d.String() + "\n")
	return b.Bytes()
}

// Sign signs a for the party org with the signer's private key. It refuses
// a key that is not the one the agreement names for that party, since such
// a signature could never be verified.
func Sign(a *Agreement, org string, key ed25519.PrivateKey) (*Signature, error) {
	p := a.Party(org)
	if p == nil {
		return nil, accord.Errorf(accord.EFORBIDDEN, "organisation %q is not a party to agreement %s v%d", org, a.ID, a.Version)
	}
	if len(key) != ed25519.PrivateKeySize {
		return nil, accord.Errorf(accord.EINVALID, "the signing key is not an ed25519 private key")
	}
	if !bytes.Equal(key.Public().(ed25519.PublicKey), p.Signer.Key) {
		return nil, accord.Errorf(accord.EFORBIDDEN, "this key is not the signer key the agreement names for %s (member %s)", org, p.Signer.Member)
	}
	d, err := DigestOf(a)
	if err != nil {
		return nil, fmt.Errorf("sign agreement: %w", err)
	}
	return &Signature{
		Agreement:    a.ID,
		Version:      a.Version,
		Digest:       d.String(),
		Organisation: org,
		Member:       p.Signer.Member,
		Value:        ed25519.Sign(key, SigningMessage(a.ID, a.Version, d)),
	}, nil
}

// Verify checks that s is a valid signature on exactly this agreement text
// by the authorised signer of a party. The message is rebuilt from a, not
// from the claims in s, so a signature copied from another agreement,
// version or text fails even if its claims are edited to match.
func Verify(a *Agreement, s *Signature) error {
	if s == nil {
		return accord.Errorf(accord.EINVALID, "no signature given")
	}
	p := a.Party(s.Organisation)
	if p == nil {
		return accord.Errorf(accord.EFORBIDDEN, "signature by %q refused: that organisation is not a party to agreement %s v%d", s.Organisation, a.ID, a.Version)
	}
	if s.Member != p.Signer.Member {
		return accord.Errorf(accord.EFORBIDDEN, "signature for %s refused: member %q is not its authorised signer (%s is)", s.Organisation, s.Member, p.Signer.Member)
	}
	if s.Agreement != a.ID || s.Version != a.Version {
		return accord.Errorf(accord.EINVALID, "signature by %s refused: it was made for agreement %s v%d, not %s v%d", s.Organisation, s.Agreement, s.Version, a.ID, a.Version)
	}
	d, err := DigestOf(a)
	if err != nil {
		return fmt.Errorf("verify signature: %w", err)
	}
	if s.Digest != d.String() {
		return accord.Errorf(accord.EINVALID, "signature by %s refused: it was made over different text (%s) than this agreement (%s); the document changed after signing", s.Organisation, s.Digest, d)
	}
	if len(p.Signer.Key) != ed25519.PublicKeySize || !ed25519.Verify(ed25519.PublicKey(p.Signer.Key), SigningMessage(a.ID, a.Version, d), s.Value) {
		return accord.Errorf(accord.EINVALID, "signature by %s refused: it does not verify with %s's signer key", s.Organisation, s.Organisation)
	}
	return nil
}
