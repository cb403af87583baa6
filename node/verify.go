package node

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/audit"
	"github.com/accord-coalition/accord/postgres"
	"github.com/accord-coalition/accord/sqlite"
	"github.com/accord-coalition/accord/sqlstore"
)

// OpenStore opens an existing node's database without starting its audit
// writer, for offline tools (verification, reports). It never creates a
// data folder: a typo in --data must not look like an empty, valid log.
func OpenStore(ctx context.Context, cfg Config) (*sqlstore.DB, error) {
	if cfg.DatabaseURL != "" {
		return postgres.Open(ctx, cfg.DatabaseURL)
	}
	path := filepath.Join(cfg.DataDir, DatabaseFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, accord.Errorf(accord.ENOTFOUND, "no Accord database in %s (is --data right?)", cfg.DataDir)
	}
	return sqlite.Open(ctx, path)
}

// VerifyAudit recomputes the node's whole audit tree from its stored entries
// and checks every checkpoint against the node's key.
func VerifyAudit(ctx context.Context, cfg Config, o audit.VerifyOptions) (*audit.Report, error) {
	b, err := os.ReadFile(filepath.Join(cfg.DataDir, AuditKeyFile))
	if err != nil {
		return nil, fmt.Errorf("read the node's checkpoint key: %w", err)
	}
	key, err := audit.ParseSigningKey(b)
	if err != nil {
		return nil, err
	}
	db, err := OpenStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return audit.VerifyStoreWith(ctx, db.AuditStore(), key.Verifier(), o)
}
