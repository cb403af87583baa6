package audit_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/audit"
	"github.com/accord-coalition/accord/audit/audittest"
	"github.com/transparency-dev/merkle/compact"
)

func TestAppendSequencesHashesAndSigns(t *testing.T) {
	st := audittest.NewMemStore()
	key := testKey(t, "accord.test/audit")
	clock := &fakeClock{t: time.Date(2025, 3, 1, 9, 0, 0, 123456789, time.UTC)}
	l := openLog(t, st, key, audit.Options{Now: clock.Now})
	ctx := context.Background()

	for i := range 10 {
		seq, err := l.Append(ctx, sampleEntry(i))
		if err != nil {
			t.Fatal(err)
		}
		if seq != uint64(i) {
			t.Fatalf("append %d got seq %d", i, seq)
		}
	}
	got, err := st.EntryRange(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	h := testHasher(t)
	for i, e := range got {
		if e.Seq != uint64(i) || e.Time.Nanosecond()%1000 != 0 || e.Time.Location() != time.UTC {
			t.Errorf("entry %d: seq %d time %v", i, e.Seq, e.Time)
		}
		if i%4 == 0 {
			if e.Subject != h.Hash(sampleEntry(i).Subject) || !strings.HasPrefix(e.Detail, audit.HashedPrefix) {
				t.Errorf("entry %d: subject/detail stored unhashed: %q %q", i, e.Subject, e.Detail)
			}
		}
	}
	cp := l.Checkpoint()
	if cp == nil || cp.Size != 10 {
		t.Fatalf("latest checkpoint %+v", cp)
	}
	c, err := audit.OpenCheckpoint(cp.Note, key.Verifier())
	if err != nil || c.Size != 10 || c.Origin != "accord.test/audit" {
		t.Fatalf("checkpoint %+v: %v", c, err)
	}
	mustVerify(t, st, key)
}

func TestAppendRejectsInvalidEntry(t *testing.T) {
	st := audittest.NewMemStore()
	l := openLog(t, st, testKey(t, "o"), audit.Options{})
	bad := sampleEntry(1)
	bad.Decision = "maybe"
	if _, err := l.Append(context.Background(), bad); accord.ErrorCode(err) != accord.EINVALID {
		t.Fatalf("entry with an unknown decision: %v", err)
	}
	bad = sampleEntry(1)
	bad.Reason = "nul\x00byte"
	if _, err := l.Append(context.Background(), bad); err == nil {
		t.Fatal("entry with a NUL byte was accepted")
	}
	if n, _ := st.Size(context.Background()); n != 0 {
		t.Fatalf("store holds %d entries", n)
	}
}

// TestConcurrentAppend checks group commit: many goroutines, every entry
// stored exactly once, consecutive, and batched.
func TestConcurrentAppend(t *testing.T) {
	st := audittest.NewFaultStore(audittest.NewMemStore())
	key := testKey(t, "o")
	l := openLog(t, st, key, audit.Options{MaxBatch: 64})
	const workers, each = 50, 40
	seqs := make(chan uint64, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				seq, err := l.Append(context.Background(), sampleEntry(w*each+i))
				if err != nil {
					t.Error(err)
					return
				}
				seqs <- seq
			}
		}()
	}
	wg.Wait()
	close(seqs)
	seen := make(map[uint64]bool)
	for s := range seqs {
		if seen[s] {
			t.Fatalf("sequence number %d given twice", s)
		}
		seen[s] = true
	}
	for i := range uint64(workers * each) {
		if !seen[i] {
			t.Fatalf("sequence number %d never given", i)
		}
	}
	rep := mustVerify(t, st, key)
	if rep.Entries != workers*each {
		t.Fatalf("verified %d entries", rep.Entries)
	}
	t.Logf("%d entries in %d batches", workers*each, st.AppendCalls())
	if st.AppendCalls() >= workers*each {
		t.Errorf("no batching: %d AppendBatch calls", st.AppendCalls())
	}
}

func TestMaxDelayBatches(t *testing.T) {
	st := audittest.NewFaultStore(audittest.NewMemStore())
	l := openLog(t, st, testKey(t, "o"), audit.Options{MaxDelay: 5 * time.Second, MaxBatch: 8})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := l.Append(context.Background(), sampleEntry(i)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := st.AppendCalls(); n > 2 {
		t.Errorf("8 appends within MaxDelay took %d batches", n)
	}
}

// TestAppendFailsClosed injects store failures: every caller of a failed
// batch gets the error, nothing is recorded, and the log resumes without a
// gap once the store heals.
func TestAppendFailsClosed(t *testing.T) {
	st := audittest.NewFaultStore(audittest.NewMemStore())
	key := testKey(t, "o")
	l := openLog(t, st, key, audit.Options{})
	ctx := context.Background()
	appendN(t, l, 0, 3)

	boom := errors.New("disk full")
	st.FailAppends(boom)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := l.Append(ctx, sampleEntry(i)); !errors.Is(err, boom) {
				t.Errorf("append on a failing store: err = %v, want %v", err, boom)
			}
		}()
	}
	wg.Wait()
	if n, _ := st.Size(ctx); n != 3 {
		t.Fatalf("store holds %d entries after failed appends, want 3", n)
	}
	if l.Checkpoint().Size != 3 {
		t.Fatalf("checkpoint moved to %d", l.Checkpoint().Size)
	}

	st.FailAppends(nil)
	seq, err := l.Append(ctx, sampleEntry(3))
	if err != nil || seq != 3 {
		t.Fatalf("append after recovery: seq %d, %v", seq, err)
	}
	mustVerify(t, st, key)
}

