package anon

import (
	"os"
	"testing"
	"time"
)

// TestTimingMin prints the fastest of many runs; a shared machine makes
// averages meaningless. Run with ACCORD_TIMING=1.
func TestTimingMin(t *testing.T) {
	if os.Getenv("ACCORD_TIMING") == "" {
		t.Skip("set ACCORD_TIMING=1")
	}
	codes, cards := adultLikeCodes(1_000_000)
	best := func(f func()) time.Duration {
		m := time.Hour
		for range 25 {
			s := time.Now()
			f()
			m = min(m, time.Since(s))
		}
		return m
	}
	t.Logf("pack    %v", best(func() { packKeys(codes, cards, 1_000_000, 0) }))
	keys, _ := packKeys(codes, cards, 1_000_000, 0)
	t.Logf("radix   %v", best(func() { k := append([]uint64(nil), keys...); radixSort(k, 0, 30) }))
	t.Logf("sizes   %v", best(func() { ClassSizesCodes(codes, cards) }))
	if os.Getenv("ACCORD_TIMING") == "sizes" {
		for range 40 {
			ClassSizesCodes(codes, cards)
		}
		return
	}
	t.Logf("group   %v", best(func() { GroupCodes(codes, cards) }))
}
