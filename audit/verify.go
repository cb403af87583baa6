package audit

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/note"
)

// ErrTampered is wrapped by the error VerifyStore returns when it found
// problems; the Report lists them.
var ErrTampered = errors.New("audit log failed verification")

// Kinds of Problem.
const (
	ProblemEntryMissing        = "entry-missing"        // a sequence number has no entry
	ProblemEntryOrder          = "entry-order"          // the store returned entries out of order or twice
	ProblemEntryModified       = "entry-modified"       // an entry does not match the leaf hash written with it
	ProblemEntryInvalid        = "entry-invalid"        // an entry breaks a rule (e.g. subject not HMAC'd)
	ProblemTimeOrder           = "time-order"           // an entry's time is before its predecessor's
	ProblemNodeMismatch        = "node-mismatch"        // a stored tree node does not match the entries
	ProblemNodeMissing         = "node-missing"         // a tree node proofs need is not stored
	ProblemCheckpointSignature = "checkpoint-signature" // not a valid checkpoint signed by the node key
	ProblemCheckpointRoot      = "checkpoint-root"      // its root is not the root of the stored entries
	ProblemCheckpointSize      = "checkpoint-size"      // stored size differs from the size it signs
	ProblemCheckpointBeyond    = "checkpoint-beyond"    // it signs more entries than are stored
	ProblemUnsigned            = "unsigned"             // entries no checkpoint covers
	ProblemUncheckable         = "uncheckable"          // the tree cannot be recomputed past a point
)

// maxProblems bounds Report.Problems; ProblemCount keeps the full count.
const maxProblems = 100

// Problem is one verification failure. Entry or Checkpoint (a tree size)
// says exactly where.
type Problem struct {
	Kind       string  `json:"kind"`
	Entry      *uint64 `json:"entry,omitempty"`
	Checkpoint *uint64 `json:"checkpoint,omitempty"`
	Message    string  `json:"message"`

	node uint64 // for a tree node problem: the last entry under the node
}

// problemRank orders problems found at the same place: the cause (an entry
// gone or changed) before its consequences (nodes, checkpoints).
var problemRank = map[string]int{
	ProblemEntryMissing: 0, ProblemEntryModified: 1, ProblemUnsigned: 2, ProblemEntryOrder: 3,
	ProblemEntryInvalid: 4, ProblemTimeOrder: 5, ProblemUncheckable: 6, ProblemNodeMissing: 7,
	ProblemNodeMismatch: 8, ProblemCheckpointSignature: 9, ProblemCheckpointSize: 10,
	ProblemCheckpointRoot: 11, ProblemCheckpointBeyond: 12,
}

// position is the last entry a problem concerns, to list problems in log
// order rather than in the order the scan found them.
func (p *Problem) position() uint64 {
	switch {
	case p.Entry != nil:
		return *p.Entry
	case p.Checkpoint != nil && *p.Checkpoint > 0:
		return *p.Checkpoint - 1
	}
	return p.node
}

// Report is the outcome of VerifyStore.
type Report struct {
	Size         uint64        `json:"size"`        // entries the store says it holds
	Entries      uint64        `json:"entries"`     // entries actually read
	Checkpoints  int           `json:"checkpoints"` // checkpoints checked
	Root         []byte        `json:"root"`        // root recomputed from the entries
	Latest       *Checkpoint   `json:"latest,omitempty"`
	Problems     []Problem     `json:"problems"` // the first 100
	ProblemCount int           `json:"problem_count"`
	Duration     time.Duration `json:"duration_ns"`
}

// OK reports whether verification found no problem.
func (r *Report) OK() bool { return r.ProblemCount == 0 }

// String renders the report for people, one problem a line.
func (r *Report) String() string {
	var b strings.Builder
	if r.OK() {
		fmt.Fprintf(&b, "audit log OK: %d entries, %d signed checkpoints, root %x (%s)\n",
			r.Entries, r.Checkpoints, r.Root, r.Duration.Round(time.Millisecond))
		return b.String()
	}
	fmt.Fprintf(&b, "audit log FAILED verification: %d problem(s) in %d entries, %d checkpoints\n",
		r.ProblemCount, r.Entries, r.Checkpoints)
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "  %s: %s\n", p.Kind, p.Message)
	}
	if n := r.ProblemCount - len(r.Problems); n > 0 {
		fmt.Fprintf(&b, "  ... and %d more\n", n)
	}
	return b.String()
}

func (r *Report) sort() {
	slices.SortStableFunc(r.Problems, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.position(), b.position()), cmp.Compare(problemRank[a.Kind], problemRank[b.Kind]))
	})
}

func (r *Report) add(p Problem) {
	r.ProblemCount++
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, p)
	}
}

