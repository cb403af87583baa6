package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/accord-coalition/accord/audit"
	"github.com/accord-coalition/accord/audit/audittest"
	"github.com/accord-coalition/accord/sqlite"
	"github.com/accord-coalition/accord/sqlstore"
)

// A 1,000,000-entry log on SQLite, built once per benchmark binary.
var big struct {
	once sync.Once
	db   *sqlstore.DB
	key  *audit.SigningKey
	err  error
}

// bigN is 1,000,000, or ACCORD_BENCH_AUDIT_N for a quicker look.
var bigN = func() int {
	if n, err := strconv.Atoi(os.Getenv("ACCORD_BENCH_AUDIT_N")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}()

func bigLog(b *testing.B) (*sqlstore.DB, *audit.SigningKey) {
	big.once.Do(func() {
		ctx := context.Background()
		dir, err := tempDir()
		if err != nil {
			big.err = err
			return
		}
		big.db, big.err = sqlite.Open(ctx, filepath.Join(dir, "accord.db"))
		if big.err != nil {
			return
		}
		big.key, _ = audit.GenerateSigningKey("bench")
		start := time.Now()
		big.err = audittest.Fill(ctx, big.db.AuditStore(), big.key, audittest.Synthetic(bigN, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), 1000)
		b.Logf("built a %d-entry log on SQLite in %v", bigN, time.Since(start))
	})
	if big.err != nil {
		b.Fatal(big.err)
	}
	return big.db, big.key
}

// tempDir is outside the test's TempDir because the log outlives one benchmark.
func tempDir() (string, error) { return os.MkdirTemp("", "accord-audit-bench") }

// BenchmarkAuditVerify1M is `accord audit verify --data` of a million
// entries (Roots; Leaves when a problem is found), and with --deep (Nodes).
func BenchmarkAuditVerify1M(b *testing.B) {
	db, key := bigLog(b)
	for _, o := range []struct {
		name string
		opts audit.VerifyOptions
	}{{"Roots", audit.VerifyOptions{}}, {"Leaves", audit.VerifyOptions{Leaves: true}}, {"Nodes", audit.VerifyOptions{Leaves: true, Nodes: true}}} {
		b.Run(o.name, func(b *testing.B) {
			for range b.N {
				r, err := audit.VerifyStoreWith(context.Background(), db.AuditStore(), key.Verifier(), o.opts)
				if err != nil || !r.OK() || r.Entries != uint64(bigN) {
					b.Fatalf("verify: %v %v", err, r)
				}
			}
		})
	}
}

func BenchmarkAuditInclusionProof1M(b *testing.B) {
	db, _ := bigLog(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		if _, err := audit.InclusionProof(ctx, db.AuditStore(), uint64(i*7919)%uint64(bigN), uint64(bigN)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAuditConsistencyProof1M(b *testing.B) {
	db, _ := bigLog(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		if _, err := audit.ConsistencyProof(ctx, db.AuditStore(), uint64(1+i*7919)%uint64(bigN), uint64(bigN)); err != nil {
			b.Fatal(err)
		}
	}
}
