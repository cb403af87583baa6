package anon

import (
	"errors"
	"math/bits"
)

// ClassSizes returns the size of every equivalence class of t over the
// named columns, in the class order of GroupBy. It is faster than GroupBy
// because it never labels rows, which is all that risk models and most
// information-loss metrics need.
func ClassSizes(t *Table, columns []string) ([]uint32, error) {
	if t == nil {
		return nil, errors.New("no table given")
	}
	cols, err := t.columnsNamed(columns)
	if err != nil {
		return nil, err
	}
	codes := make([][]uint32, len(cols))
	cards := make([]int, len(cols))
	for i, c := range cols {
		codes[i] = c.Codes
		cards[i] = len(c.Dict)
	}
	return ClassSizesCodes(codes, cards)
}

// ClassSizesCodes is ClassSizes over code columns, with the contract of
// GroupCodes.
func ClassSizesCodes(codes [][]uint32, cards []int) ([]uint32, error) {
	_, counts, err := countKeys(codes, cards)
	return counts, err
}

// countKeys returns the distinct keys of the rows in ascending order and
// how many rows hold each. A key orders rows like their code tuples, and
// key % cards[last] is the code of the last column, so callers can put a
// tag (a sensitive value, the table a row came from) in the last column
// and still find the runs of the other columns as key / cards[last].
func countKeys(codes [][]uint32, cards []int) ([]uint64, []uint32, error) {
	rows, err := validateCodes(codes, cards)
	if err != nil {
		return nil, nil, err
	}
	if rows == 0 {
		return nil, nil, nil
	}
	if len(codes) == 0 {
		return []uint64{0}, []uint32{uint32(rows)}, nil
	}
	codes, cards, err = narrowToWord(codes, cards, rows)
	if err != nil {
		return nil, nil, err
	}
	space := keySpace(cards)
	if space <= 1<<32 {
		return countPacked[uint32](codes, cards, rows, space)
	}
	return countPacked[uint64](codes, cards, rows, space)
}

func countPacked[K sortKey](codes [][]uint32, cards []int, rows int, space uint64) ([]uint64, []uint32, error) {
	keys, err := packKeys[K](codes, cards, rows, 0)
	if err != nil {
		return nil, nil, err
	}
	if space <= directLimit(rows) {
		return countDirect(keys, space)
	}
	return runLengths(radixSort(keys, 0, uint(bits.Len64(space-1))))
}

// narrowToWord replaces leading columns by their dense class numbers until
// the key space fits in 64 bits. The last column is always kept as it is,
// which is what lets callers decode it from a key.
func narrowToWord(codes [][]uint32, cards []int, rows int) ([][]uint32, []int, error) {
	if fitting(cards) == len(cards) {
		return codes, cards, nil
	}
	// The longest suffix that fits beside a column of at most rows classes.
	prod := uint64(rows)
	split := len(cards)
	for split > 0 {
		hi, lo := bits.Mul64(prod, uint64(cards[split-1]))
		if hi != 0 {
			break
		}
		prod = lo
		split--
	}
	prefix, err := GroupCodes(codes[:split], cards[:split])
	if err != nil {
		return nil, nil, err
	}
	return append([][]uint32{prefix.Of}, codes[split:]...),
		append([]int{prefix.Len()}, cards[split:]...), nil
}

// countDirect counts keys in a flat array indexed by key.
func countDirect[K sortKey](keys []K, space uint64) ([]uint64, []uint32, error) {
	counts := make([]uint32, space)
	for _, k := range keys {
		counts[k]++
	}
	var outK []uint64
	var outC []uint32
	for k, n := range counts {
		if n > 0 {
			outK = append(outK, uint64(k))
			outC = append(outC, n)
		}
	}
	return outK, outC, nil
}

// runLengths collapses a sorted key column into distinct keys and counts.
// It counts the runs first so the outputs are allocated once at their size.
func runLengths[K sortKey](sorted []K) ([]uint64, []uint32, error) {
	runs := 1
	for i := 1; i < len(sorted); i++ {
		if sorted[i] != sorted[i-1] {
			runs++
		}
	}
	keys := make([]uint64, runs)
	counts := make([]uint32, runs)
	prev, start, r := sorted[0], 0, 0
	for i, k := range sorted {
		if k != prev {
			keys[r], counts[r] = uint64(prev), uint32(i-start)
			r++
			prev, start = k, i
		}
	}
	keys[r], counts[r] = uint64(prev), uint32(len(sorted)-start)
	return keys, counts, nil
}
