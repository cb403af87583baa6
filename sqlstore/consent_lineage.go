package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/accord-coalition/accord"
)

func (db *DB) RecordDerivation(ctx context.Context, d *accord.Derivation) error {
	if err := d.Validate(); err != nil {
		return err
	}
	_, err := db.exec(ctx, db, `INSERT INTO derivations (id, kind, organisation_id, dataset_id, purpose, description, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, d.ID, d.Kind, d.OrganisationID, d.DatasetID, d.Purpose, d.Description, d.CreatedBy, toNanos(d.CreatedAt))
	if err != nil {
		return db.conflict(err, "derivation %q already exists", d.ID)
	}
	return nil
}

type sourcePurpose struct{ dataset, purpose string }

// flagDerivations flags, for every withdrawal or expiry in events, each
// derivation of the same dataset and purpose made before it. Withdrawals are
// grouped first so a bulk import touches each derivation once.
func (db *DB) flagDerivations(ctx context.Context, tx *sql.Tx, events []*accord.ConsentEvent) (int, error) {
	groups := map[sourcePurpose][]int64{}
	for _, e := range events {
		if e.State == accord.ConsentWithdrawn || e.State == accord.ConsentExpired {
			k := sourcePurpose{e.DatasetID, e.Purpose}
			groups[k] = append(groups[k], toNanos(e.Time))
		}
	}
	if len(groups) == 0 {
		return 0, nil
	}
	flagged := 0
	for k, times := range groups {
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		latest := times[len(times)-1]
		rows, err := db.query(ctx, tx, `SELECT d.id, d.created_at, COALESCE(f.resolved_at, -1) FROM derivations d
			LEFT JOIN derivation_flags f ON f.derivation_id = d.id
			WHERE d.dataset_id = ? AND d.purpose = ? AND d.created_at < ?`, k.dataset, k.purpose, latest)
		if err != nil {
			return 0, fmt.Errorf("find derivations: %w", err)
		}
		type hit struct {
			id       string
			created  int64
			resolved int64
		}
		var hits []hit
		for rows.Next() {
			var h hit
			if err := rows.Scan(&h.id, &h.created, &h.resolved); err != nil {
				rows.Close()
				return 0, fmt.Errorf("scan derivation: %w", err)
			}
			hits = append(hits, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, fmt.Errorf("find derivations: %w", err)
		}
		now := toNanos(db.Now())
		for _, h := range hits {
			if h.resolved > 0 {
				continue // regenerated already; the new artefact is its own derivation
			}
			// Withdrawals strictly after the derivation was made.
			n := len(times) - sort.Search(len(times), func(i int) bool { return times[i] > h.created })
			if h.resolved < 0 {
				flagged++
			}
			_, err := db.exec(ctx, tx, `INSERT INTO derivation_flags (derivation_id, withdrawals, first_flagged_at, last_withdrawal, resolved_at)
				VALUES (?, ?, ?, ?, 0)
				ON CONFLICT (derivation_id) DO UPDATE SET withdrawals = derivation_flags.withdrawals + excluded.withdrawals,
					last_withdrawal = CASE WHEN excluded.last_withdrawal > derivation_flags.last_withdrawal
						THEN excluded.last_withdrawal ELSE derivation_flags.last_withdrawal END`,
				h.id, int64(n), now, latest)
			if err != nil {
				return 0, fmt.Errorf("flag derivation %s: %w", h.id, err)
			}
		}
	}
	return flagged, nil
}

func (db *DB) DerivationFlags(ctx context.Context, f accord.DerivationFlagFilter) ([]*accord.DerivationFlag, error) {
	q := `SELECT d.id, d.kind, d.organisation_id, d.dataset_id, d.purpose, d.description, d.created_by, d.created_at,
		f.withdrawals, f.first_flagged_at, f.last_withdrawal, f.resolved_at
		FROM derivation_flags f JOIN derivations d ON d.id = f.derivation_id WHERE 1 = 1`
	var args []any
	if f.OrganisationID != "" {
		q += ` AND d.organisation_id = ?`
		args = append(args, f.OrganisationID)
	}
	if f.DatasetID != "" {
		q += ` AND d.dataset_id = ?`
		args = append(args, f.DatasetID)
	}
	if f.OpenOnly {
		q += ` AND f.resolved_at = 0`
	}
	rows, err := db.query(ctx, db, q+` ORDER BY f.first_flagged_at, d.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list derivation flags: %w", err)
	}
	defer rows.Close()
	out := []*accord.DerivationFlag{}
	for rows.Next() {
		var fl accord.DerivationFlag
		d := &fl.Derivation
		var created, first, last, resolved int64
		if err := rows.Scan(&d.ID, &d.Kind, &d.OrganisationID, &d.DatasetID, &d.Purpose, &d.Description, &d.CreatedBy, &created,
			&fl.Withdrawals, &first, &last, &resolved); err != nil {
			return nil, fmt.Errorf("scan derivation flag: %w", err)
		}
		d.CreatedAt, fl.FirstFlaggedAt, fl.LastWithdrawal, fl.ResolvedAt = fromNanos(created), fromNanos(first), fromNanos(last), fromNanos(resolved)
		fl.Regenerate = fmt.Sprintf("regenerate %s %s from dataset %s for purpose %s: %d consent withdrawal(s) since it was made on %s",
			d.Kind, d.ID, d.DatasetID, d.Purpose, fl.Withdrawals, d.CreatedAt.Format(time.DateOnly))
		out = append(out, &fl)
	}
	return out, rows.Err()
}

func (db *DB) ResolveDerivationFlag(ctx context.Context, derivationID string, at time.Time) error {
	res, err := db.exec(ctx, db, `UPDATE derivation_flags SET resolved_at = ? WHERE derivation_id = ? AND resolved_at = 0`, toNanos(at), derivationID)
	if err != nil {
		return fmt.Errorf("resolve derivation flag: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var k int
		if err := db.queryRow(ctx, db, `SELECT COUNT(*) FROM derivation_flags WHERE derivation_id = ?`, derivationID).Scan(&k); err != nil {
			return fmt.Errorf("check derivation flag: %w", err)
		}
		if k == 0 {
			return accord.Errorf(accord.ENOTFOUND, "derivation %q is not flagged", derivationID)
		}
		return accord.Errorf(accord.ECONFLICT, "the flag on derivation %q is already resolved", derivationID)
	}
	return nil
}
