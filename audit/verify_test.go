package audit_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accord-coalition/accord/audit"
	"github.com/accord-coalition/accord/audit/audittest"
	"github.com/transparency-dev/merkle/compact"
)

// tamperLog builds a 20-entry log in batches of 5, so checkpoints exist at
// sizes 5, 10, 15 and 20.
func tamperLog(t *testing.T) (*audittest.MemStore, *audit.SigningKey) {
	t.Helper()
	st := audittest.NewMemStore()
	key := testKey(t, "accord.test/audit")
	// MaxDelay is long enough for the 5 goroutines of a round to join one
	// batch, which then commits as soon as it is full.
	l := openLog(t, st, key, audit.Options{MaxBatch: 5, MaxDelay: 10 * time.Second})
	for range 4 {
		errs := make(chan error, 5)
		for i := range 5 {
			go func() { _, err := l.Append(context.Background(), sampleEntry(i)); errs <- err }()
		}
		for range 5 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
	}
	l.Close()
	mustVerify(t, st, key)
	return st, key
}

func entry(t *testing.T, st *audittest.MemStore, seq uint64) audit.Entry {
	t.Helper()
	es, err := st.EntryRange(context.Background(), seq, seq+1)
	if err != nil || len(es) != 1 {
		t.Fatalf("entry %d: %v", seq, err)
	}
	return es[0]
}

func TestVerifyStoreDetectsTampering(t *testing.T) {
	other := testKey(t, "accord.test/audit")
	tests := []struct {
		name   string
		tamper func(t *testing.T, st *audittest.MemStore, key *audit.SigningKey)
		kind   string
		entry  int64 // -1: none expected
		cp     int64 // -1: none expected
		text   string
	}{
		{"edit a field", func(t *testing.T, st *audittest.MemStore, _ *audit.SigningKey) {
			e := entry(t, st, 7)
			e.Decision = audit.Allowed
			e.Purpose = "research.academic"
			st.SetEntry(e)
		}, audit.ProblemEntryModified, 7, -1, "entry 7 does not match"},
		{"edit a field and its leaf hash", func(t *testing.T, st *audittest.MemStore, _ *audit.SigningKey) {
			e := entry(t, st, 7)
			e.Resource = "dataset:other"
			st.SetEntry(e)
			st.SetNode(compact.NewNodeID(0, 7), e.LeafHash())
		}, audit.ProblemNodeMismatch, -1, -1, "(entries 6..7) does not match"},
		{"delete an entry", func(t *testing.T, st *audittest.MemStore, _ *audit.SigningKey) {
			st.DeleteEntry(12)
		}, audit.ProblemEntryMissing, 12, -1, "entry 12 is missing"},
		{"delete an entry and its leaf hash", func(t *testing.T, st *audittest.MemStore, _ *audit.SigningKey) {
			st.DeleteEntry(12)
			st.SetNode(compact.NewNodeID(0, 12), nil)
		}, audit.ProblemEntryMissing, 12, -1, "entry 12 is missing"},
		{"delete an entry and its leaf hash, edit a later one", func(t *testing.T, st *audittest.MemStore, _ *audit.SigningKey) {
			st.DeleteEntry(12)
			st.SetNode(compact.NewNodeID(0, 12), nil)
			e := entry(t, st, 17)
			e.Reason = "changed"
			st.SetEntry(e)
		}, audit.ProblemEntryModified, 17, -1, "entry 17 does not match"},
		{"delete the last entries", func(t *testing.T, st *audittest.MemStore, _ *audit.SigningKey) {
			st.DeleteEntry(19)
			st.DeleteEntry(18)
		}, audit.ProblemCheckpointBeyond, -1, 20, "entries 18..19 were deleted"},
		{"swap two entries", func(t *testing.T, st *audittest.MemStore, _ *audit.SigningKey) {
			a, b := entry(t, st, 3), entry(t, st, 11)
			a.Seq, b.Seq = b.Seq, a.Seq
			st.SetEntry(a)
			st.SetEntry(b)
		}, audit.ProblemEntryModified, 3, -1, "entry 3 does not match"},
		{"append an entry without the log", func(t *testing.T, st *audittest.MemStore, _ *audit.SigningKey) {
			e := entry(t, st, 19)
			e.Seq = 20
			st.SetEntry(e)
		}, audit.ProblemUnsigned, 20, -1, "entry 20 is not covered"},
		{"replace a checkpoint with one signed by another key", func(t *testing.T, st *audittest.MemStore, _ *audit.SigningKey) {
			cps, _ := st.Checkpoints(context.Background(), 10, 1)
			c, err := audit.OpenCheckpoint(cps[0].Note, other.Verifier())
			if err == nil {
				t.Fatal("the other key verified the node's checkpoint")
			}
			c = checkpointBody(t, cps[0].Note)
			cps[0].Note, err = audit.SignCheckpoint(c, other.Signer())
			if err != nil {
				t.Fatal(err)
			}
			st.SetCheckpoint(cps[0])
		}, audit.ProblemCheckpointSignature, -1, 10, "checkpoint 10: checkpoint is not signed by key"},
		{"change a checkpoint's root", func(t *testing.T, st *audittest.MemStore, _ *audit.SigningKey) {
			cps, _ := st.Checkpoints(context.Background(), 15, 1)
			note := string(cps[0].Note)
			c := checkpointBody(t, cps[0].Note)
			c.Root[0] ^= 1
			cps[0].Note = []byte(strings.Replace(note, string(checkpointBody(t, cps[0].Note).Marshal()), string(c.Marshal()), 1))
			st.SetCheckpoint(cps[0])
		}, audit.ProblemCheckpointSignature, -1, 15, "checkpoint 15: open checkpoint: invalid signature"},
		{"re-sign a checkpoint with a wrong root", func(t *testing.T, st *audittest.MemStore, key *audit.SigningKey) {
			cps, _ := st.Checkpoints(context.Background(), 15, 1)
			c := checkpointBody(t, cps[0].Note)
			c.Root[0] ^= 1
			var err error
			cps[0].Note, err = audit.SignCheckpoint(c, key.Signer())
			if err != nil {
				t.Fatal(err)
			}
			st.SetCheckpoint(cps[0])
		}, audit.ProblemCheckpointRoot, -1, 15, "checkpoint 15: its signed root"},
		{"move a checkpoint", func(t *testing.T, st *audittest.MemStore, _ *audit.SigningKey) {
			cps, _ := st.Checkpoints(context.Background(), 5, 1)
			st.DeleteCheckpoint(5)
			cps[0].Size = 6
			st.SetCheckpoint(cps[0])
		}, audit.ProblemCheckpointSize, -1, 6, "the note signs size 5, not 6"},
		{"overwrite a tree node", func(t *testing.T, st *audittest.MemStore, _ *audit.SigningKey) {
			st.SetNode(compact.NewNodeID(2, 1), make([]byte, 32))
		}, audit.ProblemNodeMismatch, -1, -1, "tree node level 2 index 1 (entries 4..7)"},
		{"delete a tree node", func(t *testing.T, st *audittest.MemStore, _ *audit.SigningKey) {
			st.SetNode(compact.NewNodeID(1, 3), nil)
		}, audit.ProblemNodeMissing, -1, -1, "tree node level 1 index 3 is not stored"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, key := tamperLog(t)
			tt.tamper(t, st, key)
			rep, err := audit.VerifyStore(context.Background(), st, key.Verifier())
			if !errors.Is(err, audit.ErrTampered) {
				t.Fatalf("VerifyStore err = %v, want ErrTampered", err)
			}
			i := slices.IndexFunc(rep.Problems, func(p audit.Problem) bool {
				return p.Kind == tt.kind && strings.Contains(p.Message, tt.text)
			})
			if i < 0 {
				t.Fatalf("no %s problem containing %q\n%s", tt.kind, tt.text, rep)
			}
			p := rep.Problems[i]
			if tt.entry >= 0 && (p.Entry == nil || *p.Entry != uint64(tt.entry)) {
				t.Errorf("problem names entry %v, want %d", p.Entry, tt.entry)
			}
			if tt.cp >= 0 && (p.Checkpoint == nil || *p.Checkpoint != uint64(tt.cp)) {
				t.Errorf("problem names checkpoint %v, want %d", p.Checkpoint, tt.cp)
			}
			t.Logf("\n%s", rep)
		})
	}
}

