package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/accord-coalition/accord"
)

var _ accord.Store = (*DB)(nil)

// Coalition returns the node's coalition, ENOTFOUND before Bootstrap.
func (db *DB) Coalition(ctx context.Context) (*accord.Coalition, error) {
	var c accord.Coalition
	var created int64
	err := db.queryRow(ctx, db, `SELECT name, created_at FROM coalition WHERE id = 1`).Scan(&c.Name, &created)
	if err != nil {
		return nil, notFound(err, "the coalition has not been set up yet")
	}
	c.CreatedAt = fromNanos(created)
	return &c, nil
}

// Bootstrap creates the coalition and its first admin in one transaction.
func (db *DB) Bootstrap(ctx context.Context, b *accord.Bootstrap) error {
	return db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO coalition (id, name, created_at) VALUES (1, ?, ?)`,
			b.Coalition.Name, toNanos(b.Coalition.CreatedAt)); err != nil {
			return db.conflict(err, "the coalition already exists")
		}
		if err := db.insertOrganisation(ctx, tx, &b.Organisation); err != nil {
			return err
		}
		if err := db.insertMember(ctx, tx, &b.Admin); err != nil {
			return err
		}
		if err := db.insertGrant(ctx, tx, &b.Grant); err != nil {
			return err
		}
		return db.insertToken(ctx, tx, &b.Token)
	})
}

func (db *DB) CreateOrganisation(ctx context.Context, o *accord.Organisation) error {
	if err := o.Validate(); err != nil {
		return err
	}
	return db.insertOrganisation(ctx, db, o)
}

func (db *DB) insertOrganisation(ctx context.Context, q querier, o *accord.Organisation) error {
	_, err := db.exec(ctx, q, `INSERT INTO organisations (id, name, created_at) VALUES (?, ?, ?)`,
		o.ID, o.Name, toNanos(o.CreatedAt))
	if err != nil {
		return db.conflict(err, "organisation %q already exists", o.ID)
	}
	return nil
}

func (db *DB) Organisation(ctx context.Context, id string) (*accord.Organisation, error) {
	var o accord.Organisation
	var created int64
	err := db.queryRow(ctx, db, `SELECT id, name, created_at FROM organisations WHERE id = ?`, id).Scan(&o.ID, &o.Name, &created)
	if err != nil {
		return nil, notFound(err, "organisation %q not found", id)
	}
	o.CreatedAt = fromNanos(created)
	return &o, nil
}

func (db *DB) Organisations(ctx context.Context) ([]*accord.Organisation, error) {
	rows, err := db.query(ctx, db, `SELECT id, name, created_at FROM organisations ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	defer rows.Close()
	var out []*accord.Organisation
	for rows.Next() {
		var o accord.Organisation
		var created int64
		if err := rows.Scan(&o.ID, &o.Name, &created); err != nil {
			return nil, fmt.Errorf("scan organisation: %w", err)
		}
		o.CreatedAt = fromNanos(created)
		out = append(out, &o)
	}
	return out, rows.Err()
}

func (db *DB) CreateMember(ctx context.Context, m *accord.Member, grants ...*accord.Grant) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *sql.Tx) error {
		if err := db.insertMember(ctx, tx, m); err != nil {
			return err
		}
		for _, g := range grants {
			if err := db.insertGrant(ctx, tx, g); err != nil {
				return err
			}
		}
		return nil
	})
}

func (db *DB) insertMember(ctx context.Context, q querier, m *accord.Member) error {
	if err := db.requireOrganisation(ctx, q, m.OrganisationID); err != nil {
		return err
	}
	_, err := db.exec(ctx, q, `INSERT INTO members (id, organisation_id, name, role, created_at) VALUES (?, ?, ?, ?, ?)`,
		m.ID, m.OrganisationID, m.Name, string(m.Role), toNanos(m.CreatedAt))
	if err != nil {
		return db.conflict(err, "member %q already exists", m.ID)
	}
	return nil
}

// requireOrganisation turns a dangling reference into a clear EINVALID
// instead of an engine-specific foreign key error.
func (db *DB) requireOrganisation(ctx context.Context, q querier, id string) error {
	var n int
	if err := db.queryRow(ctx, q, `SELECT COUNT(*) FROM organisations WHERE id = ?`, id).Scan(&n); err != nil {
		return fmt.Errorf("check organisation: %w", err)
	}
	if n == 0 {
		return accord.Errorf(accord.EINVALID, "organisation %q does not exist", id)
	}
	return nil
}

const memberColumns = `id, organisation_id, name, role, created_at`

func scanMember(s interface{ Scan(...any) error }) (*accord.Member, error) {
	var m accord.Member
	var role string
	var created int64
	if err := s.Scan(&m.ID, &m.OrganisationID, &m.Name, &role, &created); err != nil {
		return nil, err
	}
	m.Role = accord.Role(role)
	m.CreatedAt = fromNanos(created)
	return &m, nil
}

