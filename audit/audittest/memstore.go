// Package audittest holds what tests of the audit log need: MemStore, the
// reference in-memory audit.Store; FaultStore, which fails on demand; and
// TestStore, the conformance suite every Store implementation must pass.
package audittest

import (
	"bytes"
	"context"
	"slices"
	"sort"
	"sync"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/audit"
	"github.com/transparency-dev/merkle/compact"
)

// MemStore is an in-memory audit.Store. Besides the Store methods it has
// tamper methods (SetEntry, DeleteEntry, ...) that rewrite history the way
// an attacker with database access could, to test that verification
// notices.
type MemStore struct {
	mu      sync.RWMutex
	entries []audit.Entry // ordered by Seq; gaps only after tampering
	nodes   nodeTable
	cps     []audit.SignedCheckpoint // ordered by Size
}

// NewMemStore returns an empty store.
func NewMemStore() *MemStore {
	return &MemStore{}
}

var _ audit.Store = (*MemStore)(nil)

func (m *MemStore) AppendBatch(ctx context.Context, entries []audit.Entry, nodes []audit.TreeNode, cp audit.SignedCheckpoint) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := CheckBatch(entries, cp); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if size := m.size(); entries[0].Seq != size {
		return accord.Errorf(accord.ECONFLICT, "audit batch starts at entry %d, log has %d entries", entries[0].Seq, size)
	}
	seen := make(map[compact.NodeID]bool, len(nodes))
	for _, n := range nodes {
		if m.nodes.get(n.ID) != nil || seen[n.ID] {
			return accord.Errorf(accord.ECONFLICT, "audit tree node %d/%d is already stored", n.ID.Level, n.ID.Index)
		}
		seen[n.ID] = true
	}
	if i := m.cpIndex(cp.Size); i < len(m.cps) && m.cps[i].Size == cp.Size {
		return accord.Errorf(accord.ECONFLICT, "audit checkpoint of size %d is already stored", cp.Size)
	}
	m.entries = append(m.entries, entries...)
	for _, n := range nodes {
		m.nodes.set(n.ID, bytes.Clone(n.Hash))
	}
	m.cps = append(m.cps, cloneCheckpoint(cp))
	return nil
}

// CheckBatch performs the checks of AppendBatch that need no stored state;
// SQL stores can call it before opening their transaction.
func CheckBatch(entries []audit.Entry, cp audit.SignedCheckpoint) error {
	if len(entries) == 0 {
		return accord.Errorf(accord.EINVALID, "audit batch is empty")
	}
	for i := 1; i < len(entries); i++ {
		if entries[i].Seq != entries[0].Seq+uint64(i) {
			return accord.Errorf(accord.EINVALID, "audit batch entries are not consecutive at entry %d", entries[i].Seq)
		}
	}
	if last := entries[len(entries)-1].Seq; cp.Size != last+1 {
		return accord.Errorf(accord.EINVALID, "audit checkpoint size %d does not follow entry %d", cp.Size, last)
	}
	return nil
}

func (m *MemStore) Size(ctx context.Context) (uint64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.size(), ctx.Err()
}

func (m *MemStore) size() uint64 {
	if len(m.entries) == 0 {
		return 0
	}
	return m.entries[len(m.entries)-1].Seq + 1
}

// seqIndex returns the position of the first entry with Seq >= seq.
func (m *MemStore) seqIndex(seq uint64) int {
	return sort.Search(len(m.entries), func(i int) bool { return m.entries[i].Seq >= seq })
}

func (m *MemStore) cpIndex(size uint64) int {
	return sort.Search(len(m.cps), func(i int) bool { return m.cps[i].Size >= size })
}

func (m *MemStore) EntryRange(ctx context.Context, from, to uint64) ([]audit.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if to <= from {
		return nil, nil
	}
	i, j := m.seqIndex(from), m.seqIndex(to)
	return slices.Clone(m.entries[i:j]), nil
}

func (m *MemStore) Entries(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []audit.Entry
	for _, e := range m.entries[m.seqIndex(f.FromSeq):] {
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
		if f.Match(&e) {
			out = append(out, e)
		}
	}
	return out, nil
}

func (m *MemStore) Nodes(ctx context.Context, ids []compact.NodeID) ([][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([][]byte, len(ids))
	for i, id := range ids {
		out[i] = bytes.Clone(m.nodes.get(id))
	}
	return out, nil
}

func (m *MemStore) LatestCheckpoint(ctx context.Context) (*audit.SignedCheckpoint, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if len(m.cps) == 0 {
		return nil, accord.Errorf(accord.ENOTFOUND, "the audit log has no checkpoint yet")
	}
	cp := cloneCheckpoint(m.cps[len(m.cps)-1])
	return &cp, nil
}

func (m *MemStore) Checkpoints(ctx context.Context, fromSize uint64, limit int) ([]audit.SignedCheckpoint, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []audit.SignedCheckpoint
	for _, cp := range m.cps[m.cpIndex(fromSize):] {
		if limit > 0 && len(out) == limit {
			break
		}
		out = append(out, cloneCheckpoint(cp))
	}
	return out, nil
}

func cloneCheckpoint(cp audit.SignedCheckpoint) audit.SignedCheckpoint {
	cp.Note = bytes.Clone(cp.Note)
	return cp
}

// nodeTable holds tree nodes by level and index. Nodes complete left to
// right, so each level is a dense slice: lookups are an index, not a hash,
// which keeps a million-entry log fast to verify.
type nodeTable [][][]byte

func (t nodeTable) get(id compact.NodeID) []byte {
	if id.Level >= uint(len(t)) || id.Index >= uint64(len(t[id.Level])) {
		return nil
	}
	return t[id.Level][id.Index]
}

func (t *nodeTable) set(id compact.NodeID, h []byte) {
	for uint(len(*t)) <= id.Level {
		*t = append(*t, nil)
	}
	level := &(*t)[id.Level]
	if id.Index >= uint64(len(*level)) {
		if h == nil {
			return
		}
		*level = append(*level, make([][]byte, id.Index+1-uint64(len(*level)))...)
	}
	(*level)[id.Index] = h
}