// TestAppendLostAck: the store commits but reports failure. The caller is
// refused (fail-closed); the log resynchronises and continues after the
// committed entry.
func TestAppendLostAck(t *testing.T) {
	st := audittest.NewFaultStore(audittest.NewMemStore())
	key := testKey(t, "o")
	l := openLog(t, st, key, audit.Options{})
	ctx := context.Background()
	appendN(t, l, 0, 2)
	st.LoseAcks(errors.New("connection reset"))
	if _, err := l.Append(ctx, sampleEntry(2)); err == nil {
		t.Fatal("append succeeded although the store reported failure")
	}
	st.FailAppends(nil)
	seq, err := l.Append(ctx, sampleEntry(3))
	if err != nil || seq != 3 {
		t.Fatalf("append after lost ack: seq %d, %v; want 3", seq, err)
	}
	mustVerify(t, st, key)
}

func TestAppendAfterClose(t *testing.T) {
	l := openLog(t, audittest.NewMemStore(), testKey(t, "o"), audit.Options{})
	l.Close()
	if _, err := l.Append(context.Background(), sampleEntry(0)); !errors.Is(err, audit.ErrClosed) {
		t.Fatalf("append after close: %v", err)
	}
}

func TestAppendCancelledContext(t *testing.T) {
	st := audittest.NewMemStore()
	l := openLog(t, st, testKey(t, "o"), audit.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Append(ctx, sampleEntry(0)); !errors.Is(err, context.Canceled) {
		t.Fatalf("append with cancelled context: %v", err)
	}
	if n, _ := st.Size(context.Background()); n != 0 {
		t.Fatalf("store holds %d entries", n)
	}
}

func TestTimeNeverDecreases(t *testing.T) {
	st := audittest.NewMemStore()
	key := testKey(t, "o")
	times := []time.Time{time.Unix(1000, 0), time.Unix(900, 0), time.Unix(1100, 0)}
	i := 0
	l := openLog(t, st, key, audit.Options{Now: func() time.Time { i++; return times[(i-1)%len(times)] }})
	appendN(t, l, 0, 3)
	es, _ := st.EntryRange(context.Background(), 0, 3)
	if !es[1].Time.Equal(es[0].Time) || !es[2].Time.After(es[1].Time) {
		t.Fatalf("times %v %v %v", es[0].Time, es[1].Time, es[2].Time)
	}
	mustVerify(t, st, key)
}

func TestReopenRestoresHead(t *testing.T) {
	ctx := context.Background()
	st := audittest.NewMemStore()
	key := testKey(t, "o")
	l := openLog(t, st, key, audit.Options{})
	appendN(t, l, 0, 13)
	l.Close()

	l = openLog(t, st, key, audit.Options{})
	if seq, err := l.Append(ctx, sampleEntry(13)); err != nil || seq != 13 {
		t.Fatalf("after reopen: seq %d, %v", seq, err)
	}
	l.Close()

	// Without the stored range nodes the head is recomputed from entries.
	for _, id := range compact.RangeNodes(0, 14, nil) {
		st.SetNode(id, nil)
	}
	l = openLog(t, st, key, audit.Options{})
	if seq, err := l.Append(ctx, sampleEntry(14)); err != nil || seq != 14 {
		t.Fatalf("after reopen without nodes: seq %d, %v", seq, err)
	}
}

func TestOpenRefusesTamperedOrForeignLog(t *testing.T) {
	ctx := context.Background()
	st := audittest.NewMemStore()
	key := testKey(t, "o")
	l := openLog(t, st, key, audit.Options{})
	appendN(t, l, 0, 5)
	l.Close()

	if _, err := audit.Open(ctx, st, audit.Options{Key: testKey(t, "o"), Hasher: testHasher(t)}); err == nil {
		t.Fatal("opened a log signed by another key")
	}
	es, _ := st.EntryRange(ctx, 4, 5)
	es[0].Action = "nothing-to-see"
	st.SetEntry(es[0])
	for _, id := range compact.RangeNodes(0, 5, nil) {
		st.SetNode(id, nil) // force recomputation from the entries
	}
	if _, err := audit.Open(ctx, st, audit.Options{Key: key, Hasher: testHasher(t)}); err == nil {
		t.Fatal("opened a log whose entries do not match its checkpoint")
	}
}
