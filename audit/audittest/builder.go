package audittest

import (
	"crypto"
	"fmt"
	"testing"
	"time"

	"github.com/accord-coalition/accord/audit"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
)

var rfcHasher = rfc6962.New(crypto.SHA256)

// builder makes real batches (entries, the nodes they complete, a signed
// checkpoint) the way audit.Log does, so a store filled by the suite also
// passes audit.VerifyStore.
type builder struct {
	t   testing.TB
	key *audit.SigningKey
	rng *compact.Range
	f   *compact.RangeFactory
}

func newBuilder(t testing.TB) *builder {
	t.Helper()
	key, err := audit.GenerateSigningKey("accord.test/audit")
	if err != nil {
		t.Fatal(err)
	}
	f := &compact.RangeFactory{Hash: rfcHasher.HashChildren}
	return &builder{t: t, key: key, rng: f.NewEmptyRange(0), f: f}
}

// batch numbers entries from the builder's size and returns the batch
// without committing it; call advance once the store accepted it.
func (b *builder) batch(entries []audit.Entry) ([]audit.Entry, []audit.TreeNode, audit.SignedCheckpoint, *compact.Range) {
	b.t.Helper()
	rng, err := b.f.NewRange(0, b.rng.End(), append([][]byte(nil), b.rng.Hashes()...))
	if err != nil {
		b.t.Fatal(err)
	}
	var nodes []audit.TreeNode
	visit := func(id compact.NodeID, h []byte) { nodes = append(nodes, audit.TreeNode{ID: id, Hash: h}) }
	out := make([]audit.Entry, len(entries))
	for i, e := range entries {
		e.Seq = rng.End()
		out[i] = e
		if err := rng.Append(e.LeafHash(), visit); err != nil {
			b.t.Fatal(err)
		}
	}
	root, err := rng.GetRootHash(nil)
	if err != nil {
		b.t.Fatal(err)
	}
	c := audit.Checkpoint{Origin: b.key.Origin(), Size: rng.End(), Root: root}
	note, err := audit.SignCheckpoint(c, b.key.Signer())
	if err != nil {
		b.t.Fatal(err)
	}
	t := time.Unix(1_740_000_000, 0).UTC()
	if len(out) > 0 {
		t = out[len(out)-1].Time
	}
	return out, nodes, audit.SignedCheckpoint{Size: c.Size, Note: note, Time: t}, rng
}

func (b *builder) advance(rng *compact.Range) { b.rng = rng }

// sample returns n varied, valid entries whose times start at base and
// grow by a minute, with Reason tagged so each can be recognised.
func sample(base time.Time, tag string, n int) []audit.Entry {
	h, _ := audit.NewHasher(make([]byte, audit.SecretSize))
	out := make([]audit.Entry, n)
	for i := range out {
		e := audit.Entry{
			Time:          base.Add(time.Duration(i) * time.Minute),
			Actor:         audit.Actor{MemberID: fmt.Sprintf("member-%d", i%3), OrganisationID: fmt.Sprintf("org-%d", i%2)},
			Action:        []string{"query", "extract", "release.publish"}[i%3],
			Resource:      []string{"dataset:survey-2025", "dataset:100%_sure", "agreement:x@3"}[i%3],
			Purpose:       "advocacy.report",
			Decision:      audit.Allowed,
			Reason:        fmt.Sprintf("%s-%d: “quoted” ünïcode", tag, i),
			RequestDigest: audit.RequestDigest([]byte(fmt.Sprint(tag, i))),
		}
		if i%4 == 1 {
			e.Decision = audit.Denied
			e.Subject = h.Hash(fmt.Sprintf("subject-%d", i%2))
			e.Detail = h.Hash("free text")
		}
		out[i] = e
	}
	return out
}
