// Package sqlstore implements accord.Store once, over database/sql, for every
// SQL dialect Accord supports. The sqlite and postgres packages open their
// driver, apply their own embedded migrations and hand a *DB to this package,
// so behaviour cannot drift between backends.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/accord-coalition/accord"
)

// Dialect captures the few differences between SQL engines.
type Dialect struct {
	Name string
	// Placeholders: false writes "?", true rewrites them to "$1, $2, …".
	Numbered bool
	// IsUniqueViolation reports whether err is a unique/primary key violation.
	IsUniqueViolation func(error) bool
	// AnalyzeAfterBulk: the planner needs fresh statistics after a bulk
	// write. PostgreSQL's choices go wrong on stale ones until autovacuum
	// catches up (a consent import of 50,000 subjects made reading the
	// changes since a version scan the table: 12 ms instead of 0.1 ms);
	// SQLite's do not, and its ANALYZE would read whole tables.
	AnalyzeAfterBulk bool
	// ArrayRows: bulk writes send whole columns as array parameters
	// (INSERT … SELECT FROM unnest), which PostgreSQL plans once per
	// 10,000 rows instead of binding thousands of parameters per 250.
	ArrayRows bool
}

// DB is a database handle with its dialect.
type DB struct {
	*sql.DB
	Dialect Dialect
	Now     func() time.Time
}

// Rebind rewrites "?" placeholders for dialects that number them. Queries in
// this package never contain a literal '?' in strings, so a plain scan is safe.
func (db *DB) Rebind(q string) string {
	if !db.Dialect.Numbered {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// querier is satisfied by *sql.DB and *sql.Tx.
type querier interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func (db *DB) exec(ctx context.Context, q querier, query string, args ...any) (sql.Result, error) {
	return q.ExecContext(ctx, db.Rebind(query), args...)
}

func (db *DB) query(ctx context.Context, q querier, query string, args ...any) (*sql.Rows, error) {
	return q.QueryContext(ctx, db.Rebind(query), args...)
}

func (db *DB) queryRow(ctx context.Context, q querier, query string, args ...any) *sql.Row {
	return q.QueryRowContext(ctx, db.Rebind(query), args...)
}

// InTx runs fn in a transaction, committing only if fn returns nil. A crash
// at any point leaves either all of fn's writes or none.
func (db *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// conflict turns a unique violation into an ECONFLICT error with msg.
func (db *DB) conflict(err error, format string, args ...any) error {
	if err != nil && db.Dialect.IsUniqueViolation != nil && db.Dialect.IsUniqueViolation(err) {
		return &accord.Error{Code: accord.ECONFLICT, Message: fmt.Sprintf(format, args...), Err: err}
	}
	return err
}

// Migrate applies the numbered *.sql files of migrations in order, each in its
// own transaction, recording applied versions in schema_migrations.
func (db *DB) Migrate(ctx context.Context, migrations fs.FS) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrations, "*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		v, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number: %w", name, err)
		}
		var n int
		if err := db.queryRow(ctx, db, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, v).Scan(&n); err != nil {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		if n > 0 {
			continue
		}
		body, err := fs.ReadFile(migrations, name)
		if err != nil {
			return fmt.Errorf("read migration %s: %w", name, err)
		}
		err = db.InTx(ctx, func(tx *sql.Tx) error {
			for _, stmt := range splitStatements(string(body)) {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("migration %s: %w", name, err)
				}
			}
			_, err := db.exec(ctx, tx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, v, db.Now().UnixNano())
			return err
		})
		if err != nil {
			return err
		}
		slog.Debug("applied migration", "dialect", db.Dialect.Name, "migration", name)
	}
	return nil
}

// splitStatements splits a migration on ";" at line ends. Migrations keep
// one statement per ";\n" so no SQL parser is needed.
func splitStatements(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ";\n") {
		if p := strings.TrimSpace(part); p != "" && !onlyComments(p) {
			out = append(out, p)
		}
	}
	return out
}

func onlyComments(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "--") {
			return false
		}
	}
	return true
}

// Times are stored as Unix nanoseconds in BIGINT columns, 0 meaning "not set",
// which compares and indexes the same way on every engine.
func toNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return &accord.Error{Code: accord.ENOTFOUND, Message: fmt.Sprintf(format, args...)}
	}
	return err
}
