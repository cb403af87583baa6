package node_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/dataset"
	"github.com/accord-coalition/accord/ingest"
	"github.com/accord-coalition/accord/node"
)

// TestWarmConsentFilters reads ahead the filters of the purposes rows were
// allowed out under, and only those: not refused requests, not actions
// that read no rows, not datasets without a subject column or deleted.
func TestWarmConsentFilters(t *testing.T) {
	ctx := context.Background()
	n, err := node.Open(ctx, node.Config{DataDir: filepath.Join(t.TempDir(), "data")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	if err := n.Store.CreateOrganisation(ctx, &accord.Organisation{ID: "org", Name: "Org", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	svc := n.Server.Datasets
	imp := func(id string, subject bool) {
		t.Helper()
		rd, err := ingest.NewReader(strings.NewReader("who,ward\na,north\nb,south\n"), ingest.Options{Delimiter: ','})
		if err != nil {
			t.Fatal(err)
		}
		d, err := svc.Import(ctx, dataset.ImportRequest{ID: id, OrganisationID: "org"}, rd)
		if err != nil {
			t.Fatal(err)
		}
		who := accord.ClassQuasi
		if subject {
			who = accord.ClassSubject
		}
		cols, err := dataset.Classify(d, map[string]string{"who": who, "ward": accord.ClassQuasi})
		if err != nil {
			t.Fatal(err)
		}
		if err := n.Store.ConfirmClassification(ctx, id, cols, "m", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	imp("survey", true)
	imp("plain", false)
	imp("gone", true)
	if err := n.Store.DeleteDataset(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Hour)
	for _, d := range []accord.PolicyDecision{
		{Action: "extract", Dataset: "survey", Purpose: "research", Allowed: true},
		{Action: "query", Dataset: "survey", Purpose: "research", Allowed: true},     // the same purpose again
		{Action: "query", Dataset: "survey", Purpose: "advocacy", Allowed: true},     // another purpose
		{Action: "extract", Dataset: "survey", Purpose: "marketing", Allowed: false}, // refused
		{Action: "import", Dataset: "survey", Purpose: "intake", Allowed: true},      // reads no rows
		{Action: "query", Dataset: "plain", Purpose: "research", Allowed: true},      // no subject column
		{Action: "query", Dataset: "gone", Purpose: "research", Allowed: true},       // deleted
	} {
		d.Time, d.MemberID, d.OrganisationID, d.Clause = at, "m", "org", "test"
		if err := n.Store.RecordDecision(ctx, &d); err != nil {
			t.Fatal(err)
		}
	}
	got, err := n.WarmConsentFilters(ctx, at.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	// survey for research and for advocacy.
	if got != 2 {
		t.Fatalf("read %d filters ahead, want 2", got)
	}
	if got, _ := n.WarmConsentFilters(ctx, time.Now()); got != 0 {
		t.Fatalf("with no decisions since, read %d ahead", got)
	}
}
