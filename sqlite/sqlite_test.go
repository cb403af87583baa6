package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/sqlite"
	"github.com/accord-coalition/accord/storetest"
)

func open(t *testing.T) accord.Store {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "accord.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) { storetest.Run(t, open) }

func TestReopenKeepsDataAndSkipsAppliedMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "accord.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateOrganisation(ctx, &accord.Organisation{ID: "keep", Name: "Keep"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if _, err := db.Organisation(ctx, "keep"); err != nil {
		t.Fatalf("organisation lost on reopen: %v", err)
	}
}
