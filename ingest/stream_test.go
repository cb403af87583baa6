package ingest

import (
	"bufio"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// streamRows reads a generated CSV of the given number of rows through an
// io.Pipe, as an upload or a huge file would arrive, and returns the rows
// and bytes seen and the peak HeapInuse sampled along the way.
func streamRows(t testing.TB, rows int, profile bool) (n int, bytesRead int64, peakHeap uint64) {
	pr, pw := io.Pipe()
	go func() {
		_, err := io.Copy(pw, newAdultGen(11, rows))
		pw.CloseWithError(err)
	}()
	defer pr.Close()
	r, err := NewCSVReader(pr, Options{Progress: func(read, _ int64) { bytesRead = read }})
	if err != nil {
		t.Fatal(err)
	}
	var p *Profiler
	if profile {
		p = NewProfiler(r.Header())
	}
	runtime.GC()
	var ms runtime.MemStats
	for {
		var err error
		if profile {
			var rec []string
			if rec, err = r.Next(); err == nil {
				p.Add(rec)
			}
		} else {
			_, err = r.NextBytes()
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n%100_000 == 0 {
			runtime.ReadMemStats(&ms)
			peakHeap = max(peakHeap, ms.HeapInuse)
		}
	}
	if profile {
		p.Suggestions()
	}
	return n, bytesRead, peakHeap
}

// TestStreamingMemoryIsBounded shows that reading does not grow with the
// file: 25 MB pass through with a heap of a few MB.
func TestStreamingMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 25 MB")
	}
	const rows = 300_000
	for _, profile := range []bool{false, true} {
		n, read, peak := streamRows(t, rows, profile)
		if n != rows {
			t.Fatalf("read %d rows, want %d", n, rows)
		}
		limit := uint64(16 << 20)
		if profile {
			limit = 48 << 20 // the profiler keeps up to 20000 distinct values per column
		}
		t.Logf("profile=%v: %d rows, %.1f MB, peak HeapInuse %.1f MB", profile, n, float64(read)/1e6, float64(peak)/1e6)
		if peak > limit {
			t.Errorf("peak HeapInuse %d bytes for a %d-byte stream: memory is not bounded", peak, read)
		}
	}
}

// BenchmarkStreamConstantMemory streams a 200 MB generated CSV through an
// io.Pipe and reports the peak heap and the process's peak RSS.
func BenchmarkStreamConstantMemory(b *testing.B) {
	const rows = 2_400_000 // about 200 MB
	for b.Loop() {
		n, read, peak := streamRows(b, rows, false)
		b.SetBytes(read)
		b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
	}
	b.ReportMetric(peakRSS()/1e6, "peak-RSS-MB")
}

// peakRSS reads the process's high-water resident set size (Linux).
func peakRSS() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb * 1024
		}
	}
	return 0
}
