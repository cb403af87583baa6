package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/accord-coalition/accord/audit"
	"github.com/accord-coalition/accord/audit/audittest"
	"github.com/accord-coalition/accord/sqlite"
)

func TestAuditStoreConformance(t *testing.T) {
	audittest.TestStore(t, func(t *testing.T) audit.Store {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "accord.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db.AuditStore()
	})
}

// BenchmarkAuditAppend measures sustained appends through the group-commit
// log onto SQLite, with many concurrent callers as a busy node has.
func BenchmarkAuditAppend(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "accord.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	key, _ := audit.GenerateSigningKey("bench")
	secret, _ := audit.GenerateSecret()
	h, _ := audit.NewHasher(secret)
	log, err := audit.Open(ctx, db.AuditStore(), audit.Options{Key: key, Hasher: h})
	if err != nil {
		b.Fatal(err)
	}
	defer log.Close()
	var n atomic.Int64
	b.SetParallelism(128)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			if _, err := log.Append(ctx, audit.Entry{Actor: audit.Actor{MemberID: "m", OrganisationID: "o"}, Action: "query",
				Resource: fmt.Sprintf("dataset:d%d", i%7), Purpose: "advocacy.report", Decision: audit.Allowed, Reason: "permission #1"}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// TestAuditConcurrentAppendsVerify appends from many goroutines onto
// SQLite and checks the result verifies: no gaps, no duplicates.
func TestAuditConcurrentAppendsVerify(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "accord.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	key, _ := audit.GenerateSigningKey("test")
	secret, _ := audit.GenerateSecret()
	h, _ := audit.NewHasher(secret)
	log, err := audit.Open(ctx, db.AuditStore(), audit.Options{Key: key, Hasher: h})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	seen := sync.Map{}
	for g := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				seq, err := log.Append(ctx, audit.Entry{Actor: audit.Actor{MemberID: fmt.Sprint(g)}, Action: "x", Decision: audit.Allowed, Subject: fmt.Sprint(i)})
				if err != nil {
					t.Error(err)
					return
				}
				if _, dup := seen.LoadOrStore(seq, true); dup {
					t.Errorf("sequence number %d given twice", seq)
				}
			}
		}()
	}
	wg.Wait()
	log.Close()
	r, err := audit.VerifyStore(ctx, db.AuditStore(), key.Verifier())
	if err != nil || !r.OK() || r.Entries != 32*50 {
		t.Fatalf("verify: %v %v", err, r)
	}
}
