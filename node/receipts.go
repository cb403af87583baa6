package node

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strings"
)

// ReceiptKeyFile holds the ed25519 seed that signs consent receipts
// (base64, mode 0600). It is separate from the audit key so either can be
// rotated without the other.
const ReceiptKeyFile = "receipt-signing.key"

// ReceiptKey loads the node's receipt signing key, creating it on first run.
func ReceiptKey(dataDir string) (ed25519.PrivateKey, error) {
	b, err := loadOrCreateFile(filepath.Join(dataDir, ReceiptKeyFile), func() ([]byte, error) {
		seed := make([]byte, ed25519.SeedSize)
		rand.Read(seed)
		return []byte(base64.StdEncoding.EncodeToString(seed) + "\n"), nil
	})
	if err != nil {
		return nil, err
	}
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%s must hold a base64 ed25519 seed of %d bytes", ReceiptKeyFile, ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// setReceiptKey gives the HTTP server the node's receipt signing key.
func (n *Node) setReceiptKey() error {
	key, err := ReceiptKey(n.DataDir)
	if err != nil {
		return err
	}
	return n.Server.SetReceiptKey(key)
}
