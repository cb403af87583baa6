package dataset_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/anon"
	"github.com/accord-coalition/accord/dataset"
	"github.com/accord-coalition/accord/envelope"
	"github.com/accord-coalition/accord/ingest"
	"github.com/accord-coalition/accord/sqlite"
	"github.com/accord-coalition/accord/sqlstore"
	"github.com/accord-coalition/accord/synth"
)

// The purposes of the benchmark: everyone gave consent to advocacy, and
// one subject in fifty later withdrew from advocacy.report. A use under
// advocacy.campaign therefore withholds nobody while going through the
// same consent path as a use under advocacy.report, which withholds 2%.
const (
	benchWithheldPurpose = "advocacy.report"
	benchNobodyPurpose   = "advocacy.campaign"
)

// BenchmarkConsentFilter measures the consent filter's whole cost on the
// data path: loading a dataset for a use under a purpose (TableForPurpose),
// which yields the table with the withheld rows removed, against loading
// it whole (plain: Table) and against the same purpose path with nobody
// withheld (nobody). withheld is a load after the first for the purpose,
// which skips the withheld rows by position; lookup is a load that looks
// every row's subject up, with the withheld set cached; changed is the
// first load after a consent change for the purpose, which brings the set
// up to date from the store's changes and then looks every row up. Apart
// from the loop: cold-use-s is the first use of the purpose, which reads
// the set whole, and other-purpose-change-use-s a use after a change that
// moves nobody for the purpose. stream is the withheld load's rows
// streamed (RowsForPurpose, as an extract sends them) instead of built
// into a table. The loads run in rotating order in every iteration so that they meet the
// same machine load, and the ratios are medians of the ratios within an
// iteration. The 10 M-row case takes about 12 minutes to build and runs
// only with ACCORD_BENCH_CONSENT_10M=1; ACCORD_BENCH_CONSENT_DIR keeps the
// built data for later runs.
func BenchmarkConsentFilter(b *testing.B) {
	sizes := []int{10_000, 1_000_000}
	if os.Getenv("ACCORD_BENCH_CONSENT_10M") != "" {
		sizes = append(sizes, 10_000_000)
	}
	for _, rows := range sizes {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) { benchConsentFilter(b, rows) })
	}
}

