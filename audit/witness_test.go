package audit_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accord-coalition/accord/audit"
	"github.com/accord-coalition/accord/audit/audittest"
	"github.com/transparency-dev/merkle/compact"
)

func nodeID(level uint, index uint64) compact.NodeID { return compact.NewNodeID(level, index) }

func TestWitness(t *testing.T) {
	ctx := context.Background()
	st := audittest.NewMemStore()
	key := testKey(t, "accord.partner/audit")
	l := openLog(t, st, key, audit.Options{})
	path := filepath.Join(t.TempDir(), "witness.json")
	w := audit.NewWitness(path, key.Verifier())

	if c, _, err := w.Latest(); c != nil || err != nil {
		t.Fatalf("fresh witness: %v %v", c, err)
	}
	appendN(t, l, 0, 5)
	first := l.Checkpoint()
	if _, err := w.Update(first.Note, nil); err != nil {
		t.Fatalf("first checkpoint: %v", err)
	}
	appendN(t, l, 5, 6)
	second := l.Checkpoint()
	p, _ := audit.ConsistencyProof(ctx, st, first.Size, second.Size)
	if c, err := w.Update(second.Note, p); err != nil || c.Size != 11 {
		t.Fatalf("extension: %v %v", c, err)
	}
	if _, err := w.Update(second.Note, nil); err != nil {
		t.Fatalf("same checkpoint again: %v", err)
	}
	if _, err := w.Update(first.Note, nil); !errors.Is(err, audit.ErrRollback) {
		t.Fatalf("rollback: %v", err)
	}

	// A fork: the node signs another tree of the same size.
	other := audittest.NewMemStore()
	l2 := openLog(t, other, key, audit.Options{})
	appendN(t, l2, 100, 11)
	var fork *audit.ForkError
	if _, err := w.Update(l2.Checkpoint().Note, nil); !errors.As(err, &fork) || !strings.Contains(string(fork.Saved), "\n11\n") {
		t.Fatalf("same-size fork: %v", err)
	}
	// ...and a larger tree that does not extend the saved one.
	appendN(t, l2, 200, 3)
	p, _ = audit.ConsistencyProof(ctx, other, 11, 14)
	if _, err := w.Update(l2.Checkpoint().Note, p); !errors.As(err, &fork) {
		t.Fatalf("inconsistent extension: %v", err)
	}
	if c, _, _ := w.Latest(); c.Size != 11 {
		t.Fatalf("state changed to size %d after refusals", c.Size)
	}

	// A checkpoint signed by another key is refused, and so is an edited state file.
	stranger := testKey(t, "accord.partner/audit")
	l3 := openLog(t, audittest.NewMemStore(), stranger, audit.Options{})
	appendN(t, l3, 0, 20)
	if _, err := w.Update(l3.Checkpoint().Note, nil); err == nil {
		t.Fatal("checkpoint by another key accepted")
	}
	b, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(b), "\\n11\\n", "\\n12\\n", 1)), 0o600)
	if _, _, err := w.Latest(); err == nil {
		t.Fatal("edited state file accepted")
	}
}
