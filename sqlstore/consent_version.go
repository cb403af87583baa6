package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/accord-coalition/accord"
)

// bumpConsentVersions moves the version of each dataset whose consent state
// a transaction changes, and returns the new versions for the rows it
// writes. It must come before those writes: on PostgreSQL the bump locks
// the dataset's counter until commit, so two changes to one dataset commit
// in the order of their versions, and a reader that has seen version v and
// asks for rows written after v misses none.
func (db *DB) bumpConsentVersions(ctx context.Context, tx *sql.Tx, datasets map[string]bool) (map[string]int64, error) {
	out := make(map[string]int64, len(datasets))
	// A fixed order keeps two multi-dataset batches from locking each
	// other's counters in opposite orders.
	for _, d := range slices.Sorted(maps.Keys(datasets)) {
		var v int64
		if err := db.queryRow(ctx, tx, `INSERT INTO consent_versions (dataset_id, version) VALUES (?, 1)
			ON CONFLICT (dataset_id) DO UPDATE SET version = consent_versions.version + 1 RETURNING version`, d).Scan(&v); err != nil {
			return nil, fmt.Errorf("bump consent version: %w", err)
		}
		out[d] = v
	}
	return out, nil
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
// the dataset for the purpose cannot change by itself. "expires_at <> 0"
// repeats the partial index's condition word for word, which is how
// SQLite knows the index covers the query.
func (db *DB) NextConsentExpiry(ctx context.Context, datasetID, purpose string, t time.Time) (time.Time, error) {
	var n sql.NullInt64
	purposes := purposeAndBroader(purpose)
	args := appendStrings([]any{datasetID}, purposes)
	args = append(args, toNanos(t))
	err := db.queryRow(ctx, db, `SELECT MIN(expires_at) FROM consent_current WHERE dataset_id = ? AND purpose IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(purposes)), ",")+`) AND state = 'given' AND expires_at <> 0 AND expires_at > ?`, args...).Scan(&n)
	if err != nil {
		return time.Time{}, fmt.Errorf("next consent expiry: %w", err)
	}
	if !n.Valid {
		return time.Time{}, nil
	}
	return fromNanos(n.Int64), nil
}

// WithheldChanges returns the subjects whose standing for purpose may have
// moved since the withheld set was read at consent version since and time
// from, with their standing at at. They are the subjects registered or
// decided about (for the purpose or a broader one) after that version, and
// those whose given consent lapsed in (from, at]. Both are found through
// indexes, so the cost follows the number of changes, not of subjects.
func (db *DB) WithheldChanges(ctx context.Context, datasetID, purpose string, since int64, from, at time.Time) ([]accord.WithheldChange, error) {
	purposes := purposeAndBroader(purpose)
	marks := strings.TrimSuffix(strings.Repeat("?,", len(purposes)), ",")
	args := appendStrings([]any{datasetID}, purposes)
	args = appendStrings(append(args, since, datasetID), purposes)
	args = appendStrings(append(args, toNanos(from), toNanos(at), datasetID, since, toNanos(at), datasetID), purposes)
	args = append(args, datasetID)
	// The standing is worked out as WithheldSubjects does, one subject at a
	// time through the primary key: a join against a windowed subquery
	// would scan it once per changed subject, quadratic in a large import.
	// No decision at all leaves the subquery NULL: withheld.
	rows, err := db.query(ctx, db, `WITH changed AS (
			SELECT subject_key FROM consent_current WHERE dataset_id = ? AND purpose IN (`+marks+`) AND version > ?
			UNION
			SELECT subject_key FROM consent_current WHERE dataset_id = ? AND purpose IN (`+marks+`) AND state = 'given'
				AND expires_at <> 0 AND expires_at > ? AND expires_at <= ?
			UNION
			SELECT subject_key FROM consent_subjects WHERE dataset_id = ? AND version > ?
		)
		SELECT s.subject_key, COALESCE((
			SELECT CASE WHEN c.state <> 'given' OR (c.expires_at <> 0 AND c.expires_at <= ?) THEN 1 ELSE 0 END
			FROM consent_current c WHERE c.dataset_id = ? AND c.purpose IN (`+marks+`) AND c.subject_key = s.subject_key
			ORDER BY c.decided_at DESC, LENGTH(c.purpose) DESC LIMIT 1), 1)
		FROM changed ch
		JOIN consent_subjects s ON s.dataset_id = ? AND s.subject_key = ch.subject_key`, args...)
	if err != nil {
		return nil, fmt.Errorf("withheld changes: %w", err)
	}
	defer rows.Close()
	out := []accord.WithheldChange{}
	for rows.Next() {
		var c accord.WithheldChange
		var withheld int
		if err := rows.Scan(&c.Key, &withheld); err != nil {
			return nil, fmt.Errorf("scan withheld change: %w", err)
		}
		c.Withheld = withheld == 1
		out = append(out, c)
	}
	return out, rows.Err()
}

// appendStrings appends ss to args, as query arguments.
func appendStrings(args []any, ss []string) []any {
	for _, v := range ss {
		args = append(args, v)
	}
	return args
}
