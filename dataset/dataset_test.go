package dataset_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/dataset"
	"github.com/accord-coalition/accord/envelope"
	"github.com/accord-coalition/accord/ingest"
	"github.com/accord-coalition/accord/sqlite"
)

func service(t *testing.T) *dataset.Service {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.CreateOrganisation(ctx, &accord.Organisation{ID: "org", Name: "Org"})
	kr, _ := envelope.NewKeyring(bytes.Repeat([]byte{1}, 32), db)
	return &dataset.Service{Store: db, Keyring: kr, ChunkRows: 3}
}

func TestImportRoundTripAcrossChunks(t *testing.T) {
	svc := service(t)
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("id,city,note\n")
	for i := range 10 {
		b.WriteString(strings.Repeat("x", i) + `,"Paris, FR","said ""hi"""` + "\n")
	}
	rd, err := ingest.NewReader(strings.NewReader(b.String()), ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.Import(ctx, dataset.ImportRequest{ID: "ds", OrganisationID: "org", Name: "Test"}, rd)
	if err != nil {
		t.Fatal(err)
	}
	if d.Rows != 10 || d.Chunks != 4 || len(d.Columns) != 3 || len(d.SHA256) != 64 {
		t.Fatalf("dataset = %+v", d)
	}
	tab, err := svc.Table(ctx, d, "note", "city")
	if err != nil {
		t.Fatal(err)
	}
	if tab.Rows != 10 || tab.Columns[0].Value(9) != `said "hi"` || tab.Columns[1].Value(0) != "Paris, FR" {
		t.Fatalf("table = %+v", tab.Columns[0].Dict)
	}
	if _, err := svc.Table(ctx, d, "ghost"); accord.ErrorCode(err) != accord.EINVALID {
		t.Fatalf("unknown column: %v", err)
	}
	// Classification must cover every column with known classes, one subject at most.
	for _, c := range []map[string]string{
		{"id": "subject"},
		{"id": "subject", "city": "quasi", "note": "secret"},
		{"id": "subject", "city": "subject", "note": "sensitive"},
		{"id": "subject", "city": "quasi", "note": "sensitive", "ghost": "quasi"},
	} {
		if _, err := dataset.Classify(d, c); accord.ErrorCode(err) != accord.EINVALID {
			t.Errorf("Classify(%v) = %v", c, err)
		}
	}
	cols, err := dataset.Classify(d, map[string]string{"id": "subject", "city": "quasi", "note": "sensitive"})
	if err != nil || cols[0].Class != "subject" {
		t.Fatalf("classify: %v %v", cols, err)
	}
	if err := svc.Delete(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := svc.Rows(ctx, d, func([]string) error { return nil }); err != nil {
		t.Fatalf("rows of a deleted dataset: %v", err) // no chunks left: nothing to read
	}
}

func TestTamperedChunkIsRefused(t *testing.T) {
	svc := service(t)
	ctx := context.Background()
	rd, _ := ingest.NewReader(strings.NewReader("a;b\n1;2\n3;4\n5;6\n7;8\n"), ingest.Options{})
	d, err := svc.Import(ctx, dataset.ImportRequest{ID: "ds", OrganisationID: "org"}, rd)
	if err != nil {
		t.Fatal(err)
	}
	// Chunks swapped between positions no longer open (their place is authenticated).
	var chunks [][]byte
	svc.Store.DatasetChunks(ctx, d.ID, func(_ int, b []byte) error { chunks = append(chunks, b); return nil })
	if _, err := svc.Keyring.Open(ctx, d.DataKeyID(), chunks[1], []byte("dataset:ds/chunk:0")); err == nil {
		t.Fatal("a chunk opened at another position")
	}
}
