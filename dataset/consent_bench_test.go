package dataset_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/anon"
	"github.com/accord-coalition/accord/dataset"
	"github.com/accord-coalition/accord/envelope"
	"github.com/accord-coalition/accord/ingest"
	"github.com/accord-coalition/accord/sqlite"
	"github.com/accord-coalition/accord/synth"
)

// BenchmarkConsentFilter loads a dataset for a use under a purpose with 2%
// of its subjects withheld (TableForPurpose), against loading it whole
// (Table): the consent filter's whole cost on the data path, since the
// table the query then runs on has the withheld rows removed already.
func BenchmarkConsentFilter(b *testing.B) {
	ctx := context.Background()
	const rows = 1_000_000
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "a.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.CreateOrganisation(ctx, &accord.Organisation{ID: "org", Name: "Org"})
	kr, _ := envelope.NewKeyring(bytes.Repeat([]byte{1}, 32), db)
	svc := &dataset.Service{Store: db, Keyring: kr}
	// Adult-like rows with a subject key in front.
	pr, pw := io.Pipe()
	go func() {
		var buf bytes.Buffer
		synth.WriteAdultCSV(&buf, rows, 7)
		lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
		fmt.Fprintf(pw, "subject;%s\n", lines[0])
		for i, l := range lines[1:] {
			fmt.Fprintf(pw, "s%07d;%s\n", i, l)
		}
		pw.Close()
	}()
	rd, _ := ingest.NewReader(pr, ingest.Options{Delimiter: ';'})
	d, err := svc.Import(ctx, dataset.ImportRequest{ID: "big", OrganisationID: "org"}, rd)
	if err != nil {
		b.Fatal(err)
	}
	classes := map[string]string{"subject": accord.ClassSubject}
	for _, c := range synth.AdultColumns {
		classes[c] = accord.ClassQuasi
	}
	cols, _ := dataset.Classify(d, classes)
	db.ConfirmClassification(ctx, d.ID, cols, "m", time.Now())
	d, _ = db.Dataset(ctx, d.ID)
	var subjects []accord.ConsentSubject
	for i := range rows {
		subjects = append(subjects, accord.ConsentSubject{DatasetID: d.ID, OrganisationID: "org", Key: fmt.Sprintf("s%07d", i), Source: "dataset", RegisteredAt: time.Now()})
	}
	if _, err := db.RegisterConsentSubjects(ctx, subjects); err != nil {
		b.Fatal(err)
	}
	batch := &accord.ConsentBatch{}
	for i := range rows {
		state := accord.ConsentGiven
		if i%50 == 0 {
			state = accord.ConsentWithdrawn
		}
		batch.Events = append(batch.Events, &accord.ConsentEvent{ID: fmt.Sprintf("e%d", i), DatasetID: d.ID, OrganisationID: "org", SubjectKey: fmt.Sprintf("s%07d", i),
			Purpose: "advocacy.report", State: state, Time: time.Now().Add(-time.Hour), RecordedAt: time.Now(), Method: accord.MethodImport, Agreement: "demo-share@1", RecordedBy: "m"})
	}
	if _, err := db.ApplyConsent(ctx, batch); err != nil {
		b.Fatal(err)
	}
	qis := synth.AdultColumns
	// The first use builds the withheld set (a read of every registered
	// subject); later uses check it with one primary-key read.
	start := time.Now()
	if _, _, err := svc.TableForPurpose(ctx, d, "advocacy.report", qis...); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(time.Since(start).Seconds(), "first-use-s")
	b.ResetTimer()
	var plain, filtered time.Duration
	for i := range b.N {
		// Alternate the order so both meet the same load on a shared machine.
		var t1, t2 *anon.Table
		var withheld int
		var err, err2 error
		plainRun := func() {
			start := time.Now()
			t1, err = svc.Table(ctx, d, qis...)
			plain += time.Since(start)
		}
		filteredRun := func() {
			start := time.Now()
			t2, withheld, err2 = svc.TableForPurpose(ctx, d, "advocacy.report", qis...)
			filtered += time.Since(start)
		}
		if i%2 == 0 {
			plainRun()
			filteredRun()
		} else {
			filteredRun()
			plainRun()
		}
		if err != nil || err2 != nil || t1.Rows != rows || withheld != rows/50 || t2.Rows != rows-rows/50 {
			b.Fatalf("tables: %v %v rows %d/%d withheld %d", err, err2, t1.Rows, t2.Rows, withheld)
		}
	}
	b.ReportMetric(float64(filtered)/float64(plain), "filtered/plain")
	b.ReportMetric(plain.Seconds()/float64(b.N), "plain-s")
	b.ReportMetric(filtered.Seconds()/float64(b.N), "filtered-s")
}
