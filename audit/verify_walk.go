package audit

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/note"
)

// walker carries VerifyStore's state through the scan of the entries.
type walker struct {
	ctx context.Context
	st  Store
	v   note.Verifier
	rep *Report

	rng      *compact.Range
	next     uint64    // the Seq the next entry must have
	lastTime time.Time // time of the previous entry
	broken   bool      // a leaf could not be recovered; the tree stops here
	// leavesOnly compares only stored leaf hashes, not the tree nodes above
	// them (see VerifyOptions.Nodes).
	leavesOnly bool
	// rootsOnly compares nothing stored but the checkpoints (see
	// VerifyOptions.Leaves).
	rootsOnly bool

	// nodes recomputed in the current page, checked against the store
	ids    []compact.NodeID
	hashes [][]byte
	// diverged holds nodes whose stored hash differs from the recomputed
	// one, so only the lowest divergent node of a path is reported.
	diverged map[compact.NodeID]bool

	cps          *cpCursor
	rootFails    int    // checkpoints whose root did not match
	lastRootFail uint64 // size of the last of them
	maxCp        uint64 // largest stored checkpoint size, valid or not
}

// page verifies one page of entries, then the tree nodes they completed.
func (w *walker) page(entries []Entry) error {
	w.ids, w.hashes = w.ids[:0], w.hashes[:0]
	w.rep.Entries += uint64(len(entries))
	leaves, invalid := hashLeaves(entries)
	for i := range entries {
		e := &entries[i]
		if e.Seq < w.next {
			w.problemEntry(ProblemEntryOrder, e.Seq, fmt.Sprintf(
				"entry %d was returned again or out of order after entry %d", e.Seq, w.next-1))
			continue
		}
		if e.Seq > w.next {
			if err := w.fillGap(e.Seq); err != nil {
				return err
			}
		}
		w.checkEntry(e, invalid[i])
		if err := w.appendLeaf(leaves[i], true); err != nil {
			return err
		}
	}
	return w.checkNodes()
}

func (w *walker) checkEntry(e *Entry, invalid error) {
	if e.Time.Before(w.lastTime) {
		w.problemEntry(ProblemTimeOrder, e.Seq, fmt.Sprintf(
			"entry %d is dated %s, before entry %d (%s): entries were reordered or edited",
			e.Seq, e.Time.Format(time.RFC3339Nano), e.Seq-1, w.lastTime.Format(time.RFC3339Nano)))
	}
	w.lastTime = e.Time
	if invalid != nil {
		w.problemEntry(ProblemEntryInvalid, e.Seq, fmt.Sprintf("entry %d: %v", e.Seq, invalid))
	}
}

