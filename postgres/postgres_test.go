package postgres_test

import (
	"context"
	"testing"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/postgres"
	"github.com/accord-coalition/accord/postgres/pgtest"
	"github.com/accord-coalition/accord/storetest"
)

func open(t *testing.T) accord.Store {
	db, err := postgres.Open(context.Background(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) { storetest.Run(t, open) }