func benchConsentFilter(b *testing.B, rows int) {
	// Building the data takes most of the time at 10 M rows; with
	// ACCORD_BENCH_CONSENT_DIR set it is built there once and reused.
	dir := b.TempDir()
	if keep := os.Getenv("ACCORD_BENCH_CONSENT_DIR"); keep != "" {
		dir = filepath.Join(keep, fmt.Sprintf("rows-%d", rows))
		if _, err := os.Stat(filepath.Join(dir, "a.db")); err == nil {
			svc, _ := openBenchData(b, dir)
			d, err := svc.Store.Dataset(context.Background(), "big")
			if err != nil || d.Rows != int64(rows) {
				b.Fatalf("reuse %s: %v", dir, err)
			}
			benchLoads(b, svc, d, rows)
			return
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
	}
	svc, d := consentBenchData(b, dir, rows)
	benchLoads(b, svc, d, rows)
}

func openBenchData(b *testing.B, dir string) (*dataset.Service, *sqlstore.DB) {
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "a.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	kr, err := envelope.NewKeyring(bytes.Repeat([]byte{1}, 32), db)
	if err != nil {
		b.Fatal(err)
	}
	return &dataset.Service{Store: db, Keyring: kr}, db
}

// benchLoads times the loads of d, a dataset built by consentBenchData.
func benchLoads(b *testing.B, svc *dataset.Service, d *accord.Dataset, rows int) {
	ctx := context.Background()
	qis := synth.AdultColumns
	withheldRows := (rows + 49) / 50

	// The first use of a purpose reads its withheld set whole (every
	// registered subject's latest decision), and loads looking every row
	// up: measure it once, on a cold cache.
	start := time.Now()
	if _, n, err := svc.TableForPurpose(ctx, d, benchWithheldPurpose, qis...); err != nil || n != withheldRows {
		b.Fatalf("first use: %v, %d withheld", err, n)
	}
	coldUse := time.Since(start)
	if _, _, err := svc.TableForPurpose(ctx, d, benchNobodyPurpose, qis...); err != nil {
		b.Fatal(err)
	}
	// A change that moves nobody in or out of the set for the purpose (a
	// decision about another purpose) keeps what the filter resolved.
	if _, err := svc.Store.ApplyConsent(ctx, &accord.ConsentBatch{Events: []*accord.ConsentEvent{
		benchEvent(d.ID, 1, "advocacy.other", accord.ConsentGiven, time.Now())}}); err != nil {
		b.Fatal(err)
	}
	start = time.Now()
	if _, n, err := svc.TableForPurpose(ctx, d, benchWithheldPurpose, qis...); err != nil || n != withheldRows {
		b.Fatalf("use after another purpose's change: %v, %d withheld", err, n)
	}
	otherChangeUse := time.Since(start)

	// Each "changed" load follows a consent change for the purpose that
	// swaps two subjects: one who gave consent withdraws it, one who had
	// withdrawn gives it, so the count withheld stays the same. The pairs
	// are subjects 50p+1 and 50p; once all are used, they swap back.
	pairs := max(1, rows/50-1)
	swapped := map[int]bool{}
	swap := func(i int) {
		p := 1 + i%pairs
		back := swapped[p]
		swapped[p] = !back
		give, withdraw := 50*p, 50*p+1
		if back {
			give, withdraw = withdraw, give
		}
		at := time.Now()
		if _, err := svc.Store.ApplyConsent(ctx, &accord.ConsentBatch{Events: []*accord.ConsentEvent{
			benchEvent(d.ID, withdraw, benchWithheldPurpose, accord.ConsentWithdrawn, at),
			benchEvent(d.ID, give, benchWithheldPurpose, accord.ConsentGiven, at)}}); err != nil {
			b.Fatal(err)
		}
	}
	// Data kept for later runs must be left as it was built.
	b.Cleanup(func() {
		for p, on := range swapped {
			if on {
				swap(p - 1)
			}
		}
	})

	type variant struct {
		name    string
		prepare func(i int) // before the timed load
		load    func() (*anon.Table, int, error)
		kept    func(*anon.Table) int // rows kept; Rows of the table when nil
		want    int                   // rows withheld

		wall, cpu time.Duration
		peak      uint64
	}
	streamed := 0
	variants := []*variant{
		{name: "plain", load: func() (*anon.Table, int, error) {
			t, err := svc.Table(ctx, d, qis...)
			return t, 0, err
		}},
		{name: "nobody", load: func() (*anon.Table, int, error) {
			return svc.TableForPurpose(ctx, d, benchNobodyPurpose, qis...)
		}},
		{name: "withheld", want: withheldRows, load: func() (*anon.Table, int, error) {
			return svc.TableForPurpose(ctx, d, benchWithheldPurpose, qis...)
		}},
		{name: "lookup", want: withheldRows, load: func() (*anon.Table, int, error) {
			dataset.ForgetResolvedChunks(svc)
			return svc.TableForPurpose(ctx, d, benchWithheldPurpose, qis...)
		}},
		{name: "changed", want: withheldRows, prepare: swap, load: func() (*anon.Table, int, error) {
			return svc.TableForPurpose(ctx, d, benchWithheldPurpose, qis...)
		}},
		// The rows streamed rather than loaded, as an extract sends them:
		// the same scan without building a table.
		{name: "stream", want: withheldRows, load: func() (*anon.Table, int, error) {
			streamed = 0
			n, err := svc.RowsForPurpose(ctx, d, benchWithheldPurpose, qis, func([]string) error { streamed++; return nil })
			return nil, n, err
		}, kept: func(*anon.Table) int { return streamed }},
	}
	// withheld/plain, withheld/nobody, nobody/plain, lookup/plain,
	// lookup/nobody, changed/plain, changed/nobody, stream/withheld
	compared := [][2]int{{2, 0}, {2, 1}, {1, 0}, {3, 0}, {3, 1}, {4, 0}, {4, 1}, {5, 2}}
	ratios := make([][]float64, len(compared))
	cpuRatios := make([][]float64, len(compared))
	for i := 0; b.Loop(); i++ {
		wall := make([]time.Duration, len(variants))
		cpu := make([]time.Duration, len(variants))
		for j := range variants {
			k := (i + j) % len(variants)
			v := variants[k]
			if v.prepare != nil {
				v.prepare(i)
			}
			// Collect the previous table first, so each load's peak is its own.
			runtime.GC()
			sampler := sampleHeap()
			c0, w0 := cpuTime(), time.Now()
			t, withheld, err := v.load()
			wall[k], cpu[k] = time.Since(w0), cpuTime()-c0
			v.peak = max(v.peak, sampler.stop())
			kept := 0
			if v.kept != nil {
				kept = v.kept(t)
			} else if t != nil {
				kept = t.Rows
			}
			if err != nil || withheld != v.want || kept != rows-v.want {
				b.Fatalf("%s: %v, %d rows, %d withheld", v.name, err, kept, withheld)
			}
			v.wall += wall[k]
			v.cpu += cpu[k]
		}
		for r, pair := range compared {
			ratios[r] = append(ratios[r], float64(wall[pair[0]])/float64(wall[pair[1]]))
			cpuRatios[r] = append(cpuRatios[r], float64(cpu[pair[0]])/float64(cpu[pair[1]]))
		}
	}
	for r, pair := range compared {
		name := variants[pair[0]].name + "/" + variants[pair[1]].name
		b.ReportMetric(median(ratios[r]), name)
		b.ReportMetric(median(cpuRatios[r]), "cpu-"+name)
	}
	n := float64(b.N)
	for _, v := range variants {
		b.ReportMetric(v.wall.Seconds()/n, v.name+"-s")
		b.ReportMetric(v.cpu.Seconds()/n, v.name+"-cpu-s")
		b.ReportMetric(float64(v.peak)/(1<<20), v.name+"-peak-heap-MiB")
	}
	b.ReportMetric(coldUse.Seconds(), "cold-use-s")
	b.ReportMetric(otherChangeUse.Seconds(), "other-purpose-change-use-s")
}

func median(xs []float64) float64 {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	if len(xs)%2 == 1 {
		return xs[len(xs)/2]
	}
	return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
}

// cpuTime is the CPU time of the whole process (user and system, every
// thread, the garbage collector's included): on a shared machine it moves
// less with other work than wall time does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// heapSampler records the largest heap in use (objects and the unused
// parts of their spans) until stopped. It reads runtime/metrics, which,
// unlike ReadMemStats, does not stop the world.
type heapSampler struct {
	peak atomic.Uint64
	done chan struct{}
	over chan struct{}
}

func sampleHeap() *heapSampler {
	s := &heapSampler{done: make(chan struct{}), over: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	read := func() {
		metrics.Read(sample)
		if n := sample[0].Value.Uint64() + sample[1].Value.Uint64(); n > s.peak.Load() {
			s.peak.Store(n)
		}
	}
	go func() {
		defer close(s.over)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			read()
			select {
			case <-s.done:
				read()
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *heapSampler) stop() uint64 {
	close(s.done)
	<-s.over
	return s.peak.Load()
}

// consentBenchData imports rows Adult-like rows, each with its own subject
// key in front, registers every subject, and records consent: everyone
// gives it for advocacy, and every fiftieth subject withdraws it for
// advocacy.report afterwards.
func consentBenchData(b *testing.B, dir string, rows int) (*dataset.Service, *accord.Dataset) {
	ctx := context.Background()
	began := time.Now()
	svc, db := openBenchData(b, dir)
	db.CreateOrganisation(ctx, &accord.Organisation{ID: "org", Name: "Org"})
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(synth.WriteAdultCSV(&subjectPrefixer{w: pw}, rows, 7))
	}()
	rd, err := ingest.NewReader(pr, ingest.Options{Delimiter: ';'})
	if err != nil {
		b.Fatal(err)
	}
	d, err := svc.Import(ctx, dataset.ImportRequest{ID: "big", OrganisationID: "org"}, rd)
	if err != nil {
		b.Fatal(err)
	}
	imported := time.Now()
	classes := map[string]string{"subject": accord.ClassSubject}
	for _, c := range synth.AdultColumns {
		classes[c] = accord.ClassQuasi
	}
	cols, err := dataset.Classify(d, classes)
	if err != nil {
		b.Fatal(err)
	}
	if err := db.ConfirmClassification(ctx, d.ID, cols, "m", time.Now()); err != nil {
		b.Fatal(err)
	}
	if d, err = db.Dataset(ctx, d.ID); err != nil {
		b.Fatal(err)
	}
	// In batches, so that building 10 M subjects does not need gigabytes.
	const batch = 100_000
	gave, withdrew := time.Now().Add(-2*time.Hour), time.Now().Add(-time.Hour)
	for lo := 0; lo < rows; lo += batch {
		cb := &accord.ConsentBatch{}
		for i := lo; i < min(lo+batch, rows); i++ {
			cb.Register = append(cb.Register, accord.ConsentSubject{DatasetID: d.ID, OrganisationID: "org",
				Key: benchSubject(i), Source: "dataset", RegisteredAt: gave})
			cb.Events = append(cb.Events, benchEvent(d.ID, i, "advocacy", accord.ConsentGiven, gave))
			if i%50 == 0 {
				cb.Events = append(cb.Events, benchEvent(d.ID, i, benchWithheldPurpose, accord.ConsentWithdrawn, withdrew))
			}
		}
		if _, err := db.ApplyConsent(ctx, cb); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%d rows: import %s, consent %s", rows, imported.Sub(began).Round(time.Second), time.Since(imported).Round(time.Second))
	return svc, d
}

func benchSubject(i int) string { return fmt.Sprintf("s%08d", i) }

func benchEvent(datasetID string, i int, purpose string, state accord.ConsentState, at time.Time) *accord.ConsentEvent {
	return &accord.ConsentEvent{ID: accord.NewID("ce"), DatasetID: datasetID, OrganisationID: "org",
		SubjectKey: benchSubject(i), Purpose: purpose, State: state, Time: at, RecordedAt: time.Now(),
		Method: accord.MethodImport, Agreement: "demo-share@1", RecordedBy: "m"}
}

// subjectPrefixer puts a subject column in front of every line it passes
// on: "subject" on the header, then s00000000, s00000001, …
type subjectPrefixer struct {
	w       io.Writer
	line    int
	midLine bool
	buf     []byte
}

func (p *subjectPrefixer) Write(data []byte) (int, error) {
	p.buf = p.buf[:0]
	for _, c := range data {
		if !p.midLine {
			if p.line == 0 {
				p.buf = append(p.buf, "subject;"...)
			} else {
				p.buf = fmt.Appendf(p.buf, "s%08d;", p.line-1)
			}
			p.midLine = true
		}
		p.buf = append(p.buf, c)
		if c == '\n' {
			p.line++
			p.midLine = false
		}
	}
	if _, err := p.w.Write(p.buf); err != nil {
		return 0, err
	}
	return len(data), nil
}
