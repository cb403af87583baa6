package audit

import (
	"context"
	"time"

	"github.com/transparency-dev/merkle/compact"
)

// Store persists the log. It is written only through AppendBatch, so an
// implementation never updates or deletes a row. audittest.TestStore is the
// conformance suite every implementation must pass; audittest.MemStore is the
// reference implementation.
//
// Errors the caller acts on are *accord.Error: ECONFLICT when a batch does
// not start at Size() or repeats a stored sequence number, node or checkpoint
// size; EINVALID when a batch is malformed; ENOTFOUND from LatestCheckpoint on
// an empty log.
type Store interface {
	// AppendBatch stores entries, the tree nodes they completed and the
	// checkpoint that signs the new tree, in ONE transaction: afterwards
	// either all of it is stored or none of it is. entries must be non-empty,
	// have consecutive Seq starting at Size() (else ECONFLICT), and cp.Size
	// must equal the last Seq + 1 (else EINVALID). Two concurrent calls
	// starting at the same Seq must not both succeed.
	AppendBatch(ctx context.Context, entries []Entry, nodes []TreeNode, cp SignedCheckpoint) error

	// Size returns 1 + the highest stored Seq, or 0 if there are none.
	Size(ctx context.Context) (uint64, error)

	// EntryRange returns the stored entries with from <= Seq < to, ordered
	// by Seq. Missing sequence numbers are simply absent from the result
	// (the verifier reports them), and to may exceed Size().
	EntryRange(ctx context.Context, from, to uint64) ([]Entry, error)

	// Entries returns the entries matching f, ordered by Seq, starting at
	// f.FromSeq and at most f.Limit of them (all if Limit <= 0).
	Entries(ctx context.Context, f Filter) ([]Entry, error)

	// Nodes returns the hashes of the given tree nodes, in the order of ids,
	// with nil for a node that is not stored. ids may hold a few thousand
	// nodes (the verifier asks for one page at a time).
	Nodes(ctx context.Context, ids []compact.NodeID) ([][]byte, error)

	// LatestCheckpoint returns the checkpoint with the largest size, or an
	// ENOTFOUND error if the log is empty.
	LatestCheckpoint(ctx context.Context) (*SignedCheckpoint, error)

	// Checkpoints returns the stored checkpoints with Size >= fromSize,
	// ordered by Size, at most limit of them (all if limit <= 0).
	Checkpoints(ctx context.Context, fromSize uint64, limit int) ([]SignedCheckpoint, error)
}

// TreeNode is the hash of a complete (perfect) subtree: level 0 holds the
// leaf hashes, level k the roots of subtrees of 2^k leaves. Storing them as
// they complete lets an inclusion or consistency proof read O(log n) nodes.
type TreeNode struct {
	ID   compact.NodeID
	Hash []byte
}

// SignedCheckpoint is a checkpoint as stored: the signed note verbatim, the
// tree size it signs (duplicated from the note so it can be a primary key),
// and when it was signed (not covered by the signature).
type SignedCheckpoint struct {
	Size uint64    `json:"size"`
	Note []byte    `json:"note"`
	Time time.Time `json:"time"`
}

// Filter selects entries. Zero fields match everything.
type Filter struct {
	FromSeq uint64 // first Seq to consider (paging cursor: last Seq + 1)
	Limit   int    // at most this many entries; <= 0 means no limit

	Since time.Time // Time >= Since
	Until time.Time // Time < Until

	MemberID       string
	OrganisationID string
	Action         string
	Resource       string // exact match
	// ResourcePrefix matches resources that start with it, byte for byte
	// ("agreement:x@" lists every version). SQL backends must not use LIKE
	// unescaped: '%' and '_' are ordinary characters here.
	ResourcePrefix string
	Purpose        string
	Decision       Decision
	// Subject matches the stored, HMAC'd value: pass Hasher.Hash(subject).
	Subject string
}

// Match reports whether e satisfies f, ignoring FromSeq and Limit. Stores
// may use it; SQL stores translate it into a WHERE clause.
func (f *Filter) Match(e *Entry) bool {
	switch {
	case !f.Since.IsZero() && e.Time.Before(f.Since),
		!f.Until.IsZero() && !e.Time.Before(f.Until),
		f.MemberID != "" && e.Actor.MemberID != f.MemberID,
		f.OrganisationID != "" && e.Actor.OrganisationID != f.OrganisationID,
		f.Action != "" && e.Action != f.Action,
		f.Resource != "" && e.Resource != f.Resource,
		f.ResourcePrefix != "" && (len(e.Resource) < len(f.ResourcePrefix) || e.Resource[:len(f.ResourcePrefix)] != f.ResourcePrefix),
		f.Purpose != "" && e.Purpose != f.Purpose,
		f.Decision != "" && e.Decision != f.Decision,
		f.Subject != "" && e.Subject != f.Subject:
		return false
	}
	return true
}
