package consent

import (
	"fmt"
	"maps"
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

// TestFilterProperty checks every way of applying a filter against a brute
// force over random tables: random subject keys (with repeats, keys that
// are prefixes of others, the empty key), a random withheld set (with keys
// absent from the data), random sizes across the 64-row words and the
// blocks. Withheld rows must never be kept, and kept rows keep their order.
func TestFilterProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 300 {
		subjects := 1 + rng.IntN(300)
		dict := make([]string, subjects)
		for i := range dict {
			dict[i] = fmt.Sprintf("s%d", i) // s1 is a prefix of s10, s100, …
		}
		if rng.IntN(4) == 0 {
			dict[0] = ""
		}
		rows := rng.IntN(3 * BlockRows)
		if trial%50 == 0 {
			rows = 0
		}
		codes := make([]uint32, rows)
		values := make([]string, rows)
		for i := range codes {
			codes[i] = uint32(rng.IntN(subjects))
			values[i] = dict[codes[i]]
		}
		withheld := map[string]bool{}
		var list []string
		share := rng.Float64()
		for _, k := range dict {
			if rng.Float64() < share {
				withheld[k] = true
				list = append(list, k)
			}
		}
		for i := range rng.IntN(5) {
			list = append(list, fmt.Sprintf("absent-%d", i))
		}
		if rng.IntN(2) == 0 && len(list) > 0 {
			list = append(list, list[0]) // a key listed twice
		}
		var want []int
		var dropped []uint32
		for i, v := range values {
			if withheld[v] {
				dropped = append(dropped, uint32(i))
			} else {
				want = append(want, i)
			}
		}
		f := NewFilter(list)
		for i, v := range values {
			if f.Withheld(v) != withheld[v] {
				t.Fatalf("trial %d: Withheld(%q) = %v, want %v (row %d)", trial, v, !withheld[v], withheld[v], i)
			}
		}
		prefix := []uint32{7, 7}
		if got := f.AppendWithheld(prefix, values); !slices.Equal(got[2:], dropped) || got[0] != 7 || got[1] != 7 {
			t.Fatalf("trial %d: AppendWithheld found %d rows, want %d", trial, len(got)-2, len(dropped))
		}
		ix := NewSubjectIndex(codes, dict)
		for name, m := range map[string]Mask{
			"strings": f.MaskStrings(values),
			"codes":   f.MaskCodes(codes, dict),
			"index":   f.MaskIndexed(ix),
		} {
			if got := m.Kept(); !slices.Equal(got, want) && len(got)+len(want) > 0 {
				t.Fatalf("trial %d %s: kept %d rows, want %d", trial, name, len(got), len(want))
			}
		}
		p := f.ForIndex(ix)
		if !slices.Equal(p.DroppedRows(), dropped) && len(dropped) > 0 {
			t.Fatalf("trial %d: dropped rows differ", trial)
		}
		var fromBlocks []uint32
		next := 0
		p.Blocks(func(start, end int, d []uint32) {
			if start != next || end <= start || end-start > BlockRows || end > rows {
				t.Fatalf("trial %d: block [%d,%d) after %d", trial, start, end, next)
			}
			next = end
			for _, r := range d {
				if int(r) < start || int(r) >= end {
					t.Fatalf("trial %d: row %d handed with block [%d,%d)", trial, r, start, end)
				}
			}
			fromBlocks = append(fromBlocks, d...)
		})
		if next != rows || !slices.Equal(fromBlocks, dropped) {
			t.Fatalf("trial %d: blocks cover %d of %d rows, %d of %d dropped", trial, next, rows, len(fromBlocks), len(dropped))
		}
	}
}

// TestFilterUpdate: a filter updated step by step agrees with one built
// from scratch, and the filter it came from is left as it was.
func TestFilterUpdate(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	keys := make([]string, 300)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%03d", i)
	}
	want := map[string]bool{}
	f := NewFilter(nil)
	for step := range 60 {
		var withhold, release []string
		for range rng.IntN(40) {
			k := keys[rng.IntN(len(keys))]
			if rng.IntN(2) == 0 {
				withhold = append(withhold, k)
			} else {
				release = append(release, k)
			}
		}
		before, prev := f, maps.Clone(want)
		f = f.Update(withhold, release)
		for _, k := range release {
			delete(want, k)
		}
		for _, k := range withhold {
			want[k] = true
		}
		for _, k := range keys {
			if before.Withheld(k) != prev[k] {
				t.Fatalf("step %d: the filter updated from changed too (%s)", step, k)
			}
		}
		if f.Len() != len(want) {
			t.Fatalf("step %d: %d withheld, want %d", step, f.Len(), len(want))
		}
		var got []uint32
		got = f.AppendWithheld(got, keys)
		var wantPos []uint32
		for i, k := range keys {
			if want[k] {
				wantPos = append(wantPos, uint32(i))
			}
			if f.Withheld(k) != want[k] {
				t.Fatalf("step %d: Withheld(%s) = %v", step, k, !want[k])
			}
		}
		if !slices.Equal(got, wantPos) && !(len(got) == 0 && len(wantPos) == 0) {
			t.Fatalf("step %d: AppendWithheld = %v, want %v", step, got, wantPos)
		}
	}
}
