package audit

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/note"
)

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("audit log is closed")

// Options configure a Log. Key and Hasher are required.
type Options struct {
	Key    *SigningKey // signs a checkpoint after every batch
	Hasher *Hasher     // HMACs Subject and Detail

	// MaxBatch caps the entries committed in one AppendBatch. Default 1024.
	MaxBatch int
	// MaxDelay is how long the writer waits for more entries after the
	// first one of a batch. The default 0 commits what is queued at once:
	// under load, appends queue up while the previous batch commits, so
	// batches grow by themselves without adding latency to a lone caller.
	MaxDelay time.Duration
	// CommitTimeout bounds one AppendBatch call. Default 30s. It does not
	// come from any caller's context, because a batch serves many callers.
	CommitTimeout time.Duration
	// Now returns the current time; tests replace it. Default time.Now.
	Now func() time.Time
}

// Log appends entries to a Store. It is safe for use by many goroutines.
// One writer goroutine sequences them (group commit); there must be only
// one Log per Store, or the two would keep refusing each other's batches.
type Log struct {
	st       Store
	signer   note.Signer
	verifier note.Verifier
	hasher   *Hasher
	opts     Options

	reqs    chan *request
	closing chan struct{}
	done    chan struct{}

	head  *state // owned by the writer goroutine
	stale bool   // a commit failed: reload head from the store first

	latest atomic.Pointer[SignedCheckpoint] // for readers other than the writer
}

type request struct {
	ctx   context.Context
	entry Entry
	reply chan result
}

type result struct {
	seq uint64
	err error
}

// Open restores the log's head from st (see restore) and starts the writer.
func Open(ctx context.Context, st Store, opts Options) (*Log, error) {
	if opts.Key == nil || opts.Hasher == nil {
		return nil, errors.New("open audit log: Key and Hasher are required")
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 1024
	}
	if opts.CommitTimeout <= 0 {
		opts.CommitTimeout = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	head, err := restore(ctx, st, opts.Key.Verifier())
	if err != nil {
		return nil, err
	}
	l := &Log{
		st: st, signer: opts.Key.Signer(), verifier: opts.Key.Verifier(), hasher: opts.Hasher, opts: opts,
		reqs:    make(chan *request),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
		head:    head,
	}
	l.latest.Store(head.latest)
	go l.run()
	return l, nil
}

// Append records e and returns its sequence number once it is durably
// stored with a signed checkpoint covering it. Subject and Detail are HMAC'd
// here; Seq and Time are assigned by the log. On error the caller must
// refuse the action it wanted to record (fail-closed). If ctx ends while
// the batch is being committed, Append returns ctx's error although the
// entry may still be recorded: the log may hold an attempt that was then
// refused, never an action that was not recorded.
func (l *Log) Append(ctx context.Context, e Entry) (uint64, error) {
	l.hasher.HashEntry(&e)
	if err := e.Validate(); err != nil {
		return 0, &accord.Error{Code: accord.EINVALID, Message: "the request cannot be recorded in the audit log", Err: err}
	}
	r := &request{ctx: ctx, entry: e, reply: make(chan result, 1)}
	select {
	case l.reqs <- r:
	case <-l.done:
		return 0, ErrClosed
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	select {
	case res := <-r.reply:
		return res.seq, res.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Checkpoint returns the latest signed checkpoint, nil for an empty log.
// It is shared: do not modify it.
func (l *Log) Checkpoint() *SignedCheckpoint {
	return l.latest.Load()
}

// Close stops the writer after the batch in progress. Appends waiting to be
// sequenced get ErrClosed.
func (l *Log) Close() error {
	select {
	case <-l.closing:
	default:
		close(l.closing)
	}
	<-l.done
	return nil
}

func (l *Log) run() {
	defer close(l.done)
	for {
		var first *request
		select {
		case <-l.closing:
			return
		case first = <-l.reqs:
		}
		l.commit(l.collect(first))
	}
}

// collect gathers the requests for one batch: those already waiting and,
// if MaxDelay is set, those arriving within MaxDelay, up to MaxBatch.
func (l *Log) collect(first *request) []*request {
	batch := []*request{first}
	// Let appenders that are ready to run reach the queue before it is
	// drained: under load this makes batches markedly larger, and when
	// nothing else is runnable it returns at once.
	runtime.Gosched()
	var deadline <-chan time.Time
	if l.opts.MaxDelay > 0 {
		t := time.NewTimer(l.opts.MaxDelay)
		defer t.Stop()
		deadline = t.C
	}
	for len(batch) < l.opts.MaxBatch {
		if deadline == nil {
			select {
			case r := <-l.reqs:
				batch = append(batch, r)
				continue
			default:
				return batch
			}
		}
		select {
		case r := <-l.reqs:
			batch = append(batch, r)
		case <-deadline:
			return batch
		case <-l.closing:
			return batch
		}
	}
	return batch
}

// commit sequences the batch on a copy of the head, stores it in one
// AppendBatch and only then adopts the copy and answers the callers. On
// failure every caller gets the error and the head is untouched, so the next
// batch reuses the same sequence numbers: no gaps, no duplicates.
func (l *Log) commit(batch []*request) {
	live := batch[:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.reply <- result{err: err} // the caller gave up; do not record
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), l.opts.CommitTimeout)
	defer cancel()
	err := l.commitEntries(ctx, live)
	for i, r := range live {
		if err != nil {
			r.reply <- result{err: err}
		} else {
			r.reply <- result{seq: l.head.size() - uint64(len(live)) + uint64(i)}
		}
	}
}

func (l *Log) commitEntries(ctx context.Context, batch []*request) error {
	if l.stale {
		// The store may or may not have kept the failed batch (a commit can
		// succeed and its acknowledgement be lost), so ask it.
		head, err := restore(ctx, l.st, l.verifier)
		if err != nil {
			return fmt.Errorf("audit log unavailable: %w", err)
		}
		l.head, l.stale = head, false
		l.latest.Store(head.latest)
	}
	now := logTime(l.opts.Now())
	if now.Before(l.head.lastTime) {
		now = l.head.lastTime // the clock stepped back; keep time non-decreasing
	}
	rng := cloneRange(l.head.rng)
	entries := make([]Entry, len(batch))
	nodes := make([]TreeNode, 0, 2*len(batch)+1)
	visit := func(id compact.NodeID, hash []byte) { nodes = append(nodes, TreeNode{ID: id, Hash: hash}) }
	for i, r := range batch {
		e := r.entry
		e.Seq, e.Time = rng.End(), now
		if err := rng.Append(e.LeafHash(), visit); err != nil {
			return fmt.Errorf("audit log: %w", err)
		}
		entries[i] = e
	}
	cp, err := l.sign(rng, now)
	if err != nil {
		return err
	}
	if err := l.st.AppendBatch(ctx, entries, nodes, *cp); err != nil {
		l.stale = true
		return fmt.Errorf("audit log: store batch of %d entries: %w", len(entries), err)
	}
	l.head = &state{rng: rng, lastTime: now, latest: cp}
	l.latest.Store(cp)
	return nil
}

func (l *Log) sign(rng *compact.Range, now time.Time) (*SignedCheckpoint, error) {
	c := Checkpoint{Origin: l.signer.Name(), Size: rng.End(), Root: rootOf(rng)}
	msg, err := SignCheckpoint(c, l.signer)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return &SignedCheckpoint{Size: c.Size, Note: msg, Time: now}, nil
}
