package audit_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/accord-coalition/accord/audit"
	"github.com/accord-coalition/accord/audit/audittest"
)

// BenchmarkAppend measures Log.Append throughput with group commit on the
// in-memory store, i.e. the engine's own overhead per entry (HMAC, leaf
// encoding and hashing, tree update, one signature per batch).
func BenchmarkAppend(b *testing.B) {
	for _, par := range []int{1, 16, 256} {
		b.Run(map[int]string{1: "callers=1", 16: "callers=16x", 256: "callers=256x"}[par], func(b *testing.B) {
			st := audittest.NewFaultStore(audittest.NewMemStore())
			l := openLog(b, st, testKey(b, "bench"), audit.Options{})
			e := sampleEntry(4)
			b.SetParallelism(par)
			b.ResetTimer()
			start, cpu0 := time.Now(), cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := l.Append(context.Background(), e); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "entries/s")
			b.ReportMetric(float64(b.N)/float64(st.AppendCalls()), "entries/batch")
			// CPU time per entry (all goroutines, GC included) does not
			// depend on what else the shared machine is running.
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/entry")
		})
	}
}

// cpuTime is the CPU time this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkLeafHash(b *testing.B) {
	h := testHasher(b)
	e := sampleEntry(4)
	h.HashEntry(&e)
	for b.Loop() {
		e.LeafHash()
	}
}

func BenchmarkHMAC(b *testing.B) {
	h := testHasher(b)
	for b.Loop() {
		h.Hash("subject-12345")
	}
}

type benchLog struct {
	st  *audittest.MemStore
	key *audit.SigningKey
}

var (
	benchLogsMu sync.Mutex
	benchLogs   = map[int]benchLog{}
)

const bigSize = 1_000_000

// logOfSize builds, once per test binary and size, a log of n synthetic
// entries in batches of 1,000 (so n/1000 signed checkpoints).
func logOfSize(b *testing.B, n int) (*audittest.MemStore, *audit.SigningKey) {
	benchLogsMu.Lock()
	defer benchLogsMu.Unlock()
	if l, ok := benchLogs[n]; ok {
		return l.st, l.key
	}
	st, key := audittest.NewMemStore(), testKey(b, "bench")
	start := time.Now()
	es := audittest.Synthetic(n, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if err := audittest.Fill(context.Background(), st, key, es, 1000); err != nil {
		b.Fatal(err)
	}
	b.Logf("built a log of %d entries in %s", n, time.Since(start).Round(time.Millisecond))
	benchLogs[n] = benchLog{st, key}
	return st, key
}

func BenchmarkVerifyStore(b *testing.B) {
	for _, n := range []int{10_000, 100_000, bigSize} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			st, key := logOfSize(b, n)
			b.ResetTimer()
			cpu0 := cpuTime()
			for b.Loop() {
				rep, err := audit.VerifyStore(context.Background(), st, key.Verifier())
				if err != nil || rep.Entries != uint64(n) {
					b.Fatalf("%v: %s", err, rep)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
			b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

func BenchmarkInclusionProof1M(b *testing.B) {
	st, _ := logOfSize(b, bigSize)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	b.ResetTimer()
	for b.Loop() {
		if _, err := audit.InclusionProof(ctx, st, r.Uint64N(bigSize), bigSize); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConsistencyProof1M(b *testing.B) {
	st, _ := logOfSize(b, bigSize)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	b.ResetTimer()
	for b.Loop() {
		if _, err := audit.ConsistencyProof(ctx, st, 1+r.Uint64N(bigSize-1), bigSize); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBigLogProofsVerify checks what the proof benchmarks return, on a
// smaller log built the same way.
func TestBigLogProofsVerify(t *testing.T) {
	ctx := context.Background()
	st, key := audittest.NewMemStore(), testKey(t, "bench")
	es := audittest.Synthetic(5000, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if err := audittest.Fill(ctx, st, key, es, 300); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, st, key)
	latest, _ := st.LatestCheckpoint(ctx)
	c, _ := audit.OpenCheckpoint(latest.Note, key.Verifier())
	older, _ := st.Checkpoints(ctx, 1200, 1)
	o, _ := audit.OpenCheckpoint(older[0].Note, key.Verifier())
	p, err := audit.ConsistencyProof(ctx, st, o.Size, c.Size)
	if err != nil || audit.VerifyConsistency(o, c, p) != nil {
		t.Fatalf("consistency: %v", err)
	}
	for _, i := range []uint64{0, 1, 2047, 2048, 4999} {
		p, err := audit.InclusionProof(ctx, st, i, c.Size)
		if err != nil || audit.VerifyInclusion(&es[i], p, c) != nil {
			t.Fatalf("inclusion of %d: %v", i, err)
		}
	}
}
