package client

import (
	"context"
	"fmt"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"

	"github.com/accord-coalition/accord/audit"
	accordhttp "github.com/accord-coalition/accord/http"
)

// Checkpoint fetches the node's latest signed checkpoint.
func (c *Client) Checkpoint(ctx context.Context) (*accordhttp.CheckpointResponse, error) {
	var cp accordhttp.CheckpointResponse
	if err := c.Do(ctx, "GET", "/api/v1/audit/checkpoint", nil, &cp); err != nil {
		return nil, err
	}
	return &cp, nil
}

// ConsistencyProof fetches the proof that the tree of size from is a prefix of the tree of size to.
func (c *Client) ConsistencyProof(ctx context.Context, from, to uint64) ([][]byte, error) {
	var p accordhttp.ProofResponse
	if err := c.Do(ctx, "GET", fmt.Sprintf("/api/v1/audit/proof/consistency?from=%d&to=%d", from, to), nil, &p); err != nil {
		return nil, err
	}
	return p.Hashes, nil
}

// InclusionProof fetches the proof that entry index is in the tree of size size.
func (c *Client) InclusionProof(ctx context.Context, index, size uint64) (*accordhttp.ProofResponse, error) {
	var p accordhttp.ProofResponse
	if err := c.Do(ctx, "GET", fmt.Sprintf("/api/v1/audit/proof/inclusion?index=%d&size=%d", index, size), nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// RemoteCheck is what a partner learns by checking another node's log.
type RemoteCheck struct {
	Saved   audit.Checkpoint `json:"saved"`
	Current audit.Checkpoint `json:"current"`
	Entry   *uint64          `json:"entry,omitempty"` // entry proven included, if asked
}

// VerifyNode checks, from a partner's side, that the node's current log
// extends the checkpoint savedNote (signed by the key vkey), and, if entry is
// non-nil, that the entry is included in the current tree. Every failure
// says which step failed.
func (c *Client) VerifyNode(ctx context.Context, savedNote []byte, vkey string, entry *uint64) (*RemoteCheck, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("node key %q: %w", vkey, err)
	}
	saved, err := audit.OpenCheckpoint(savedNote, v)
	if err != nil {
		return nil, fmt.Errorf("saved checkpoint does not verify: %w", err)
	}
	cur, err := c.Checkpoint(ctx)
	if err != nil {
		return nil, fmt.Errorf("fetch current checkpoint: %w", err)
	}
	if _, err := audit.OpenCheckpoint([]byte(cur.Note), v); err != nil {
		return nil, fmt.Errorf("the node's current checkpoint (size %d) is not signed by the pinned key: %w", cur.Size, err)
	}
	if cur.Size < saved.Size {
		return nil, fmt.Errorf("%w: the node shows %d entries but the saved checkpoint has %d", audit.ErrRollback, cur.Size, saved.Size)
	}
	hashes, err := c.ConsistencyProof(ctx, saved.Size, cur.Size)
	if err != nil {
		return nil, fmt.Errorf("fetch consistency proof %d→%d: %w", saved.Size, cur.Size, err)
	}
	current, err := audit.VerifyCheckpointConsistency(savedNote, []byte(cur.Note), hashes, v)
	if err != nil {
		return nil, fmt.Errorf("the log was rewritten: checkpoint of size %d is not consistent with the saved one of size %d: %w", cur.Size, saved.Size, err)
	}
	out := &RemoteCheck{Saved: saved, Current: current}
	if entry != nil {
		if *entry >= current.Size {
			return nil, fmt.Errorf("entry %d is beyond the log's %d entries", *entry, current.Size)
		}
		p, err := c.InclusionProof(ctx, *entry, current.Size)
		if err != nil {
			return nil, fmt.Errorf("fetch inclusion proof for entry %d: %w", *entry, err)
		}
		leaf := p.LeafHash
		if p.Entry != nil {
			if p.Entry.Seq != *entry {
				return nil, fmt.Errorf("asked for entry %d, the node returned entry %d", *entry, p.Entry.Seq)
			}
			// With the entry itself, recompute its hash rather than trust the node's.
			leaf = p.Entry.LeafHash()
		}
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, *entry, current.Size, leaf, p.Hashes, current.Root); err != nil {
			return nil, fmt.Errorf("entry %d is not included in the log of size %d: %w", *entry, current.Size, err)
		}
		out.Entry = entry
	}
	return out, nil
}
