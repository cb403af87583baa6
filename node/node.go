// Package node assembles one running Accord node: its data folder, store,
// keys, audit log and HTTP server. cmd/accord only parses flags and calls it.
package node

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/audit"
	"github.com/accord-coalition/accord/dataset"
	"github.com/accord-coalition/accord/envelope"
	accordhttp "github.com/accord-coalition/accord/http"
	"github.com/accord-coalition/accord/policy"
	"github.com/accord-coalition/accord/postgres"
	"github.com/accord-coalition/accord/sqlite"
	"github.com/accord-coalition/accord/sqlstore"
)

// Config says where a node keeps its state.
type Config struct {
	DataDir     string // keys, and the SQLite database unless DatabaseURL is set
	DatabaseURL string // postgres://… to use PostgreSQL instead of SQLite
	Logger      *slog.Logger
}

// Node is an opened node.
type Node struct {
	Config
	Store    *sqlstore.DB
	Keyring  *envelope.Keyring
	Audit    *audit.Log
	AuditKey *audit.SigningKey
	Hasher   *audit.Hasher
	Server   *accordhttp.Server

	pseudonyms pseudonymKeys
}

// Files in the data folder.
const (
	DatabaseFile   = "accord.db"
	MasterKeyFile  = "master.key"
	AuditKeyFile   = "audit-signing.key"
	AuditHMACFile  = "audit-hmac.key"
	DemoTokensFile = "demo-tokens.json"
)

// Open opens (creating on first run) the node's data folder and services.
func Open(ctx context.Context, cfg Config) (*Node, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder %s: %w", cfg.DataDir, err)
	}
	n := &Node{Config: cfg}
	var err error
	if cfg.DatabaseURL != "" {
		if !strings.HasPrefix(cfg.DatabaseURL, "postgres://") && !strings.HasPrefix(cfg.DatabaseURL, "postgresql://") {
			return nil, accord.Errorf(accord.EINVALID, "--database must be a postgres:// URL")
		}
		n.Store, err = postgres.Open(ctx, cfg.DatabaseURL)
	} else {
		n.Store, err = sqlite.Open(ctx, filepath.Join(cfg.DataDir, DatabaseFile))
	}
	if err != nil {
		return nil, err
	}
	if err := n.openKeys(); err != nil {
		n.Store.Close()
		return nil, err
	}
	n.Audit, err = audit.Open(ctx, n.Store.AuditStore(), audit.Options{Key: n.AuditKey, Hasher: n.Hasher})
	if err != nil {
		n.Store.Close()
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	n.Server = accordhttp.NewServer(n.Store, Auditor{Log: n.Audit}, cfg.Logger)
	n.Server.AuditStore = n.Store.AuditStore()
	n.Server.AuditVerifierKey = n.AuditKey.VerifierKey()
	n.Server.Datasets = &dataset.Service{Store: n.Store, Keyring: n.Keyring}
	n.Server.Policy = &policy.Service{Store: n.Store}
	n.Server.Pseudonyms = n.pseudonyms
	if err := n.setReceiptKey(); err != nil {
		n.Close()
		return nil, err
	}
	return n, nil
}

func (n *Node) openKeys() error {
	master, err := envelope.LoadOrCreateMasterKey(filepath.Join(n.DataDir, MasterKeyFile))
	if err != nil {
		return err
	}
	if n.Keyring, err = envelope.NewKeyring(master, n.Store); err != nil {
		return err
	}
	n.pseudonyms = newPseudonymKeys(master)
	skey, err := loadOrCreateFile(filepath.Join(n.DataDir, AuditKeyFile), func() ([]byte, error) {
		b := make([]byte, 6)
		rand.Read(b)
		k, err := audit.GenerateSigningKey("accord-node-" + hex.EncodeToString(b))
		if err != nil {
			return nil, err
		}
		return k.MarshalText()
	})
	if err != nil {
		return err
	}
	if n.AuditKey, err = audit.ParseSigningKey(skey); err != nil {
		return fmt.Errorf("%s: %w", AuditKeyFile, err)
	}
	secret, err := loadOrCreateFile(filepath.Join(n.DataDir, AuditHMACFile), func() ([]byte, error) {
		s, err := audit.GenerateSecret()
		return []byte(base64.StdEncoding.EncodeToString(s) + "\n"), err
	})
	if err != nil {
		return err
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(secret)))
	if err != nil {
		return fmt.Errorf("%s is not base64: %w", AuditHMACFile, err)
	}
	n.Hasher, err = audit.NewHasher(raw)
	return err
}

// loadOrCreateFile reads a secret file, creating it (mode 0600) with gen()
// on first run. A secret readable by others is refused.
func loadOrCreateFile(path string, gen func() ([]byte, error)) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
			return nil, accord.Errorf(accord.EINVALID, "%s has mode %v; it must be readable by its owner only (chmod 600)", path, st.Mode().Perm())
		}
		return b, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if b, err = gen(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("sync %s: %w", path, err)
	}
	return b, f.Close()
}

// Close stops the audit writer and closes the store.
func (n *Node) Close() error {
	var errs []error
	if n.Audit != nil {
		errs = append(errs, n.Audit.Close())
	}
	errs = append(errs, n.Store.Close())
	return errors.Join(errs...)
}

// Auditor adapts the audit log to accord.Auditor.
type Auditor struct{ Log *audit.Log }

// Record appends r and returns once it is durable.
func (a Auditor) Record(ctx context.Context, r *accord.AuditRecord) error {
	d := audit.Denied
	if r.Allowed {
		d = audit.Allowed
	}
	_, err := a.Log.Append(ctx, audit.Entry{
		Actor:  audit.Actor{MemberID: r.MemberID, OrganisationID: r.OrganisationID},
		Action: r.Action, Resource: r.Resource, Purpose: r.Purpose, Decision: d, Reason: r.Reason,
		RequestDigest: r.RequestDigest, Subject: r.Subject, Detail: r.Detail,
	})
	return err
}
