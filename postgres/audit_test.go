package postgres_test

import (
	"context"
	"testing"

	"github.com/accord-coalition/accord/audit"
	"github.com/accord-coalition/accord/audit/audittest"
	"github.com/accord-coalition/accord/postgres"
	"github.com/accord-coalition/accord/postgres/pgtest"
)

func TestAuditStoreConformance(t *testing.T) {
	audittest.TestStore(t, func(t *testing.T) audit.Store {
		db, err := postgres.Open(context.Background(), pgtest.DSN(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db.AuditStore()
	})
}
