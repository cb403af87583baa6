package envelope_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/envelope"
	"github.com/accord-coalition/accord/sqlite"
)

func TestMasterKeyFileIsCreatedPrivateAndReused(t *testing.T) {
	t.Setenv(envelope.MasterKeyEnv, "")
	path := filepath.Join(t.TempDir(), "keys", "master.key")
	k1, err := envelope.LoadOrCreateMasterKey(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, want 0600", st.Mode().Perm())
	}
	k2, err := envelope.LoadOrCreateMasterKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k1, k2) || len(k1) != 32 {
		t.Fatal("master key changed between loads")
	}
	os.Chmod(path, 0o644)
	if _, err := envelope.LoadOrCreateMasterKey(path); accord.ErrorCode(err) != accord.EINVALID {
		t.Fatalf("world-readable key accepted: %v", err)
	}
}

func TestMasterKeyFromEnvironment(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	t.Setenv(envelope.MasterKeyEnv, base64.StdEncoding.EncodeToString(key))
	got, err := envelope.LoadOrCreateMasterKey(filepath.Join(t.TempDir(), "unused"))
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("key = %x, %v", got, err)
	}
	t.Setenv(envelope.MasterKeyEnv, "c2hvcnQ=")
	if _, err := envelope.LoadOrCreateMasterKey("x"); accord.ErrorCode(err) != accord.EINVALID {
		t.Fatalf("short key accepted: %v", err)
	}
}

func TestSealOpenAndCryptoShredding(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	master := bytes.Repeat([]byte{1}, 32)
	kr, err := envelope.NewKeyring(master, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := kr.Create(ctx, "dataset:survey"); err != nil {
		t.Fatal(err)
	}
	secret := []byte("name;age\nAma;34\n")
	ct, err := kr.Seal(ctx, "dataset:survey", secret, []byte("chunk:0"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, []byte("Ama")) {
		t.Fatal("ciphertext contains plaintext")
	}
	pt, err := kr.Open(ctx, "dataset:survey", ct, []byte("chunk:0"))
	if err != nil || !bytes.Equal(pt, secret) {
		t.Fatalf("open = %q, %v", pt, err)
	}
	if _, err := kr.Open(ctx, "dataset:survey", ct, []byte("chunk:1")); err == nil {
		t.Fatal("ciphertext moved to another place still opened")
	}
	tampered := bytes.Clone(ct)
	tampered[len(tampered)-1] ^= 1
	if _, err := kr.Open(ctx, "dataset:survey", tampered, []byte("chunk:0")); err == nil {
		t.Fatal("tampered ciphertext opened")
	}
	// Another node's master key cannot unwrap the data key.
	other, _ := envelope.NewKeyring(bytes.Repeat([]byte{2}, 32), db)
	if _, err := other.Open(ctx, "dataset:survey", ct, []byte("chunk:0")); err == nil {
		t.Fatal("wrong master key opened data")
	}
	if err := kr.Destroy(ctx, "dataset:survey"); err != nil {
		t.Fatal(err)
	}
	// A fresh keyring (no cache), as after a restart or from a backup.
	fresh, _ := envelope.NewKeyring(master, db)
	for _, k := range []*envelope.Keyring{kr, fresh} {
		if _, err := k.Open(ctx, "dataset:survey", ct, []byte("chunk:0")); accord.ErrorCode(err) != accord.ENOTFOUND {
			t.Fatalf("data readable after its key was destroyed: %v", err)
		}
	}
}