func (db *DB) Member(ctx context.Context, id string) (*accord.Member, error) {
	m, err := scanMember(db.queryRow(ctx, db, `SELECT `+memberColumns+` FROM members WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, "member %q not found", id)
	}
	return m, nil
}

func (db *DB) Members(ctx context.Context, f accord.MemberFilter) ([]*accord.Member, error) {
	q := `SELECT ` + memberColumns + ` FROM members`
	var args []any
	if f.OrganisationID != "" {
		q += ` WHERE organisation_id = ?`
		args = append(args, f.OrganisationID)
	}
	rows, err := db.query(ctx, db, q+` ORDER BY organisation_id, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	defer rows.Close()
	var out []*accord.Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, fmt.Errorf("scan member: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (db *DB) CreateGrant(ctx context.Context, g *accord.Grant) error {
	return db.insertGrant(ctx, db, g)
}

func (db *DB) insertGrant(ctx context.Context, q querier, g *accord.Grant) error {
	if err := g.Validate(g.CreatedAt); err != nil {
		return err
	}
	if err := db.requireOrganisation(ctx, q, g.OrganisationID); err != nil {
		return err
	}
	var n int
	if err := db.queryRow(ctx, q, `SELECT COUNT(*) FROM members WHERE id = ?`, g.MemberID).Scan(&n); err != nil {
		return fmt.Errorf("check member: %w", err)
	}
	if n == 0 {
		return accord.Errorf(accord.EINVALID, "member %q does not exist", g.MemberID)
	}
	_, err := db.exec(ctx, q, `INSERT INTO grants (id, member_id, organisation_id, role, reason, granted_by, created_at, expires_at, revoked_at, last_used_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		g.ID, g.MemberID, g.OrganisationID, string(g.Role), g.Reason, g.GrantedBy,
		toNanos(g.CreatedAt), toNanos(g.ExpiresAt), toNanos(g.RevokedAt), toNanos(g.LastUsedAt))
	if err != nil {
		return db.conflict(err, "grant %q already exists", g.ID)
	}
	return nil
}

const grantColumns = `id, member_id, organisation_id, role, reason, granted_by, created_at, expires_at, revoked_at, last_used_at`

func scanGrant(s interface{ Scan(...any) error }) (*accord.Grant, error) {
	var g accord.Grant
	var role string
	var created, expires, revoked, used int64
	if err := s.Scan(&g.ID, &g.MemberID, &g.OrganisationID, &role, &g.Reason, &g.GrantedBy, &created, &expires, &revoked, &used); err != nil {
		return nil, err
	}
	g.Role = accord.Role(role)
	g.CreatedAt, g.ExpiresAt, g.RevokedAt, g.LastUsedAt = fromNanos(created), fromNanos(expires), fromNanos(revoked), fromNanos(used)
	return &g, nil
}

func (db *DB) Grant(ctx context.Context, id string) (*accord.Grant, error) {
	g, err := scanGrant(db.queryRow(ctx, db, `SELECT `+grantColumns+` FROM grants WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, "grant %q not found", id)
	}
	return g, nil
}

func (db *DB) Grants(ctx context.Context, f accord.GrantFilter) ([]*accord.Grant, error) {
	q := `SELECT ` + grantColumns + ` FROM grants WHERE 1 = 1`
	var args []any
	if f.MemberID != "" {
		q += ` AND member_id = ?`
		args = append(args, f.MemberID)
	}
	if f.OrganisationID != "" {
		q += ` AND organisation_id = ?`
		args = append(args, f.OrganisationID)
	}
	if !f.ActiveAt.IsZero() {
		q += ` AND revoked_at = 0 AND expires_at > ?`
		args = append(args, toNanos(f.ActiveAt))
	}
	rows, err := db.query(ctx, db, q+` ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	defer rows.Close()
	var out []*accord.Grant
	for rows.Next() {
		g, err := scanGrant(rows)
		if err != nil {
			return nil, fmt.Errorf("scan grant: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

func (db *DB) RevokeGrant(ctx context.Context, id string, at time.Time) error {
	return db.revoke(ctx, "grants", "grant", id, at)
}

// revoke marks a grant or token revoked; a second revocation is a conflict
// so callers learn the state they expected was not the one stored.
func (db *DB) revoke(ctx context.Context, table, what, id string, at time.Time) error {
	res, err := db.exec(ctx, db, `UPDATE `+table+` SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, toNanos(at), id)
	if err != nil {
		return fmt.Errorf("revoke %s: %w", what, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var n int
	if err := db.queryRow(ctx, db, `SELECT COUNT(*) FROM `+table+` WHERE id = ?`, id).Scan(&n); err != nil {
		return fmt.Errorf("revoke %s: %w", what, err)
	}
	if n == 0 {
		return accord.Errorf(accord.ENOTFOUND, "%s %q not found", what, id)
	}
	return accord.Errorf(accord.ECONFLICT, "%s %q is already revoked", what, id)
}

func (db *DB) TouchGrants(ctx context.Context, ids []string, at time.Time) error {
	for _, id := range ids {
		if _, err := db.exec(ctx, db, `UPDATE grants SET last_used_at = ? WHERE id = ? AND last_used_at < ?`, toNanos(at), id, toNanos(at)); err != nil {
			return fmt.Errorf("touch grant: %w", err)
		}
	}
	return nil
}

func (db *DB) CreateToken(ctx context.Context, t *accord.Token) error {
	return db.insertToken(ctx, db, t)
}

func (db *DB) insertToken(ctx context.Context, q querier, t *accord.Token) error {
	if len(t.Hash) == 0 || t.ExpiresAt.IsZero() {
		return accord.Errorf(accord.EINVALID, "a token needs a hash and an expiry")
	}
	_, err := db.exec(ctx, q, `INSERT INTO tokens (id, member_id, name, hash, created_at, expires_at, revoked_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.MemberID, t.Name, t.Hash, toNanos(t.CreatedAt), toNanos(t.ExpiresAt), toNanos(t.RevokedAt), toNanos(t.LastUsedAt))
	if err != nil {
		return db.conflict(err, "token %q already exists", t.ID)
	}
	return nil
}

const tokenColumns = `id, member_id, name, hash, created_at, expires_at, revoked_at, last_used_at`

func scanToken(s interface{ Scan(...any) error }) (*accord.Token, error) {
	var t accord.Token
	var created, expires, revoked, used int64
	if err := s.Scan(&t.ID, &t.MemberID, &t.Name, &t.Hash, &created, &expires, &revoked, &used); err != nil {
		return nil, err
	}
	t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt = fromNanos(created), fromNanos(expires), fromNanos(revoked), fromNanos(used)
	return &t, nil
}

func (db *DB) Token(ctx context.Context, id string) (*accord.Token, error) {
	t, err := scanToken(db.queryRow(ctx, db, `SELECT `+tokenColumns+` FROM tokens WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, "token %q not found", id)
	}
	return t, nil
}

func (db *DB) TokenByHash(ctx context.Context, hash []byte) (*accord.Token, error) {
	t, err := scanToken(db.queryRow(ctx, db, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`, hash))
	if err != nil {
		return nil, notFound(err, "unknown token")
	}
	return t, nil
}

func (db *DB) Tokens(ctx context.Context, memberID string) ([]*accord.Token, error) {
	rows, err := db.query(ctx, db, `SELECT `+tokenColumns+` FROM tokens WHERE member_id = ? ORDER BY created_at, id`, memberID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []*accord.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("scan token: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (db *DB) RevokeToken(ctx context.Context, id string, at time.Time) error {
	return db.revoke(ctx, "tokens", "token", id, at)
}

func (db *DB) TouchToken(ctx context.Context, id string, at time.Time) error {
	_, err := db.exec(ctx, db, `UPDATE tokens SET last_used_at = ? WHERE id = ? AND last_used_at < ?`, toNanos(at), id, toNanos(at))
	if err != nil {
		return fmt.Errorf("touch token: %w", err)
	}
	return nil
}

func (db *DB) PutKey(ctx context.Context, k *accord.WrappedKey) error {
	_, err := db.exec(ctx, db, `INSERT INTO data_keys (id, wrapped, created_at) VALUES (?, ?, ?)`, k.ID, k.Wrapped, toNanos(k.CreatedAt))
	if err != nil {
		return db.conflict(err, "data key %q already exists", k.ID)
	}
	return nil
}

func (db *DB) Key(ctx context.Context, id string) (*accord.WrappedKey, error) {
	var k accord.WrappedKey
	var created int64
	err := db.queryRow(ctx, db, `SELECT id, wrapped, created_at FROM data_keys WHERE id = ?`, id).Scan(&k.ID, &k.Wrapped, &created)
	if err != nil {
		return nil, notFound(err, "data key %q not found (it may have been deleted)", id)
	}
	k.CreatedAt = fromNanos(created)
	return &k, nil
}

func (db *DB) DeleteKey(ctx context.Context, id string) error {
	res, err := db.exec(ctx, db, `DELETE FROM data_keys WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete data key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return accord.Errorf(accord.ENOTFOUND, "data key %q not found", id)
	}
	return nil
}

// Close closes the database.
func (db *DB) Close() error { return db.DB.Close() }
