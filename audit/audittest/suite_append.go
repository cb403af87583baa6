package audittest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/audit"
	"github.com/transparency-dev/merkle/compact"
)

func testEmpty(t *testing.T, st audit.Store) {
	ctx := context.Background()
	wantSize(t, st, 0)
	_, err := st.LatestCheckpoint(ctx)
	wantCode(t, err, accord.ENOTFOUND, "LatestCheckpoint of an empty log")
	if cps, err := st.Checkpoints(ctx, 0, 0); err != nil || len(cps) != 0 {
		t.Fatalf("Checkpoints of an empty log: %v, %v", cps, err)
	}
	if es, err := st.EntryRange(ctx, 0, 10); err != nil || len(es) != 0 {
		t.Fatalf("EntryRange of an empty log: %v, %v", es, err)
	}
	if es, err := st.Entries(ctx, audit.Filter{}); err != nil || len(es) != 0 {
		t.Fatalf("Entries of an empty log: %v, %v", es, err)
	}
	if hs, err := st.Nodes(ctx, []compact.NodeID{compact.NewNodeID(0, 0)}); err != nil || len(hs) != 1 || hs[0] != nil {
		t.Fatalf("Nodes of an empty log: %v, %v", hs, err)
	}
	rep, err := audit.VerifyStore(ctx, st, newBuilder(t).key.Verifier())
	if err != nil || !rep.OK() {
		t.Fatalf("VerifyStore of an empty log: %v", err)
	}
}

func testRoundTrip(t *testing.T, st audit.Store) {
	ctx := context.Background()
	all := sample(base, "rt", 23)
	long := make([]byte, 16<<10)
	for i := range long {
		long[i] = 'a' + byte(i%26)
	}
	all[5].Reason = string(long) // the longest text an entry may hold
	all[6].Resource, all[6].Purpose = "", ""
	b := fill(t, st, all, 1, 7, 15)
	wantSize(t, st, 23)

	got, err := st.EntryRange(ctx, 0, 23)
	if err != nil {
		t.Fatal(err)
	}
	want := all
	for i := range want {
		want[i].Seq = uint64(i)
	}
	entriesEqual(t, got, want)

	cp, err := st.LatestCheckpoint(ctx)
	if err != nil || cp.Size != 23 {
		t.Fatalf("LatestCheckpoint: %+v, %v", cp, err)
	}
	c, err := audit.OpenCheckpoint(cp.Note, b.key.Verifier())
	if err != nil || c.Size != 23 {
		t.Fatalf("stored note does not open: %v", err)
	}
	if !cp.Time.Equal(all[22].Time) {
		t.Fatalf("checkpoint time %v, want %v", cp.Time, all[22].Time)
	}
	// End to end: what the store returns verifies, and proofs built from
	// its nodes check out.
	if rep, err := audit.VerifyStore(ctx, st, b.key.Verifier()); err != nil {
		t.Fatalf("VerifyStore: %v\n%s", err, rep)
	}
	p, err := audit.InclusionProof(ctx, st, 13, 23)
	if err != nil {
		t.Fatal(err)
	}
	if err := audit.VerifyInclusion(&got[13], p, c); err != nil {
		t.Fatal(err)
	}
}

func testGap(t *testing.T, st audit.Store) {
	b := fill(t, st, sample(base, "g", 4), 4)
	es, nodes, cp, _ := b.batch(sample(base, "gap", 3))
	for i := range es {
		es[i].Seq += 2
	}
	cp.Size += 2
	err := st.AppendBatch(context.Background(), es, nodes, cp)
	wantCode(t, err, accord.ECONFLICT, "batch starting after a gap")
	unchanged(t, st, 4, nil, nil)
	if got, _ := st.EntryRange(context.Background(), 0, 100); len(got) != 4 {
		t.Fatalf("%d entries stored after a refused gap", len(got))
	}
}

func testDuplicate(t *testing.T, st audit.Store) {
	ctx := context.Background()
	first := newBuilder(t)
	es, nodes, cp, rng := first.batch(sample(base, "d", 5))
	if err := st.AppendBatch(ctx, es, nodes, cp); err != nil {
		t.Fatal(err)
	}
	first.advance(rng)
	existing := map[compact.NodeID]bool{}
	for _, n := range nodes {
		existing[n.ID] = true
	}
	// The very same batch again.
	wantCode(t, st.AppendBatch(ctx, es, nodes, cp), accord.ECONFLICT, "the same batch twice")
	// A batch overlapping the last stored entry.
	es2, nodes2, cp2, _ := first.batch(sample(base, "d2", 3))
	for i := range es2 {
		es2[i].Seq--
	}
	cp2.Size--
	wantCode(t, st.AppendBatch(ctx, es2, nodes2, cp2), accord.ECONFLICT, "batch repeating entry 4")
	unchanged(t, st, 5, nodes2, existing)
	got, _ := st.EntryRange(ctx, 0, 10)
	entriesEqual(t, got, es)
}

