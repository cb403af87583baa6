package audit

import (
	"bytes"
	"context"
	"fmt"
)

// cpCursor walks the stored checkpoints in size order, one page at a time,
// so a log with a checkpoint per batch never has them all in memory.
type cpCursor struct {
	ctx  context.Context
	st   Store
	buf  []SignedCheckpoint
	from uint64
	done bool
}

func (c *cpCursor) peek() (*SignedCheckpoint, error) {
	if len(c.buf) == 0 && !c.done {
		const page = 1024
		cps, err := c.st.Checkpoints(c.ctx, c.from, page)
		if err != nil {
			return nil, fmt.Errorf("read checkpoints from size %d: %w", c.from, err)
		}
		c.buf, c.done = cps, len(cps) < page
		if len(cps) > 0 {
			c.from = cps[len(cps)-1].Size + 1
		}
	}
	if len(c.buf) == 0 {
		return nil, nil
	}
	return &c.buf[0], nil
}

func (c *cpCursor) pop() { c.buf = c.buf[1:] }

// checkpointsUpTo checks every stored checkpoint of size <= size against
// the tree recomputed so far, whose size is size.
func (w *walker) checkpointsUpTo(size uint64) error {
	for {
		cp, err := w.cps.peek()
		if err != nil {
			return err
		}
		if cp == nil || cp.Size > size {
			return nil
		}
		w.cps.pop()
		w.rep.Checkpoints++
		w.maxCp = max(w.maxCp, cp.Size)
		c, ok := w.openCheckpoint(cp)
		if !ok {
			continue
		}
		if cp.Size < size {
			// Only when the tree could not be grown to this size (a gap
			// with its leaf hash gone) is a checkpoint passed over.
			continue
		}
		if w.broken {
			continue
		}
		root := rootOf(w.rng)
		if !bytes.Equal(c.Root, root) {
			w.rootMismatch(cp.Size)
			continue
		}
		w.rep.Latest = &c
	}
}

// openCheckpoint checks a stored checkpoint's signature and size, reporting
// a problem and returning false if either is wrong.
func (w *walker) openCheckpoint(cp *SignedCheckpoint) (Checkpoint, bool) {
	c, err := OpenCheckpoint(cp.Note, w.v)
	if err != nil {
		w.problemCheckpoint(ProblemCheckpointSignature, cp.Size, fmt.Sprintf("checkpoint %d: %v", cp.Size, err))
		return Checkpoint{}, false
	}
	if c.Size != cp.Size {
		w.problemCheckpoint(ProblemCheckpointSize, cp.Size, fmt.Sprintf(
			"checkpoint %d: the note signs size %d, not %d: it was moved or replaced", cp.Size, c.Size, cp.Size))
		return Checkpoint{}, false
	}
	return c, true
}

// rootMismatch reports the first checkpoint whose root differs from the
// recomputed one. Every later checkpoint covers the same changed entries
// and fails too, so those are summed up in one problem by finish.
func (w *walker) rootMismatch(size uint64) {
	if w.rootFails == 0 {
		w.problemCheckpoint(ProblemCheckpointRoot, size, fmt.Sprintf(
			"checkpoint %d: its signed root is not the root of entries 0..%d: entries up to %d changed after it was signed, or it was not signed over this log",
			size, size-1, size-1))
	}
	w.rootFails++
	w.lastRootFail = size
}
