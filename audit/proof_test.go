package audit_test

import (
	"context"
	"errors"
	"testing"

	"github.com/accord-coalition/accord/audit"
	"github.com/accord-coalition/accord/audit/audittest"
)

// TestProofsAgainstEveryCheckpoint appends one entry per batch, so there is
// a checkpoint for every size, then checks every inclusion proof and every
// consistency proof a remote verifier could ask for.
func TestProofsAgainstEveryCheckpoint(t *testing.T) {
	ctx := context.Background()
	st := audittest.NewMemStore()
	key := testKey(t, "o")
	l := openLog(t, st, key, audit.Options{})
	const n = 45
	appendN(t, l, 0, n)

	cps, err := st.Checkpoints(ctx, 0, 0)
	if err != nil || len(cps) != n {
		t.Fatalf("%d checkpoints, %v", len(cps), err)
	}
	opened := make([]audit.Checkpoint, n+1)
	for _, cp := range cps {
		c, err := audit.OpenCheckpoint(cp.Note, key.Verifier())
		if err != nil {
			t.Fatal(err)
		}
		opened[c.Size] = c
	}
	entries, _ := st.EntryRange(ctx, 0, n)
	for size := uint64(1); size <= n; size++ {
		for i := range size {
			p, err := audit.InclusionProof(ctx, st, i, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := audit.VerifyInclusion(&entries[i], p, opened[size]); err != nil {
				t.Fatalf("inclusion of %d in %d: %v", i, size, err)
			}
		}
		for size1 := uint64(1); size1 <= size; size1++ {
			p, err := audit.ConsistencyProof(ctx, st, size1, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := audit.VerifyConsistency(opened[size1], opened[size], p); err != nil {
				t.Fatalf("consistency %d -> %d: %v", size1, size, err)
			}
		}
	}

	// A remote verifier holding only notes.
	p, _ := audit.ConsistencyProof(ctx, st, 10, n)
	if _, err := audit.VerifyCheckpointConsistency(cps[9].Note, cps[n-1].Note, p, key.Verifier()); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.VerifyCheckpointConsistency(cps[n-1].Note, cps[9].Note, nil, key.Verifier()); err == nil {
		t.Fatal("a rollback verified")
	}

	// A changed entry is not included; a wrong proof is refused.
	e := entries[7]
	e.Purpose = "research.academic"
	p, _ = audit.InclusionProof(ctx, st, 7, n)
	if audit.VerifyInclusion(&e, p, opened[n]) == nil {
		t.Fatal("an edited entry verified as included")
	}
	p, _ = audit.ConsistencyProof(ctx, st, 10, n)
	p[0][0] ^= 1
	if audit.VerifyConsistency(opened[10], opened[n], p) == nil {
		t.Fatal("a corrupted consistency proof verified")
	}
}

func TestProofErrors(t *testing.T) {
	ctx := context.Background()
	st := audittest.NewMemStore()
	l := openLog(t, st, testKey(t, "o"), audit.Options{})
	appendN(t, l, 0, 4)
	if _, err := audit.InclusionProof(ctx, st, 4, 4); err == nil {
		t.Fatal("proof for an index beyond the tree")
	}
	if _, err := audit.ConsistencyProof(ctx, st, 5, 4); err == nil {
		t.Fatal("consistency proof to a smaller tree")
	}
	if _, err := audit.InclusionProof(ctx, st, 0, 9); err == nil {
		t.Fatal("proof from nodes that are not stored")
	}
	st.SetNode(nodeID(1, 1), nil)
	if _, err := audit.InclusionProof(ctx, st, 0, 4); err == nil || errors.Is(err, context.Canceled) {
		t.Fatalf("proof with a missing node: %v", err)
	}
}