func testMalformed(t *testing.T, st audit.Store) {
	ctx := context.Background()
	b := fill(t, st, sample(base, "m", 2), 2)
	es, nodes, cp, _ := b.batch(sample(base, "m2", 3))

	wantCode(t, st.AppendBatch(ctx, nil, nil, cp), accord.EINVALID, "empty batch")
	bad := append([]audit.Entry(nil), es...)
	bad[2].Seq++
	wantCode(t, st.AppendBatch(ctx, bad, nodes, cp), accord.EINVALID, "batch with a hole")
	bad = append([]audit.Entry(nil), es...)
	bad[2].Seq = bad[1].Seq
	wantCode(t, st.AppendBatch(ctx, bad, nodes, cp), accord.EINVALID, "batch repeating a sequence number")
	badCp := cp
	badCp.Size++
	wantCode(t, st.AppendBatch(ctx, es, nodes, badCp), accord.EINVALID, "checkpoint size not after the batch")
	unchanged(t, st, 2, nodes, nil)
}

// testNodeConflict makes the last write of a batch fail, which only a
// store that really uses one transaction survives.
func testNodeConflict(t *testing.T, st audit.Store) {
	ctx := context.Background()
	b := fill(t, st, sample(base, "n", 4), 4)
	es, nodes, cp, _ := b.batch(sample(base, "n2", 4))
	clash := append(nodes, audit.TreeNode{ID: compact.NewNodeID(2, 0), Hash: make([]byte, 32)})
	wantCode(t, st.AppendBatch(ctx, es, clash, cp), accord.ECONFLICT, "batch repeating a stored node")
	unchanged(t, st, 4, nodes, map[compact.NodeID]bool{compact.NewNodeID(2, 0): true})
	if got, _ := st.EntryRange(ctx, 4, 8); len(got) != 0 {
		t.Fatalf("entries of a refused batch were stored: %d", len(got))
	}
	// The same batch without the clash goes in.
	if err := st.AppendBatch(ctx, es, nodes, cp); err != nil {
		t.Fatalf("batch after a refused one: %v", err)
	}
	wantSize(t, st, 8)
}

func testCancelled(t *testing.T, st audit.Store) {
	b := newBuilder(t)
	es, nodes, cp, _ := b.batch(sample(base, "c", 2))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := st.AppendBatch(ctx, es, nodes, cp); err == nil {
		t.Fatal("AppendBatch with a cancelled context succeeded")
	}
	unchanged(t, st, 0, nodes, nil)
}

// testConcurrent runs appenders that each read Size and append a batch
// there, retrying on ECONFLICT. Whatever the interleaving, the result must
// be entries 0..n-1, each batch whole, none twice.
func testConcurrent(t *testing.T, st audit.Store) {
	const workers, batches, per = 6, 8, 3
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- appendRetrying(st, w, batches, per)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	const total = workers * batches * per
	wantSize(t, st, total)
	got, err := st.EntryRange(context.Background(), 0, total)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, e := range got {
		if e.Seq != uint64(i) {
			t.Fatalf("entry %d has seq %d", i, e.Seq)
		}
		if seen[e.Reason] {
			t.Fatalf("entry %q stored twice", e.Reason)
		}
		seen[e.Reason] = true
	}
	cps, err := st.Checkpoints(context.Background(), 0, 0)
	if err != nil || len(cps) != workers*batches {
		t.Fatalf("%d checkpoints, want %d: %v", len(cps), workers*batches, err)
	}
	for i, cp := range cps {
		if cp.Size != uint64((i+1)*per) {
			t.Fatalf("checkpoint %d has size %d, want %d", i, cp.Size, (i+1)*per)
		}
	}
}

func appendRetrying(st audit.Store, worker, batches, per int) error {
	ctx := context.Background()
	f := &compact.RangeFactory{Hash: rfcHasher.HashChildren}
	for n := 0; n < batches; {
		size, err := st.Size(ctx)
		if err != nil {
			return err
		}
		// Node ids depend only on positions; their hashes need not be
		// right for this test, so the range before size is made up.
		rng, err := f.NewRange(0, size, make([][]byte, compact.RangeSize(0, size)))
		if err != nil {
			return err
		}
		for i := range rng.Hashes() {
			rng.Hashes()[i] = make([]byte, 32)
		}
		var nodes []audit.TreeNode
		es := sample(base, fmt.Sprintf("w%d-b%d", worker, n), per)
		for i := range es {
			es[i].Seq = size + uint64(i)
			rng.Append(es[i].LeafHash(), func(id compact.NodeID, h []byte) { nodes = append(nodes, audit.TreeNode{ID: id, Hash: h}) })
		}
		cp := audit.SignedCheckpoint{Size: size + uint64(per), Note: fmt.Appendf(nil, "w%d\n%d\n", worker, size+uint64(per)), Time: base}
		err = st.AppendBatch(ctx, es, nodes, cp)
		switch accord.ErrorCode(err) {
		case "":
			n++
		case accord.ECONFLICT:
			// another appender got there first; try again at the new size
		default:
			return fmt.Errorf("appender %d: %w", worker, err)
		}
	}
	return nil
}
