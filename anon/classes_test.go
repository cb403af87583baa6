package anon

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// referenceGroups groups with a map and numbers classes by the
// lexicographic order of their code tuples, the numbering GroupCodes
// promises.
func referenceGroups(codes [][]uint32, rows int) *Classes {
	tuples := make([][]uint32, rows)
	for r := range rows {
		for _, c := range codes {
			tuples[r] = append(tuples[r], c[r])
		}
	}
	var distinct [][]uint32
	seen := map[string]bool{}
	for _, t := range tuples {
		k := keyString(t)
		if !seen[k] {
			seen[k] = true
			distinct = append(distinct, t)
		}
	}
	slices.SortFunc(distinct, slices.Compare)
	id := map[string]uint32{}
	for i, t := range distinct {
		id[keyString(t)] = uint32(i)
	}
	cl := &Classes{Of: make([]uint32, rows), Sizes: make([]uint32, len(distinct)), First: make([]uint32, len(distinct))}
	for r, t := range tuples {
		c := id[keyString(t)]
		if cl.Sizes[c] == 0 {
			cl.First[c] = uint32(r)
		}
		cl.Of[r] = c
		cl.Sizes[c]++
	}
	return cl
}

func keyString(t []uint32) string { return fmt.Sprint(t) }

func TestGroupCodesMatchesReference(t *testing.T) {
	tests := []struct {
		name  string
		rows  int
		cards []int
	}{
		{"direct small space", 500, []int{2, 3, 4}},
		{"direct single column", 100, []int{7}},
		{"packed with rows", 3000, []int{74, 2, 5, 7, 16, 41, 7, 14, 2}},
		{"packed skewed", 5000, []int{1000, 1000}},
		{"pairs too wide for row bits", 2000, []int{1 << 20, 1 << 20, 1 << 15}},
		{"segments beyond 64 bits", 2000, []int{1 << 30, 1 << 30, 1 << 30, 3}},
		{"one row", 1, []int{5, 5}},
		{"constant column", 300, []int{1, 1 << 25, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tc.rows)))
			codes := make([][]uint32, len(tc.cards))
			for c, card := range tc.cards {
				codes[c] = make([]uint32, tc.rows)
				// Draw from a few values so classes repeat even in wide spaces.
				pool := []uint32{0, uint32(card - 1), uint32(card / 2), uint32(card / 3)}
				for r := range codes[c] {
					if rng.IntN(2) == 0 {
						codes[c][r] = pool[rng.IntN(len(pool))]
					} else {
						codes[c][r] = uint32(rng.IntN(card))
					}
				}
			}
			got, err := GroupCodes(codes, tc.cards)
			if err != nil {
				t.Fatal(err)
			}
			want := referenceGroups(codes, tc.rows)
			if !slices.Equal(got.Sizes, want.Sizes) {
				t.Fatalf("sizes differ: got %d classes, want %d", got.Len(), want.Len())
			}
			if !slices.Equal(got.Of, want.Of) {
				t.Fatal("row classes differ")
			}
			if !slices.Equal(got.First, want.First) {
				t.Fatal("first rows differ")
			}
		})
	}
}

func TestGroupCodesBadInput(t *testing.T) {
	tests := []struct {
		name  string
		codes [][]uint32
		cards []int
		want  string
	}{
		{"cardinality count", [][]uint32{{0}}, []int{1, 2}, "cardinalities"},
		{"ragged columns", [][]uint32{{0, 1}, {0}}, []int{2, 2}, "has 1 rows"},
		{"code outside dictionary", [][]uint32{{0, 5}}, []int{2}, "outside its dictionary"},
		{"code outside in wide key", [][]uint32{{0, 1 << 21}, {1, 2}}, []int{1 << 20, 1 << 30}, "outside its dictionary"},
		{"empty dictionary", [][]uint32{{0}}, []int{0}, "empty dictionary"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := GroupCodes(tc.codes, tc.cards)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestGroupByNames(t *testing.T) {
	b := NewTableBuilder([]string{"a", "b"})
	for _, r := range [][]string{{"x", "1"}, {"y", "1"}, {"x", "1"}} {
		if err := b.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	tab := b.Table()
	cl, err := GroupBy(tab, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cl.Sizes, []uint32{2, 1}) || !slices.Equal(cl.Of, []uint32{0, 1, 0}) {
		t.Fatalf("got sizes %v rows %v", cl.Sizes, cl.Of)
	}
	for _, bad := range [][]string{nil, {"a", "a"}, {"zip"}} {
		if _, err := GroupBy(tab, bad); err == nil {
			t.Errorf("GroupBy(%v) gave no error", bad)
		}
	}
	if _, err := GroupBy(nil, []string{"a"}); err == nil {
		t.Error("GroupBy(nil) gave no error")
	}
	empty, err := GroupBy(NewTableBuilder([]string{"a"}).Table(), []string{"a"})
	if err != nil || empty.Len() != 0 {
		t.Fatalf("empty table: %v classes, err %v", empty, err)
	}
}

func TestRadixSortMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		n          int
		low, nbits uint
		skew       bool
	}{
		{0, 0, 20, false}, {1, 0, 20, false}, {40, 3, 30, false}, {5000, 0, 8, false},
		{200_000, 0, 30, false}, {200_000, 17, 40, false}, {100_000, 0, 60, true},
		{100_000, 5, 12, true}, {70_000, 0, 64, false}, {300_000, 0, 32, false}, {50_000, 2, 30, true},
	} {
		words := make([]uint64, tc.n)
		for i := range words {
			k := rng.Uint64() >> (64 - tc.nbits)
			if tc.skew && rng.IntN(4) > 0 {
				k = uint64(rng.IntN(3))
			}
			words[i] = k<<tc.low | uint64(i)&(1<<tc.low-1)
		}
		want := slices.Clone(words)
		slices.SortStableFunc(want, func(a, b uint64) int {
			return cmpUint(a>>tc.low, b>>tc.low)
		})
		got := radixSort(slices.Clone(words), tc.low, tc.nbits)
		if !slices.Equal(got, want) {
			t.Errorf("n=%d low=%d nbits=%d: radix order differs from a stable sort", tc.n, tc.low, tc.nbits)
		}
		if tc.low+tc.nbits <= 32 {
			narrow := make([]uint32, len(words))
			for i, w := range words {
				narrow[i] = uint32(w)
			}
			got32 := radixSort(narrow, tc.low, tc.nbits)
			for i := range got32 {
				if uint64(got32[i]) != want[i] {
					t.Errorf("n=%d low=%d nbits=%d: 32-bit radix order differs", tc.n, tc.low, tc.nbits)
					break
				}
			}
		}
	}
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
