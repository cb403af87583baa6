package dataset_test

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/dataset"
	"github.com/accord-coalition/accord/envelope"
	"github.com/accord-coalition/accord/ingest"
	"github.com/accord-coalition/accord/sqlite"
	"github.com/accord-coalition/accord/synth"
)

// peakHeap samples the heap in use until stop is closed.
func peakHeap(stop <-chan struct{}) *atomic.Uint64 {
	var peak atomic.Uint64
	go func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return &peak
}

// BenchmarkImport streams a generated CSV into a SQLite node through a pipe,
// as an upload arrives, and reports throughput and the peak heap: the
// import must not hold the file in memory.
func BenchmarkImport(b *testing.B) {
	for _, rows := range []int{100_000, 1_000_000} {
		b.Run(itoa(rows), func(b *testing.B) {
			ctx := context.Background()
			var size int64
			for i := range b.N {
				db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "a.db"))
				if err != nil {
					b.Fatal(err)
				}
				db.CreateOrganisation(ctx, &accord.Organisation{ID: "org", Name: "Org"})
				kr, _ := envelope.NewKeyring(bytes.Repeat([]byte{1}, 32), db)
				svc := &dataset.Service{Store: db, Keyring: kr}
				pr, pw := io.Pipe()
				counter := &countingReader{r: pr}
				go func() { pw.CloseWithError(synth.WriteAdultCSV(pw, rows, int64(i))) }()
				stop := make(chan struct{})
				peak := peakHeap(stop)
				rd, err := ingest.NewReader(counter, ingest.Options{Delimiter: ';'})
				if err != nil {
					b.Fatal(err)
				}
				d, err := svc.Import(ctx, dataset.ImportRequest{ID: "big", OrganisationID: "org", CreatedBy: "m"}, rd)
				close(stop)
				if err != nil || d.Rows != int64(rows) {
					b.Fatalf("import: %v %v", err, d)
				}
				size = counter.n
				b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
				db.Close()
			}
			b.ReportMetric(float64(size*int64(b.N))/(1<<20)/b.Elapsed().Seconds(), "MiB/s")
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func itoa(n int) string {
	switch {
	case n >= 1_000_000:
		return string(rune('0'+n/1_000_000)) + "M"
	default:
		return string(rune('0'+n/100_000)) + "00k"
	}
}
