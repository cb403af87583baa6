package audittest

import (
	"bytes"
	"slices"

	"github.com/accord-coalition/accord/audit"
	"github.com/transparency-dev/merkle/compact"
)

// The methods below rewrite stored history behind the log's back, as an
// attacker with write access to the database could. They exist so tests
// can check that audit.VerifyStore notices; nothing else should call them.

// SetEntry replaces the stored entry with Seq e.Seq, or inserts it in Seq
// order if there is none.
func (m *MemStore) SetEntry(e audit.Entry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := m.seqIndex(e.Seq)
	if i < len(m.entries) && m.entries[i].Seq == e.Seq {
		m.entries[i] = e
		return
	}
	m.entries = slices.Insert(m.entries, i, e)
}

// DeleteEntry removes the entry with the given Seq.
func (m *MemStore) DeleteEntry(seq uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if i := m.seqIndex(seq); i < len(m.entries) && m.entries[i].Seq == seq {
		m.entries = slices.Delete(m.entries, i, i+1)
	}
}

// SetNode replaces (or with a nil hash, deletes) a stored tree node.
func (m *MemStore) SetNode(id compact.NodeID, hash []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nodes.set(id, bytes.Clone(hash))
}

// SetCheckpoint replaces the stored checkpoint of size cp.Size, or inserts
// it in size order.
func (m *MemStore) SetCheckpoint(cp audit.SignedCheckpoint) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := m.cpIndex(cp.Size)
	if i < len(m.cps) && m.cps[i].Size == cp.Size {
		m.cps[i] = cloneCheckpoint(cp)
		return
	}
	m.cps = slices.Insert(m.cps, i, cloneCheckpoint(cp))
}

// DeleteCheckpoint removes the stored checkpoint of the given size.
func (m *MemStore) DeleteCheckpoint(size uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if i := m.cpIndex(size); i < len(m.cps) && m.cps[i].Size == size {
		m.cps = slices.Delete(m.cps, i, i+1)
	}
}
