package consent

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestFilterMasksAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 63, 64, 65, 130, 1000} {
		dict := make([]string, 50)
		for i := range dict {
			dict[i] = fmt.Sprintf("s%03d", i)
		}
		codes := make([]uint32, n)
		values := make([]string, n)
		for i := range codes {
			codes[i] = uint32(rng.IntN(len(dict)))
			values[i] = dict[codes[i]]
		}
		f := NewFilter([]string{"s003", "s010", "s049", "not-in-data"})
		var want []int
		for i, v := range values {
			if !f.Withheld(v) {
				want = append(want, i)
			}
		}
		for name, m := range map[string]Mask{
			"strings": f.MaskStrings(values),
			"codes":   f.MaskCodes(codes, dict),
			"index":   f.MaskIndexed(NewSubjectIndex(codes, dict)),
		} {
			got := m.Kept()
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Fatalf("n=%d %s: kept %v, want %v", n, name, got, want)
			}
			if m.Count() != len(want) || m.Len() != n {
				t.Fatalf("n=%d %s: count %d len %d", n, name, m.Count(), m.Len())
			}
			for _, i := range want {
				if !m.Keep(i) {
					t.Fatalf("n=%d %s: row %d dropped", n, name, i)
				}
			}
		}
	}
}

func TestMaskRuns(t *testing.T) {
	for _, n := range []int{1, 64, 65, 200} {
		for trial := 0; trial < 50; trial++ {
			rng := rand.New(rand.NewPCG(uint64(n), uint64(trial)))
			m := fullMask(n)
			for i := 0; i < n; i++ {
				if rng.IntN(4) == 0 {
					m.drop(i)
				}
			}
			var got []int
			last := -1
			m.Runs(func(s, e int) {
				if s <= last || e <= s {
					t.Fatalf("bad run [%d,%d) after %d", s, e, last)
				}
				last = e
				for i := s; i < e; i++ {
					got = append(got, i)
				}
			})
			var want []int
			for i := 0; i < n; i++ {
				if m.Keep(i) {
					want = append(want, i)
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d: runs cover %v, want %v", n, got, want)
			}
		}
	}
}

func TestEmptyFilterKeepsEverything(t *testing.T) {
	m := NewFilter(nil).MaskCodes([]uint32{0, 1, 0}, []string{"a", "b"})
	if m.Count() != 3 {
		t.Fatalf("count = %d", m.Count())
	}
}
