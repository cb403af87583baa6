package audittest

import (
	"context"
	"fmt"
	"time"

	"github.com/accord-coalition/accord/audit"
	"github.com/transparency-dev/merkle/compact"
)

// Fill appends entries to an empty store in batches of batchSize, exactly
// as audit.Log would (sequence numbers, tree nodes, a checkpoint signed by
// key per batch), but without the log's goroutines: a fast way to build a
// large, valid log for benchmarks. Entry times must not decrease.
func Fill(ctx context.Context, st audit.Store, key *audit.SigningKey, entries []audit.Entry, batchSize int) error {
	f := &compact.RangeFactory{Hash: rfcHasher.HashChildren}
	rng := f.NewEmptyRange(0)
	for len(entries) > 0 {
		n := min(batchSize, len(entries))
		batch := entries[:n]
		entries = entries[n:]
		nodes := make([]audit.TreeNode, 0, 2*n+1)
		visit := func(id compact.NodeID, h []byte) { nodes = append(nodes, audit.TreeNode{ID: id, Hash: h}) }
		for i := range batch {
			batch[i].Seq = rng.End()
			if err := rng.Append(batch[i].LeafHash(), visit); err != nil {
				return err
			}
		}
		root, err := rng.GetRootHash(nil)
		if err != nil {
			return err
		}
		note, err := audit.SignCheckpoint(audit.Checkpoint{Origin: key.Origin(), Size: rng.End(), Root: root}, key.Signer())
		if err != nil {
			return err
		}
		cp := audit.SignedCheckpoint{Size: rng.End(), Note: note, Time: batch[n-1].Time}
		if err := st.AppendBatch(ctx, batch, nodes, cp); err != nil {
			return fmt.Errorf("fill: batch ending at %d: %w", rng.End()-1, err)
		}
	}
	return nil
}

// Synthetic returns n realistic entries, one every 50ms from start: a few
// hundred members in a dozen organisations, mostly queries, one in ten
// denied, one in five about a subject. Seeded by position, so the same n
// always gives the same entries.
func Synthetic(n int, start time.Time) []audit.Entry {
	h, _ := audit.NewHasher(make([]byte, audit.SecretSize))
	actions := []string{"query", "query", "query", "extract", "release.read", "agreement.read"}
	datasets := make([]string, 40)
	for i := range datasets {
		datasets[i] = fmt.Sprintf("dataset:survey-%d", i)
	}
	out := make([]audit.Entry, n)
	for i := range out {
		x := uint64(i)*0x9E3779B97F4A7C15 + 1 // cheap, deterministic scatter
		e := audit.Entry{
			Time:          start.Add(time.Duration(i) * 50 * time.Millisecond),
			Actor:         audit.Actor{MemberID: fmt.Sprintf("member-%d", x%300), OrganisationID: fmt.Sprintf("org-%d", x%300%12)},
			Action:        actions[x>>8%uint64(len(actions))],
			Resource:      datasets[x>>16%uint64(len(datasets))],
			Purpose:       "advocacy.report",
			Decision:      audit.Allowed,
			Reason:        "agreement coalition-2025@3 permits",
			RequestDigest: audit.RequestDigest(fmt.Appendf(nil, "request %d", i)),
		}
		if x>>24%10 == 0 {
			e.Decision, e.Reason = audit.Denied, "purpose not in agreement"
		}
		if x>>32%5 == 0 {
			e.Subject = h.Hash(fmt.Sprintf("subject-%d", x>>40%100000))
		}
		out[i] = e
	}
	return out
}
