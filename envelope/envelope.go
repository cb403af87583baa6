// Package envelope encrypts data at rest with envelope encryption: each
// dataset gets its own AES-256-GCM data key, stored only wrapped (encrypted)
// by the node's master key. Deleting a data key makes everything it sealed
// unreadable, backups included (crypto-shredding).
package envelope

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/accord-coalition/accord"
)

// KeySize is the size of master and data keys (AES-256).
const KeySize = 32

// MasterKeyEnv names the environment variable that may carry the master key
// (base64), for operators who keep it in a secret manager, not on disk.
const MasterKeyEnv = "ACCORD_MASTER_KEY"

// LoadOrCreateMasterKey returns the master key from MasterKeyEnv if set,
// otherwise from path, creating a new random key file (mode 0600) when none
// exists. A key file readable by others is refused: it would defeat the point.
func LoadOrCreateMasterKey(path string) ([]byte, error) {
	if v := os.Getenv(MasterKeyEnv); v != "" {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
		if err != nil || len(k) != KeySize {
			return nil, accord.Errorf(accord.EINVALID, "%s must be %d bytes in base64", MasterKeyEnv, KeySize)
		}
		return k, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		k := make([]byte, KeySize)
		if _, err := rand.Read(k); err != nil {
			return nil, fmt.Errorf("generate master key: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create key folder: %w", err)
		}
		// O_EXCL: two processes starting at once must not both write a key.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create master key file: %w", err)
		}
		if _, err := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n"); err != nil {
			f.Close()
			return nil, fmt.Errorf("write master key file: %w", err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("sync master key file: %w", err)
		}
		return k, f.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("read master key: %w", err)
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		return nil, accord.Errorf(accord.EINVALID, "master key file %s has mode %v; it must be readable by its owner only (chmod 600)", path, st.Mode().Perm())
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) != KeySize {
		return nil, accord.Errorf(accord.EINVALID, "master key file %s is not %d bytes in base64", path, KeySize)
	}
	return k, nil
}

// Keyring creates, unwraps and destroys data keys.
type Keyring struct {
	master cipher.AEAD
	store  accord.KeyStore

	mu    sync.Mutex
	cache map[string]cipher.AEAD // unwrapped keys; dropped on Destroy
}

// NewKeyring returns a keyring wrapping data keys with master.
func NewKeyring(master []byte, store accord.KeyStore) (*Keyring, error) {
	a, err := newAEAD(master)
	if err != nil {
		return nil, err
	}
	return &Keyring{master: a, store: store, cache: map[string]cipher.AEAD{}}, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("key must be %d bytes, got %d", KeySize, len(key))
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes: %w", err)
	}
	return cipher.NewGCM(b)
}

// Create makes a new random data key named id and stores it wrapped.
func (k *Keyring) Create(ctx context.Context, id string) error {
	dk := make([]byte, KeySize)
	if _, err := rand.Read(dk); err != nil {
		return fmt.Errorf("generate data key: %w", err)
	}
	// The key id is bound as additional data so a wrapped key cannot be
	// swapped under another dataset's name.
	wrapped := seal(k.master, dk, []byte("accord-data-key:"+id))
	return k.store.PutKey(ctx, &accord.WrappedKey{ID: id, Wrapped: wrapped, CreatedAt: time.Now().UTC()})
}

// Destroy deletes the data key id: whatever it sealed is gone for good.
func (k *Keyring) Destroy(ctx context.Context, id string) error {
	k.mu.Lock()
	delete(k.cache, id)
	k.mu.Unlock()
	return k.store.DeleteKey(ctx, id)
}

func (k *Keyring) aead(ctx context.Context, id string) (cipher.AEAD, error) {
	k.mu.Lock()
	a, ok := k.cache[id]
	k.mu.Unlock()
	if ok {
		return a, nil
	}
	wk, err := k.store.Key(ctx, id)
	if err != nil {
		return nil, err
	}
	dk, err := open(k.master, wk.Wrapped, []byte("accord-data-key:"+id))
	if err != nil {
		return nil, fmt.Errorf("unwrap data key %s (wrong master key?): %w", id, err)
	}
	if a, err = newAEAD(dk); err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.cache[id] = a
	k.mu.Unlock()
	return a, nil
}

// Seal encrypts plaintext under data key id. aad (e.g. "dataset:x/chunk:3")
// is authenticated but not encrypted, binding a ciphertext to its place.
func (k *Keyring) Seal(ctx context.Context, id string, plaintext, aad []byte) ([]byte, error) {
	a, err := k.aead(ctx, id)
	if err != nil {
		return nil, err
	}
	return seal(a, plaintext, aad), nil
}

// Open decrypts what Seal produced.
func (k *Keyring) Open(ctx context.Context, id string, ciphertext, aad []byte) ([]byte, error) {
	a, err := k.aead(ctx, id)
	if err != nil {
		return nil, err
	}
	return open(a, ciphertext, aad)
}

// seal returns nonce || ciphertext. Random 96-bit nonces are safe for far
// more messages than one data key ever seals.
func seal(a cipher.AEAD, plaintext, aad []byte) []byte {
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(plaintext)+a.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err)) // the platform is broken; nothing safe to do
	}
	return a.Seal(nonce, nonce, plaintext, aad)
}

func open(a cipher.AEAD, ct, aad []byte) ([]byte, error) {
	if len(ct) < a.NonceSize()+a.Overhead() {
		return nil, errors.New("ciphertext too short")
	}
	pt, err := a.Open(nil, ct[:a.NonceSize()], ct[a.NonceSize():], aad)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	return pt, nil
}
