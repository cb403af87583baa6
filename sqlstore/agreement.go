package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/accord-coalition/accord"
)

func (db *DB) CreateAgreementVersion(ctx context.Context, v *accord.AgreementVersion) error {
	_, err := db.exec(ctx, db, `INSERT INTO agreement_versions (id, version, source, digest, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		v.ID, v.Version, v.Source, v.Digest, v.CreatedBy, toNanos(v.CreatedAt))
	if err != nil {
		return db.conflict(err, "agreement %s version %d already exists; amend it as a new version", v.ID, v.Version)
	}
	return nil
}

const agreementColumns = `id, version, source, digest, created_by, created_at`

func scanAgreement(s interface{ Scan(...any) error }) (*accord.AgreementVersion, error) {
	var v accord.AgreementVersion
	var created int64
	if err := s.Scan(&v.ID, &v.Version, &v.Source, &v.Digest, &v.CreatedBy, &created); err != nil {
		return nil, err
	}
	v.CreatedAt = fromNanos(created)
	return &v, nil
}

func (db *DB) AgreementVersion(ctx context.Context, id string, version int) (*accord.AgreementVersion, error) {
	v, err := scanAgreement(db.queryRow(ctx, db, `SELECT `+agreementColumns+` FROM agreement_versions WHERE id = ? AND version = ?`, id, version))
	if err != nil {
		return nil, notFound(err, "agreement %s version %d not found", id, version)
	}
	return v, nil
}

func (db *DB) AgreementVersions(ctx context.Context, id string) ([]*accord.AgreementVersion, error) {
	q := `SELECT ` + agreementColumns + ` FROM agreement_versions`
	var args []any
	if id != "" {
		q += ` WHERE id = ?`
		args = append(args, id)
	}
	rows, err := db.query(ctx, db, q+` ORDER BY id, version`, args...)
	if err != nil {
		return nil, fmt.Errorf("list agreements: %w", err)
	}
	defer rows.Close()
	var out []*accord.AgreementVersion
	for rows.Next() {
		v, err := scanAgreement(rows)
		if err != nil {
			return nil, fmt.Errorf("scan agreement: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (db *DB) AppendAgreementEvent(ctx context.Context, e *accord.AgreementEvent, seq int) error {
	return db.InTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := db.queryRow(ctx, tx, `SELECT COUNT(*) FROM agreement_versions WHERE id = ? AND version = ?`, e.AgreementID, e.Version).Scan(&n); err != nil {
			return fmt.Errorf("check agreement: %w", err)
		}
		if n == 0 {
			return accord.Errorf(accord.ENOTFOUND, "agreement %s version %d not found", e.AgreementID, e.Version)
		}
		if err := db.queryRow(ctx, tx, `SELECT COUNT(*) FROM agreement_events WHERE agreement_id = ? AND version = ?`, e.AgreementID, e.Version).Scan(&n); err != nil {
			return fmt.Errorf("count agreement events: %w", err)
		}
		if n != seq {
			return accord.Errorf(accord.ECONFLICT, "agreement %s version %d changed meanwhile; try again", e.AgreementID, e.Version)
		}
		e.Seq = seq
		_, err := db.exec(ctx, tx, `INSERT INTO agreement_events (agreement_id, version, seq, data, at) VALUES (?, ?, ?, ?, ?)`,
			e.AgreementID, e.Version, e.Seq, string(e.Data), toNanos(e.At))
		return db.conflict(err, "agreement %s version %d changed meanwhile; try again", e.AgreementID, e.Version)
	})
}

func (db *DB) AgreementEvents(ctx context.Context, id string) ([]*accord.AgreementEvent, error) {
	q := `SELECT agreement_id, version, seq, data, at FROM agreement_events`
	var args []any
	if id != "" {
		q += ` WHERE agreement_id = ?`
		args = append(args, id)
	}
	rows, err := db.query(ctx, db, q+` ORDER BY agreement_id, version, seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("list agreement events: %w", err)
	}
	defer rows.Close()
	var out []*accord.AgreementEvent
	for rows.Next() {
		var e accord.AgreementEvent
		var data string
		var at int64
		if err := rows.Scan(&e.AgreementID, &e.Version, &e.Seq, &data, &at); err != nil {
			return nil, fmt.Errorf("scan agreement event: %w", err)
		}
		e.Data, e.At = []byte(data), fromNanos(at)
		out = append(out, &e)
	}
	return out, rows.Err()
}
