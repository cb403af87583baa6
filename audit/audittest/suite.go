package audittest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/audit"
	"github.com/transparency-dev/merkle/compact"
)

// base is the time of the suite's first entry; it has microseconds, which
// every store must keep (and nothing finer, which none has to).
var base = time.Date(2025, 3, 4, 9, 0, 0, 123456000, time.UTC)

// TestStore is the conformance suite for audit.Store implementations. Each
// subtest calls newStore for a fresh, empty store. Run it from the
// implementation's tests:
//
//	func TestAuditStore(t *testing.T) {
//		audittest.TestStore(t, func(t *testing.T) audit.Store { return openTestDB(t) })
//	}
func TestStore(t *testing.T, newStore func(t *testing.T) audit.Store) {
	t.Run("Empty", func(t *testing.T) { testEmpty(t, newStore(t)) })
	t.Run("AppendAndReadBack", func(t *testing.T) { testRoundTrip(t, newStore(t)) })
	t.Run("Gap", func(t *testing.T) { testGap(t, newStore(t)) })
	t.Run("Duplicate", func(t *testing.T) { testDuplicate(t, newStore(t)) })
	t.Run("Malformed", func(t *testing.T) { testMalformed(t, newStore(t)) })
	t.Run("NodeConflictIsAtomic", func(t *testing.T) { testNodeConflict(t, newStore(t)) })
	t.Run("EntryRange", func(t *testing.T) { testEntryRange(t, newStore(t)) })
	t.Run("Filters", func(t *testing.T) { testFilters(t, newStore(t)) })
	t.Run("Paging", func(t *testing.T) { testPaging(t, newStore(t)) })
	t.Run("Nodes", func(t *testing.T) { testNodes(t, newStore(t)) })
	t.Run("Checkpoints", func(t *testing.T) { testCheckpoints(t, newStore(t)) })
	t.Run("CancelledContext", func(t *testing.T) { testCancelled(t, newStore(t)) })
	t.Run("ConcurrentAppenders", func(t *testing.T) { testConcurrent(t, newStore(t)) })
}

// fill appends the entries in batches of the given sizes and returns the
// builder positioned after them.
func fill(t *testing.T, st audit.Store, entries []audit.Entry, sizes ...int) *builder {
	t.Helper()
	b := newBuilder(t)
	for _, n := range sizes {
		es, nodes, cp, rng := b.batch(entries[:n])
		entries = entries[n:]
		if err := st.AppendBatch(context.Background(), es, nodes, cp); err != nil {
			t.Fatalf("AppendBatch of entries %d..%d: %v", es[0].Seq, es[len(es)-1].Seq, err)
		}
		b.advance(rng)
	}
	return b
}

func wantCode(t *testing.T, err error, code, what string) {
	t.Helper()
	if got := accord.ErrorCode(err); got != code {
		t.Fatalf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

func wantSize(t *testing.T, st audit.Store, want uint64) {
	t.Helper()
	got, err := st.Size(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("Size = %d, want %d", got, want)
	}
}

// unchanged checks that a refused batch left no trace: size, latest
// checkpoint and the batch's nodes are as before.
func unchanged(t *testing.T, st audit.Store, size uint64, nodes []audit.TreeNode, existing map[compact.NodeID]bool) {
	t.Helper()
	ctx := context.Background()
	wantSize(t, st, size)
	cp, err := st.LatestCheckpoint(ctx)
	if size == 0 {
		wantCode(t, err, accord.ENOTFOUND, "LatestCheckpoint after refused batch")
	} else if err != nil || cp.Size != size {
		t.Fatalf("latest checkpoint after refused batch: %+v, %v", cp, err)
	}
	ids := make([]compact.NodeID, 0, len(nodes))
	for _, n := range nodes {
		if !existing[n.ID] {
			ids = append(ids, n.ID)
		}
	}
	got, err := st.Nodes(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range got {
		if h != nil {
			t.Fatalf("node %d/%d of a refused batch was stored", ids[i].Level, ids[i].Index)
		}
	}
}

func entriesEqual(t *testing.T, got, want []audit.Entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if !g.Time.Equal(w.Time) {
			t.Fatalf("entry %d: time %v, want %v", w.Seq, g.Time, w.Time)
		}
		g.Time, w.Time = time.Time{}, time.Time{}
		if g != w {
			t.Fatalf("entry %d:\n got %+v\nwant %+v", w.Seq, g, w)
		}
		if !bytes.Equal(got[i].MarshalLeaf(), want[i].MarshalLeaf()) {
			t.Fatalf("entry %d changed its canonical encoding on the way through the store", w.Seq)
		}
	}
}
