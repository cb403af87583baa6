package audit_test

import (
	"context"
	"fmt"
	"log"

	"github.com/accord-coalition/accord/audit"
	"github.com/accord-coalition/accord/audit/audittest"
)

// The node's side: open the log, record decisions, serve proofs. A
// partner's side: check a checkpoint, an entry's inclusion, and that the
// log only grew.
func Example() {
	ctx := context.Background()
	key, _ := audit.GenerateSigningKey("accord.example.org/audit") // keep key.MarshalText() in a 0600 file
	secret, _ := audit.GenerateSecret()                            // likewise
	hasher, _ := audit.NewHasher(secret)
	st := audittest.NewMemStore() // the node uses its SQL store

	l, err := audit.Open(ctx, st, audit.Options{Key: key, Hasher: hasher})
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	seq, err := l.Append(ctx, audit.Entry{
		Actor:    audit.Actor{MemberID: "m-17", OrganisationID: "org-ngo"},
		Action:   "extract",
		Resource: "dataset:survey-2025",
		Purpose:  "advocacy.report",
		Decision: audit.Allowed,
		Reason:   "agreement coalition-2025@3 permits extract of 3 columns",
		Subject:  "subject-key-123", // stored HMAC'd
	})
	if err != nil {
		log.Fatal(err) // fail closed: refuse the extract
	}
	older := l.Checkpoint()
	l.Append(ctx, audit.Entry{Actor: audit.Actor{MemberID: "m-2"}, Action: "query", Decision: audit.Denied, Reason: "purpose not in agreement"})
	newer := l.Checkpoint()

	// Partner: pin key.VerifierKey(), then check what the node serves.
	v, _ := audit.ParseVerifierKey(key.VerifierKey())
	cp, err := audit.OpenCheckpoint(newer.Note, v)
	if err != nil {
		log.Fatal(err)
	}
	entries, _ := st.EntryRange(ctx, seq, seq+1)
	incl, _ := audit.InclusionProof(ctx, st, seq, cp.Size)
	fmt.Println("included:", audit.VerifyInclusion(&entries[0], incl, cp) == nil)
	cons, _ := audit.ConsistencyProof(ctx, st, older.Size, newer.Size)
	_, err = audit.VerifyCheckpointConsistency(older.Note, newer.Note, cons, v)
	fmt.Println("append-only:", err == nil)

	rep, _ := audit.VerifyStore(ctx, st, v)
	fmt.Println("verified:", rep.OK(), rep.Entries, "entries")
	// Output:
	// included: true
	// append-only: true
	// verified: true 2 entries
}
