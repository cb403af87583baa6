package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/note"
)

var rangeFactory = &compact.RangeFactory{Hash: hasher.HashChildren}

// pageSize is how many entries are read from a Store per call when the
// whole log is scanned.
const pageSize = 4096

// state is the in-memory head of the log: the compact range of [0, size),
// which holds at most log2(size) hashes, plus what the next batch needs.
type state struct {
	rng      *compact.Range
	lastTime time.Time         // time of the last entry, to keep time non-decreasing
	latest   *SignedCheckpoint // nil for an empty log
}

func (s *state) size() uint64 { return s.rng.End() }

// cloneRange copies r so a batch can be built on the copy and dropped if
// the store refuses it, leaving the committed state untouched.
func cloneRange(r *compact.Range) *compact.Range {
	hashes := make([][]byte, len(r.Hashes()))
	copy(hashes, r.Hashes())
	c, err := rangeFactory.NewRange(r.Begin(), r.End(), hashes)
	if err != nil {
		panic(err) // unreachable: the copy has the same shape
	}
	return c
}

// rootOf returns the root hash of the tree the range covers.
func rootOf(r *compact.Range) []byte {
	if r.End() == 0 {
		return EmptyRoot()
	}
	root, err := r.GetRootHash(nil)
	if err != nil {
		panic(err) // unreachable: ranges here always begin at 0
	}
	return root
}

// restore rebuilds the head of the log from the store. The stored nodes
// give the compact range in one query; if any is missing, or they do not
// match the latest checkpoint, the range is recomputed from the entries.
// A log whose entries do not match its own latest signed checkpoint is
// refused: the node must not extend a tree it cannot vouch for.
func restore(ctx context.Context, st Store, v note.Verifier) (*state, error) {
	size, err := st.Size(ctx)
	if err != nil {
		return nil, fmt.Errorf("restore audit log: %w", err)
	}
	latest, err := st.LatestCheckpoint(ctx)
	if accord.ErrorCode(err) == accord.ENOTFOUND {
		if size != 0 {
			return nil, fmt.Errorf("restore audit log: %d entries but no checkpoint", size)
		}
		return &state{rng: rangeFactory.NewEmptyRange(0)}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("restore audit log: %w", err)
	}
	cp, err := OpenCheckpoint(latest.Note, v)
	if err != nil {
		return nil, fmt.Errorf("restore audit log: latest checkpoint: %w", err)
	}
	if cp.Size != size || latest.Size != size {
		return nil, fmt.Errorf("restore audit log: latest checkpoint signs %d entries, store holds %d", cp.Size, size)
	}
	rng, err := rangeFromNodes(ctx, st, size)
	if err != nil || !bytes.Equal(rootOf(rng), cp.Root) {
		if rng, err = rangeFromEntries(ctx, st, size); err != nil {
			return nil, fmt.Errorf("restore audit log: %w", err)
		}
		if !bytes.Equal(rootOf(rng), cp.Root) {
			return nil, fmt.Errorf("restore audit log: entries do not match the latest checkpoint (size %d); run verification", size)
		}
	}
	last, err := st.EntryRange(ctx, size-1, size)
	if err != nil {
		return nil, fmt.Errorf("restore audit log: %w", err)
	}
	if len(last) != 1 {
		return nil, fmt.Errorf("restore audit log: entry %d is missing", size-1)
	}
	return &state{rng: rng, lastTime: last[0].Time, latest: latest}, nil
}

var errMissingNode = errors.New("tree node is not stored")

func rangeFromNodes(ctx context.Context, st Store, size uint64) (*compact.Range, error) {
	ids := compact.RangeNodes(0, size, nil)
	hashes, err := st.Nodes(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, h := range hashes {
		if h == nil {
			return nil, fmt.Errorf("node %d/%d: %w", ids[i].Level, ids[i].Index, errMissingNode)
		}
	}
	return rangeFactory.NewRange(0, size, hashes)
}

func rangeFromEntries(ctx context.Context, st Store, size uint64) (*compact.Range, error) {
	rng := rangeFactory.NewEmptyRange(0)
	err := scanEntries(ctx, st, 0, size, func(page []Entry) error {
		for i := range page {
			if page[i].Seq != rng.End() {
				return fmt.Errorf("entry %d is missing", rng.End())
			}
			if err := rng.Append(page[i].LeafHash(), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if rng.End() != size {
		return nil, fmt.Errorf("entry %d is missing", rng.End())
	}
	return rng, nil
}

// scanEntries calls fn with consecutive pages of the entries in [from, to).
// Pages are read ahead by scanReaders goroutines while fn works on the
// current one, so a SQL store's reads (one connection each) overlap with
// each other and with hashing; fn still sees them in order.
func scanEntries(ctx context.Context, st Store, from, to uint64, fn func([]Entry) error) error {
	type page struct {
		entries    []Entry
		from, last uint64
		err        error
	}
	ctx, cancel := context.WithCancel(ctx)
	// Reader r reads pages r, r+n, r+2n, … into its own channel; the
	// consumer takes them round-robin, which restores the order.
	n := scanReaders
	chans := make([]chan page, n)
	for r := range n {
		chans[r] = make(chan page, 1)
		go func(r int) {
			defer close(chans[r])
			for start := from + uint64(r)*pageSize; start < to; start += uint64(n) * pageSize {
				end := min(start+pageSize, to)
				es, err := st.EntryRange(ctx, start, end)
				select {
				case chans[r] <- page{es, start, end - 1, err}:
				case <-ctx.Done():
					return
				}
				if err != nil {
					return
				}
			}
		}(r)
	}
	defer func() {
		cancel()
		for _, c := range chans { // let the readers finish before returning
			for range c {
			}
		}
	}()
	for i := 0; ; i++ {
		p, ok := <-chans[i%n]
		if !ok {
			return nil
		}
		if p.err != nil {
			return fmt.Errorf("read entries %d..%d: %w", p.from, p.last, p.err)
		}
		if err := fn(p.entries); err != nil {
			return err
		}
	}
}

// scanReaders is how many pages are read at once during verification.
const scanReaders = 2
