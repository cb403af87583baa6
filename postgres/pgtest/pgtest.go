// Package pgtest gives tests a fresh PostgreSQL database each. The server is
// named by ACCORD_TEST_POSTGRES (a postgres:// URL to an admin database); the
// test script starts a throwaway cluster and sets it. Without the variable
// tests skip, unless ACCORD_REQUIRE_POSTGRES=1, when they fail: CI never
// passes by silently skipping PostgreSQL.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// DSN creates an empty database for t, drops it when t ends, and returns its URL.
func DSN(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("ACCORD_TEST_POSTGRES")
	if admin == "" {
		if os.Getenv("ACCORD_REQUIRE_POSTGRES") == "1" {
			t.Fatal("ACCORD_TEST_POSTGRES is not set but ACCORD_REQUIRE_POSTGRES=1: run the tests with scripts/test")
		}
		t.Skip("ACCORD_TEST_POSTGRES not set; scripts/test starts a throwaway PostgreSQL and sets it")
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "accord_test_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("open admin database: %v", err)
	}
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		db.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		db.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		db.Close()
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("parse ACCORD_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}