// fillGap reports entries [w.next, seq) as missing. To keep checking the
// rest of the log, their stored leaf hashes stand in for them: the deletion
// is reported once, here, rather than as every later checkpoint failing.
func (w *walker) fillGap(seq uint64) error {
	from := w.next
	w.missing(seq)
	if w.broken {
		return nil
	}
	ids := make([]compact.NodeID, 0, seq-from)
	for i := from; i < seq; i++ {
		ids = append(ids, compact.NewNodeID(0, i))
	}
	leaves, err := w.st.Nodes(w.ctx, ids)
	if err != nil {
		return fmt.Errorf("read leaf hashes %d..%d: %w", from, seq-1, err)
	}
	w.next = from
	for i, h := range leaves {
		if h == nil {
			w.broken = true
			w.problemEntry(ProblemUncheckable, from+uint64(i), fmt.Sprintf(
				"entry %d and its leaf hash are both gone: the tree cannot be recomputed past it, so checkpoints above size %d are not checked against the entries",
				from+uint64(i), from+uint64(i)))
			w.next = seq
			return w.checkpointsUpTo(seq)
		}
		if err := w.appendLeaf(h, false); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) missing(seq uint64) {
	w.problemEntry(ProblemEntryMissing, w.next, entrySpan(w.next, seq-1)+" missing (deleted)")
	w.next = seq
}

// appendLeaf adds a leaf to the recomputed tree, queues the nodes it
// completes for comparison with the store (except a leaf that was read from
// the store), and checks any checkpoint of the new size.
func (w *walker) appendLeaf(leaf []byte, compare bool) error {
	if w.broken {
		// Past the break the tree cannot be rebuilt, but each entry can
		// still be held against its own stored leaf hash.
		if compare {
			w.ids = append(w.ids, compact.NewNodeID(0, w.next))
			w.hashes = append(w.hashes, leaf)
		}
		w.next++
		return w.checkpointsUpTo(w.next)
	}
	visit := func(id compact.NodeID, hash []byte) {
		if w.rootsOnly {
			return
		}
		if id.Level > 0 && !w.leavesOnly || id.Level == 0 && compare {
			w.ids = append(w.ids, id)
			w.hashes = append(w.hashes, hash)
		}
	}
	if err := w.rng.Append(leaf, visit); err != nil {
		return err
	}
	w.next = w.rng.End()
	return w.checkpointsUpTo(w.next)
}

// checkNodes compares the page's recomputed nodes with the stored ones.
func (w *walker) checkNodes() error {
	const chunk = 4096
	for start := 0; start < len(w.ids); start += chunk {
		end := min(start+chunk, len(w.ids))
		stored, err := w.st.Nodes(w.ctx, w.ids[start:end])
		if err != nil {
			return fmt.Errorf("read tree nodes: %w", err)
		}
		for i, s := range stored {
			w.checkNode(w.ids[start+i], s, w.hashes[start+i])
		}
	}
	return nil
}

func (w *walker) checkNode(id compact.NodeID, stored, computed []byte) {
	if equalHash(stored, computed) {
		return
	}
	w.diverged[id] = true
	if id.Level > 0 && (w.diverged[compact.NewNodeID(id.Level-1, 2*id.Index)] || w.diverged[compact.NewNodeID(id.Level-1, 2*id.Index+1)]) {
		return // a descendant was reported already
	}
	switch {
	case stored == nil && id.Level == 0:
		w.problemEntry(ProblemNodeMissing, id.Index, fmt.Sprintf("the leaf hash of entry %d is not stored: inclusion proofs near it will fail", id.Index))
	case stored == nil:
		_, end := id.Coverage()
		w.rep.add(Problem{Kind: ProblemNodeMissing, node: end - 1, Message: fmt.Sprintf(
			"tree node level %d index %d is not stored: proofs that need it will fail", id.Level, id.Index)})
	case id.Level == 0:
		w.problemEntry(ProblemEntryModified, id.Index, fmt.Sprintf(
			"entry %d does not match the leaf hash stored when it was appended: it was edited (or its tree node was)", id.Index))
	default:
		begin, end := id.Coverage()
		w.rep.add(Problem{Kind: ProblemNodeMismatch, node: end - 1, Message: fmt.Sprintf(
			"tree node level %d index %d (entries %d..%d) does not match the entries", id.Level, id.Index, begin, end-1)})
	}
}

// hashLeaves validates and hashes a page of entries on every core: it is
// most of verification's work and each entry is independent of the others.
func hashLeaves(entries []Entry) (leaves [][]byte, invalid []error) {
	leaves, invalid = make([][]byte, len(entries)), make([]error, len(entries))
	workers := min(runtime.GOMAXPROCS(0), len(entries)/256+1)
	per := (len(entries) + workers - 1) / workers
	var wg sync.WaitGroup
	for start := 0; start < len(entries); start += per {
		end := min(start+per, len(entries))
		wg.Go(func() {
			var buf []byte
			for i := start; i < end; i++ {
				buf = entries[i].appendLeaf(buf[:0])
				leaves[i] = hasher.HashLeaf(buf)
				invalid[i] = entries[i].Validate()
			}
		})
	}
	wg.Wait()
	return leaves, invalid
}
