package audit

import (
	"context"
	"fmt"

	"github.com/accord-coalition/accord"
	"github.com/transparency-dev/merkle/proof"
	"golang.org/x/mod/sumdb/note"
)

// InclusionProof returns the RFC 6962 audit path proving that entry index
// is in the tree of the given size (a size the node has signed). It reads
// O(log size) stored nodes in one Store.Nodes call and rebuilds the single
// ephemeral node, if any, from them.
func InclusionProof(ctx context.Context, st Store, index, size uint64) ([][]byte, error) {
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, accord.Errorf(accord.EINVALID, "no inclusion proof for entry %d in a tree of %d entries", index, size)
	}
	return fetchProof(ctx, st, nodes)
}

// ConsistencyProof returns the RFC 6962 proof that the tree of size1 is a
// prefix of the tree of size2 (0 < size1 <= size2).
func ConsistencyProof(ctx context.Context, st Store, size1, size2 uint64) ([][]byte, error) {
	nodes, err := proof.Consistency(size1, size2)
	if err != nil {
		return nil, accord.Errorf(accord.EINVALID, "no consistency proof from size %d to size %d", size1, size2)
	}
	return fetchProof(ctx, st, nodes)
}

func fetchProof(ctx context.Context, st Store, nodes proof.Nodes) ([][]byte, error) {
	hashes, err := st.Nodes(ctx, nodes.IDs)
	if err != nil {
		return nil, fmt.Errorf("read proof nodes: %w", err)
	}
	for i, h := range hashes {
		if h == nil {
			id := nodes.IDs[i]
			return nil, fmt.Errorf("proof node level %d index %d: %w", id.Level, id.Index, errMissingNode)
		}
	}
	p, err := nodes.Rehash(hashes, hasher.HashChildren)
	if err != nil {
		return nil, fmt.Errorf("build proof: %w", err)
	}
	return p, nil
}

// VerifyInclusion checks, without trusting the node, that e (as returned by
// the node, Subject and Detail HMAC'd) is entry e.Seq of the tree that cp
// signs. Open cp with OpenCheckpoint first.
func VerifyInclusion(e *Entry, p [][]byte, cp Checkpoint) error {
	if err := proof.VerifyInclusion(hasher, e.Seq, cp.Size, e.LeafHash(), p, cp.Root); err != nil {
		return fmt.Errorf("entry %d is not in the log of size %d: %w", e.Seq, cp.Size, err)
	}
	return nil
}

// VerifyConsistency checks that the tree of older is a prefix of the tree of
// newer, i.e. the log was only appended to in between.
func VerifyConsistency(older, newer Checkpoint, p [][]byte) error {
	if older.Origin != newer.Origin {
		return fmt.Errorf("checkpoints are of different logs (%q, %q)", older.Origin, newer.Origin)
	}
	if newer.Size < older.Size {
		return fmt.Errorf("log rolled back from size %d to %d", older.Size, newer.Size)
	}
	if older.Size == 0 {
		return nil // the empty tree is a prefix of every tree
	}
	if err := proof.VerifyConsistency(hasher, older.Size, newer.Size, p, older.Root, newer.Root); err != nil {
		return fmt.Errorf("log of size %d is not an extension of the log of size %d: %w", newer.Size, older.Size, err)
	}
	return nil
}

// VerifyCheckpointConsistency opens two signed checkpoints with v and checks
// that the newer one extends the older one. It returns the newer checkpoint.
func VerifyCheckpointConsistency(olderNote, newerNote []byte, p [][]byte, v note.Verifier) (Checkpoint, error) {
	older, err := OpenCheckpoint(olderNote, v)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("older checkpoint: %w", err)
	}
	newer, err := OpenCheckpoint(newerNote, v)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("newer checkpoint: %w", err)
	}
	if err := VerifyConsistency(older, newer, p); err != nil {
		return Checkpoint{}, err
	}
	return newer, nil
}
