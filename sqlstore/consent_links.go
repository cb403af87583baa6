package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/accord-coalition/accord"
)

// CreateConsentLink stores l and revokes the subject's earlier live links in
// the same transaction, so a subject never has two links at once.
func (db *DB) CreateConsentLink(ctx context.Context, l *accord.ConsentLink) error {
	if len(l.Hash) == 0 || l.ExpiresAt.IsZero() {
		return accord.Errorf(accord.EINVALID, "a consent link needs a secret and an expiry")
	}
	return db.InTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := db.queryRow(ctx, tx, `SELECT COUNT(*) FROM consent_subjects WHERE dataset_id = ? AND subject_key = ?`,
			l.DatasetID, l.SubjectKey).Scan(&n); err != nil {
			return fmt.Errorf("check subject: %w", err)
		}
		if n == 0 {
			return accord.Errorf(accord.EINVALID, "subject %q is not registered for dataset %q", l.SubjectKey, l.DatasetID)
		}
		if _, err := db.exec(ctx, tx, `UPDATE consent_links SET revoked_at = ? WHERE dataset_id = ? AND subject_key = ? AND revoked_at = 0`,
			toNanos(l.CreatedAt), l.DatasetID, l.SubjectKey); err != nil {
			return fmt.Errorf("revoke earlier links: %w", err)
		}
		_, err := db.exec(ctx, tx, `INSERT INTO consent_links (id, organisation_id, dataset_id, subject_key, agreement, language, hash,
			created_by, created_at, expires_at, revoked_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			l.ID, l.OrganisationID, l.DatasetID, l.SubjectKey, l.Agreement, l.Language, l.Hash,
			l.CreatedBy, toNanos(l.CreatedAt), toNanos(l.ExpiresAt), toNanos(l.RevokedAt), toNanos(l.LastUsedAt))
		return db.conflict(err, "consent link %q already exists", l.ID)
	})
}

const linkColumns = `id, organisation_id, dataset_id, subject_key, agreement, language, hash, created_by, created_at, expires_at, revoked_at, last_used_at`

func scanLink(s interface{ Scan(...any) error }) (*accord.ConsentLink, error) {
	var l accord.ConsentLink
	var created, expires, revoked, used int64
	if err := s.Scan(&l.ID, &l.OrganisationID, &l.DatasetID, &l.SubjectKey, &l.Agreement, &l.Language, &l.Hash,
		&l.CreatedBy, &created, &expires, &revoked, &used); err != nil {
		return nil, err
	}
	l.CreatedAt, l.ExpiresAt, l.RevokedAt, l.LastUsedAt = fromNanos(created), fromNanos(expires), fromNanos(revoked), fromNanos(used)
	return &l, nil
}

func (db *DB) ConsentLink(ctx context.Context, id string) (*accord.ConsentLink, error) {
	l, err := scanLink(db.queryRow(ctx, db, `SELECT `+linkColumns+` FROM consent_links WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, "consent link %q not found", id)
	}
	return l, nil
}

func (db *DB) ConsentLinkByHash(ctx context.Context, hash []byte) (*accord.ConsentLink, error) {
	l, err := scanLink(db.queryRow(ctx, db, `SELECT `+linkColumns+` FROM consent_links WHERE hash = ?`, hash))
	if err != nil {
		return nil, notFound(err, "consent link not found")
	}
	return l, nil
}

func (db *DB) RevokeConsentLink(ctx context.Context, id string, at time.Time) error {
	res, err := db.exec(ctx, db, `UPDATE consent_links SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, toNanos(at), id)
	if err != nil {
		return fmt.Errorf("revoke consent link: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := db.ConsentLink(ctx, id); err != nil {
			return err
		}
		return accord.Errorf(accord.ECONFLICT, "consent link %q is already revoked", id)
	}
	return nil
}

func (db *DB) TouchConsentLink(ctx context.Context, id string, at time.Time) error {
	if _, err := db.exec(ctx, db, `UPDATE consent_links SET last_used_at = ? WHERE id = ?`, toNanos(at), id); err != nil {
		return fmt.Errorf("touch consent link: %w", err)
	}
	return nil
}
