package audittest

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/accord-coalition/accord/audit"
	"github.com/transparency-dev/merkle/compact"
)

func seqs(es []audit.Entry) []uint64 {
	out := make([]uint64, len(es))
	for i, e := range es {
		out[i] = e.Seq
	}
	return out
}

func testEntryRange(t *testing.T, st audit.Store) {
	ctx := context.Background()
	fill(t, st, sample(base, "r", 10), 3, 7)
	for _, tc := range []struct {
		from, to uint64
		want     []uint64
	}{
		{0, 0, nil}, {2, 5, []uint64{2, 3, 4}}, {7, 100, []uint64{7, 8, 9}},
		{9, 10, []uint64{9}}, {10, 20, nil}, {5, 3, nil},
	} {
		got, err := st.EntryRange(ctx, tc.from, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(seqs(got), tc.want) {
			t.Errorf("EntryRange(%d, %d) = %v, want %v", tc.from, tc.to, seqs(got), tc.want)
		}
	}
}

// testFilters checks every Filter field against Filter.Match, which
// defines them.
func testFilters(t *testing.T, st audit.Store) {
	ctx := context.Background()
	all := sample(base, "f", 24)
	all[3].Resource = "dataset:100x_sure" // '_' must not act as a wildcard
	all[4].Resource = "dataset:100%"      // nor '%'
	fill(t, st, all, 24)
	for i := range all {
		all[i].Seq = uint64(i)
	}
	hashed := all[1].Subject
	filters := map[string]audit.Filter{
		"all":             {},
		"member":          {MemberID: "member-1"},
		"organisation":    {OrganisationID: "org-0"},
		"action":          {Action: "extract"},
		"resource":        {Resource: "dataset:100%_sure"},
		"resource prefix": {ResourcePrefix: "dataset:100%_"},
		"prefix is exact": {ResourcePrefix: "dataset:100_"},
		"purpose":         {Purpose: "advocacy.report"},
		"no purpose":      {Purpose: "research.academic"},
		"decision":        {Decision: audit.Denied},
		"subject":         {Subject: hashed},
		"since":           {Since: base.Add(5 * time.Minute)},
		"until":           {Until: base.Add(5 * time.Minute)},
		"window":          {Since: base.Add(2*time.Minute + time.Microsecond), Until: base.Add(9 * time.Minute)},
		"combined":        {OrganisationID: "org-1", Decision: audit.Denied, Since: base.Add(4 * time.Minute)},
		"from seq":        {FromSeq: 20},
		"limit":           {Action: "query", Limit: 3},
		"from and limit":  {FromSeq: 7, MemberID: "member-2", Limit: 2},
	}
	for name, f := range filters {
		got, err := st.Entries(ctx, f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var want []uint64
		for _, e := range all {
			if e.Seq >= f.FromSeq && f.Match(&e) && (f.Limit <= 0 || len(want) < f.Limit) {
				want = append(want, e.Seq)
			}
		}
		if !slices.Equal(seqs(got), want) {
			t.Errorf("filter %s: got %v, want %v", name, seqs(got), want)
		}
		if empty := name == "no purpose" || name == "prefix is exact"; empty != (len(want) == 0) {
			t.Fatalf("filter %s: the suite's own expectation is wrong (%v)", name, want)
		}
	}
}

func testPaging(t *testing.T, st audit.Store) {
	ctx := context.Background()
	fill(t, st, sample(base, "p", 30), 10, 10, 10)
	f := audit.Filter{Decision: audit.Allowed, Limit: 4}
	var paged []uint64
	for {
		page, err := st.Entries(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, seqs(page)...)
		if len(page) < f.Limit {
			break
		}
		f.FromSeq = page[len(page)-1].Seq + 1
	}
	f.FromSeq, f.Limit = 0, 0
	whole, err := st.Entries(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(paged, seqs(whole)) || len(whole) == 0 {
		t.Fatalf("paged %v, whole %v", paged, seqs(whole))
	}
}

func testNodes(t *testing.T, st audit.Store) {
	ctx := context.Background()
	b := newBuilder(t)
	es, nodes, cp, _ := b.batch(sample(base, "n", 13))
	if err := st.AppendBatch(ctx, es, nodes, cp); err != nil {
		t.Fatal(err)
	}
	byID := map[compact.NodeID][]byte{}
	var ids []compact.NodeID
	for _, n := range nodes {
		byID[n.ID] = n.Hash
		ids = append(ids, n.ID)
	}
	// Reversed, with a repeat and two nodes that do not exist.
	slices.Reverse(ids)
	ids = append(ids, ids[0], compact.NewNodeID(0, 13), compact.NewNodeID(4, 0))
	got, err := st.Nodes(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ids) {
		t.Fatalf("Nodes returned %d hashes for %d ids", len(got), len(ids))
	}
	for i, id := range ids {
		if !bytes.Equal(got[i], byID[id]) || (byID[id] == nil) != (got[i] == nil) {
			t.Fatalf("node %d/%d: got %x, want %x", id.Level, id.Index, got[i], byID[id])
		}
	}
	if got, err := st.Nodes(ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("Nodes(nil) = %v, %v", got, err)
	}
	// A few thousand ids at once, as the verifier asks.
	many := make([]compact.NodeID, 4096)
	for i := range many {
		many[i] = compact.NewNodeID(0, uint64(i))
	}
	got, err = st.Nodes(ctx, many)
	if err != nil || len(got) != len(many) || got[12] == nil || got[13] != nil {
		t.Fatalf("Nodes of 4096 ids: %d hashes, %v", len(got), err)
	}
}

func testCheckpoints(t *testing.T, st audit.Store) {
	ctx := context.Background()
	fill(t, st, sample(base, "c", 15), 2, 3, 1, 4, 5) // sizes 2 5 6 10 15
	all, err := st.Checkpoints(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	sizes := func(cps []audit.SignedCheckpoint) []uint64 {
		var out []uint64
		for _, c := range cps {
			out = append(out, c.Size)
		}
		return out
	}
	if !slices.Equal(sizes(all), []uint64{2, 5, 6, 10, 15}) {
		t.Fatalf("checkpoint sizes %v", sizes(all))
	}
	for _, tc := range []struct {
		from  uint64
		limit int
		want  []uint64
	}{
		{0, 2, []uint64{2, 5}}, {5, 2, []uint64{5, 6}}, {7, 0, []uint64{10, 15}}, {16, 0, nil}, {15, 1, []uint64{15}},
	} {
		got, err := st.Checkpoints(ctx, tc.from, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(sizes(got), tc.want) {
			t.Errorf("Checkpoints(%d, %d) = %v, want %v", tc.from, tc.limit, sizes(got), tc.want)
		}
	}
	latest, err := st.LatestCheckpoint(ctx)
	if err != nil || latest.Size != 15 || !bytes.Equal(latest.Note, all[4].Note) {
		t.Fatalf("LatestCheckpoint = %+v, %v", latest, err)
	}
}
