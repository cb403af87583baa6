// Package postgres opens Accord's store on PostgreSQL through pgx's
// database/sql adapter, for coalitions that run a shared database server.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/accord-coalition/accord/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open connects to the database at dsn (postgres://…) and migrates it.
func Open(ctx context.Context, dsn string) (*sqlstore.DB, error) {
	sqldb, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	db := &sqlstore.DB{DB: sqldb, Dialect: Dialect, Now: time.Now}
	// Several nodes or tests may migrate one database at once; an advisory
	// lock makes the first one do it and the others wait.
	conn, err := sqldb.Conn(ctx)
	if err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(4242001)`); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("lock migrations: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(4242001)`)
	sub, _ := fs.Sub(migrations, "migrations")
	if err := db.Migrate(ctx, sub); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("migrate postgres: %w", err)
	}
	return db, nil
}

// Dialect is PostgreSQL's flavour of SQL.
var Dialect = sqlstore.Dialect{
	Name:             "postgres",
	Numbered:         true,
	AnalyzeAfterBulk: true,
	ArrayRows:        true,
	IsUniqueViolation: func(err error) bool {
		var pg *pgconn.PgError
		return errors.As(err, &pg) && pg.Code == "23505"
	},
}
