package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// bumpConsentVersions marks the datasets whose consent state changed.
func (db *DB) bumpConsentVersions(ctx context.Context, tx *sql.Tx, datasets map[string]bool) error {
	for d := range datasets {
		if _, err := db.exec(ctx, tx, `INSERT INTO consent_versions (dataset_id, version) VALUES (?, 1)
			ON CONFLICT (dataset_id) DO UPDATE SET version = consent_versions.version + 1`, d); err != nil {
			return fmt.Errorf("bump consent version: %w", err)
		}
	}
	return nil
}

// ConsentVersion returns a number that changes whenever a dataset's consent
// state does (0 if it never had any).
func (db *DB) ConsentVersion(ctx context.Context, datasetID string) (int64, error) {
	var v int64
	err := db.queryRow(ctx, db, `SELECT version FROM consent_versions WHERE dataset_id = ?`, datasetID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("consent version: %w", err)
	}
	return v, nil
}

// NextConsentExpiry returns the earliest expiry after t of a given consent
// for the purpose, or the zero time if none: until then the withheld set of
// the dataset for the purpose cannot change by itself.
func (db *DB) NextConsentExpiry(ctx context.Context, datasetID, purpose string, t time.Time) (time.Time, error) {
	var n sql.NullInt64
	purposes := purposeAndBroader(purpose)
	args := []any{datasetID}
	for _, p := range purposes {
		args = append(args, p)
	}
	args = append(args, toNanos(t))
	err := db.queryRow(ctx, db, `SELECT MIN(expires_at) FROM consent_current WHERE dataset_id = ? AND purpose IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(purposes)), ",")+`) AND state = 'given' AND expires_at > ?`, args...).Scan(&n)
	if err != nil {
		return time.Time{}, fmt.Errorf("next consent expiry: %w", err)
	}
	if !n.Valid {
		return time.Time{}, nil
	}
	return fromNanos(n.Int64), nil
}
