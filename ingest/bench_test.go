package ingest

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"testing"

	"github.com/accord-coalition/accord/anon"
)

// BenchmarkReadTable measures CSV → dictionary-encoded table, the path of
// `accord risk` and `accord dataset import`.
func BenchmarkReadTable(b *testing.B) {
	for _, rows := range []int{10_000, 100_000, 1_000_000} {
		data := adultCSV(1, rows)
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				// Size is known for files, as `accord risk` opens them.
				r, err := NewCSVReader(bytes.NewReader(data), Options{Size: int64(len(data))})
				if err != nil {
					b.Fatal(err)
				}
				t, err := ReadTable(context.Background(), r)
				if err != nil {
					b.Fatal(err)
				}
				if t.Rows != rows {
					b.Fatalf("rows = %d", t.Rows)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkCSVNext measures the string-per-record path for comparison.
func BenchmarkCSVNext(b *testing.B) {
	data := adultCSV(1, 100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewCSVReader(bytes.NewReader(data), Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(100_000*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkEncodingCSVBaseline is the straightforward alternative, kept
// for comparison: encoding/csv records into anon.TableBuilder.
func BenchmarkEncodingCSVBaseline(b *testing.B) {
	data := adultCSV(1, 1_000_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		cr := csv.NewReader(bytes.NewReader(data))
		cr.Comma = ';'
		cr.ReuseRecord = true
		header, err := cr.Read()
		if err != nil {
			b.Fatal(err)
		}
		tb := anon.NewTableBuilder(slices.Clone(header))
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if err := tb.Append(rec); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(1_000_000*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