func checkpointBody(t *testing.T, note []byte) audit.Checkpoint {
	t.Helper()
	body, _, ok := strings.Cut(string(note), "\n\n")
	if !ok {
		t.Fatalf("not a note: %q", note)
	}
	c, err := audit.ParseCheckpoint([]byte(body + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestVerifyStoreEmptyAndReport(t *testing.T) {
	key := testKey(t, "o")
	rep := mustVerify(t, audittest.NewMemStore(), key)
	if !rep.OK() || rep.Entries != 0 || !strings.Contains(rep.String(), "OK") {
		t.Fatalf("empty log report: %s", rep)
	}
	st, key := tamperLog(t)
	rep = mustVerify(t, st, key)
	if rep.Latest == nil || rep.Latest.Size != 20 || rep.Checkpoints != 4 {
		t.Fatalf("report %+v", rep)
	}
}

type unreadableStore struct{ audit.Store }

func (unreadableStore) EntryRange(context.Context, uint64, uint64) ([]audit.Entry, error) {
	return nil, errors.New("disk I/O error")
}

func TestVerifyStoreReadError(t *testing.T) {
	st, key := tamperLog(t)
	rep, err := audit.VerifyStore(context.Background(), unreadableStore{st}, key.Verifier())
	if err == nil || errors.Is(err, audit.ErrTampered) || rep != nil || !strings.Contains(err.Error(), "read entries 0..19") {
		t.Fatalf("VerifyStore on an unreadable store: %v, %v", rep, err)
	}
}
