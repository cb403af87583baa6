package audittest

import (
	"context"
	"sync"

	"github.com/accord-coalition/accord/audit"
)

// FaultStore wraps a Store and makes AppendBatch fail on demand, to test
// that callers of the log fail closed.
type FaultStore struct {
	audit.Store

	mu       sync.Mutex
	err      error
	lostAcks bool
	calls    int
}

// NewFaultStore wraps st; it behaves like st until told to fail.
func NewFaultStore(st audit.Store) *FaultStore { return &FaultStore{Store: st} }

// FailAppends makes every AppendBatch return err without storing anything.
// FailAppends(nil) heals the store.
func (f *FaultStore) FailAppends(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err, f.lostAcks = err, false
}

// LoseAcks makes every AppendBatch store the batch and then return err, as
// when a database commits but the connection drops before it says so.
func (f *FaultStore) LoseAcks(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err, f.lostAcks = err, true
}

// AppendCalls returns how many times AppendBatch was called.
func (f *FaultStore) AppendCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func (f *FaultStore) AppendBatch(ctx context.Context, entries []audit.Entry, nodes []audit.TreeNode, cp audit.SignedCheckpoint) error {
	f.mu.Lock()
	err, lost := f.err, f.lostAcks
	f.calls++
	f.mu.Unlock()
	if err == nil {
		return f.Store.AppendBatch(ctx, entries, nodes, cp)
	}
	if lost {
		if serr := f.Store.AppendBatch(ctx, entries, nodes, cp); serr != nil {
			return serr
		}
	}
	return err
}
