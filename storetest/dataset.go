package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/accord-coalition/accord"
)

func testDatasets(t *testing.T, s accord.Store) {
	ctx := context.Background()
	must(t, s.CreateOrganisation(ctx, &accord.Organisation{ID: "org-a", Name: "A", CreatedAt: now}))
	ds := func(id string) *accord.Dataset {
		return &accord.Dataset{ID: id, OrganisationID: "org-a", Name: "Survey " + id, Format: "csv", SHA256: "abc", Rows: 3, Chunks: 2,
			CreatedBy: "m1", CreatedAt: now, Columns: []accord.DatasetColumn{{Name: "age", Type: "integer", Suggested: accord.ClassQuasi, Reasons: []string{"looks like age"}}}}
	}
	fill := func(d *accord.Dataset) func(w accord.ChunkWriter) (*accord.Dataset, error) {
		return func(w accord.ChunkWriter) (*accord.Dataset, error) {
			for i := range d.Chunks {
				if err := w.WriteChunk(ctx, i, fmt.Appendf(nil, "chunk-%d", i)); err != nil {
					return nil, err
				}
			}
			return d, nil
		}
	}
	must(t, s.ImportDataset(ctx, "survey", fill(ds("survey"))))
	wantCode(t, s.ImportDataset(ctx, "survey", fill(ds("survey"))), accord.ECONFLICT)

	// A failing import leaves nothing behind, chunks included.
	boom := errors.New("ragged row at line 7")
	err := s.ImportDataset(ctx, "broken", func(w accord.ChunkWriter) (*accord.Dataset, error) {
		must(t, w.WriteChunk(ctx, 0, []byte("half")))
		return nil, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failed import error = %v", err)
	}
	_, err = s.Dataset(ctx, "broken")
	wantCode(t, err, accord.ENOTFOUND)
	n := 0
	must(t, s.DatasetChunks(ctx, "broken", func(int, []byte) error { n++; return nil }))
	if n != 0 {
		t.Fatalf("failed import left %d chunks", n)
	}
	bad := ds("orphan")
	bad.OrganisationID = "ghost"
	wantCode(t, s.ImportDataset(ctx, "orphan", fill(bad)), accord.EINVALID)

	d, err := s.Dataset(ctx, "survey")
	must(t, err)
	if d.Name != "Survey survey" || d.Rows != 3 || d.Chunks != 2 || len(d.Columns) != 1 || d.Columns[0].Reasons[0] != "looks like age" || d.Confirmed() {
		t.Fatalf("dataset = %+v", d)
	}
	var got []string
	must(t, s.DatasetChunks(ctx, "survey", func(i int, b []byte) error { got = append(got, fmt.Sprintf("%d:%s", i, b)); return nil }))
	if fmt.Sprint(got) != "[0:chunk-0 1:chunk-1]" {
		t.Fatalf("chunks = %v", got)
	}
	cols := d.Columns
	cols[0].Class = accord.ClassQuasi
	must(t, s.ConfirmClassification(ctx, "survey", cols, "m1", now))
	d, err = s.Dataset(ctx, "survey")
	must(t, err)
	if !d.Confirmed() || d.ConfirmedBy != "m1" || d.Columns[0].Class != accord.ClassQuasi {
		t.Fatalf("confirmed dataset = %+v", d)
	}
	wantCode(t, s.ConfirmClassification(ctx, "ghost", cols, "m1", now), accord.ENOTFOUND)
	must(t, s.ImportDataset(ctx, "second", fill(ds("second"))))
	list, err := s.Datasets(ctx, "org-a")
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("datasets = %d", len(list))
	}
	must(t, s.DeleteDataset(ctx, "survey"))
	wantCode(t, s.DeleteDataset(ctx, "survey"), accord.ENOTFOUND)
	n = 0
	must(t, s.DatasetChunks(ctx, "survey", func(int, []byte) error { n++; return nil }))
	if n != 0 {
		t.Fatalf("deleted dataset left %d chunks", n)
	}
}