// VerifyStore recomputes the whole tree from the stored entries and checks
// it against everything else that is stored:
//
//   - sequence numbers are 0, 1, 2, ... with none missing or repeated, and
//     times never decrease;
//   - every entry hashes to the leaf hash stored when it was appended, and
//     every stored tree node equals the recomputed one (so proofs are right);
//   - every stored checkpoint is signed by v and its root is the recomputed
//     root at its size; the latest one covers every entry.
//
// An edited, deleted or reordered entry, or a replaced or altered
// checkpoint, shows up as a Problem naming the entry index or checkpoint
// size. The error is non-nil if the store could not be read or, wrapping
// ErrTampered, if any problem was found.
func VerifyStore(ctx context.Context, st Store, v note.Verifier) (*Report, error) {
	return VerifyStoreWith(ctx, st, v, VerifyOptions{Nodes: true, Leaves: true})
}

// VerifyOptions tune VerifyStore.
type VerifyOptions struct {
	// Nodes also compares every stored tree node above the leaves with the
	// recomputed one. Tampering is detected without it (every entry is
	// checked against its stored leaf hash and every checkpoint against the
	// recomputed root); the stored nodes only serve proofs, and a wrong one
	// makes a proof fail at the partner who checks it. Reading them doubles
	// the rows read, so the quick check leaves them out.
	Nodes bool
	// Leaves compares every entry with the leaf hash stored when it was
	// appended, which names each edited entry. Without it (and without
	// Nodes) only the recomputed roots are held against the signed
	// checkpoints: any tampering still fails verification, located to
	// the checkpoints around it, with half the rows read. Callers that
	// find a problem that way run again with Leaves to name the entries.
	Leaves bool
}

// VerifyStoreWith is VerifyStore with options.
func VerifyStoreWith(ctx context.Context, st Store, v note.Verifier, o VerifyOptions) (*Report, error) {
	start := time.Now()
	size, err := st.Size(ctx)
	if err != nil {
		return nil, fmt.Errorf("verify audit log: %w", err)
	}
	w := &walker{ctx: ctx, st: st, v: v, rep: &Report{Size: size}, rng: rangeFactory.NewEmptyRange(0),
		diverged: make(map[compact.NodeID]bool), cps: &cpCursor{ctx: ctx, st: st}, leavesOnly: !o.Nodes, rootsOnly: !o.Nodes && !o.Leaves}
	if err := w.checkpointsUpTo(0); err != nil {
		return nil, err
	}
	err = scanEntries(ctx, st, 0, size, w.page)
	if err == nil {
		err = w.finish()
	}
	if err != nil {
		return nil, fmt.Errorf("verify audit log: %w", err)
	}
	w.rep.sort()
	w.rep.Duration = time.Since(start)
	if !w.rep.OK() {
		return w.rep, fmt.Errorf("%w: %d problem(s), first: %s", ErrTampered, w.rep.ProblemCount, w.rep.Problems[0].Message)
	}
	return w.rep, nil
}

// finish checks what only the end of the scan reveals: entries missing at
// the end, checkpoints beyond the entries, entries no checkpoint signs.
func (w *walker) finish() error {
	if w.next < w.rep.Size {
		w.missing(w.rep.Size)
	}
	if !w.broken {
		w.rep.Root = rootOf(w.rng)
	}
	for {
		cp, err := w.cps.peek()
		if err != nil {
			return err
		}
		if cp == nil {
			break
		}
		w.cps.pop()
		w.rep.Checkpoints++
		w.maxCp = max(w.maxCp, cp.Size)
		c, ok := w.openCheckpoint(cp)
		if ok {
			w.problemCheckpoint(ProblemCheckpointBeyond, cp.Size, fmt.Sprintf(
				"checkpoint %d signs %d entries but only %d are stored: entries %d..%d were deleted",
				cp.Size, c.Size, w.next, w.next, c.Size-1))
		}
	}
	if w.rootFails > 1 {
		w.problemCheckpoint(ProblemCheckpointRoot, w.lastRootFail, fmt.Sprintf(
			"%d later checkpoints, up to size %d, fail for the same reason", w.rootFails-1, w.lastRootFail))
	}
	if w.next > w.maxCp {
		w.problemEntry(ProblemUnsigned, w.maxCp, fmt.Sprintf(
			"%s not covered by any signed checkpoint: added without the log", entrySpan(w.maxCp, w.next-1)))
	}
	return nil
}

func u64(v uint64) *uint64 { return &v }

func (w *walker) problemEntry(kind string, seq uint64, msg string) {
	w.rep.add(Problem{Kind: kind, Entry: u64(seq), Message: msg})
}

func (w *walker) problemCheckpoint(kind string, size uint64, msg string) {
	w.rep.add(Problem{Kind: kind, Checkpoint: u64(size), Message: msg})
}

// equalHash compares a stored hash (nil if absent) with a recomputed one.
func equalHash(stored, computed []byte) bool {
	return stored != nil && bytes.Equal(stored, computed)
}

// entrySpan names entries first..last for messages.
func entrySpan(first, last uint64) string {
	if first == last {
		return fmt.Sprintf("entry %d is", first)
	}
	return fmt.Sprintf("entries %d..%d are", first, last)
}
