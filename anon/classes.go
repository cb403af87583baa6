package anon

import (
	"errors"
	"fmt"
	"math/bits"
)

// Classes partitions the rows of a table into equivalence classes: rows
// that hold the same combination of values on the grouped columns.
//
// Classes are numbered in the order of their value combination (first
// column most significant, each column by dictionary code), so the same
// table always yields the same numbering.
type Classes struct {
	// Columns names the grouped columns, when grouped from a Table.
	Columns []string
	// Of holds the class of each row.
	Of []uint32
	// Sizes holds the number of rows of each class.
	Sizes []uint32
	// First holds the smallest row index of each class, so callers can read
	// a class's values without keeping a copy of them.
	First []uint32
}

// Len returns the number of classes.
func (c *Classes) Len() int { return len(c.Sizes) }

// Rows returns the number of grouped rows.
func (c *Classes) Rows() int { return len(c.Of) }

// GroupBy groups the rows of t by the named columns.
func GroupBy(t *Table, columns []string) (*Classes, error) {
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
	cl, err := GroupCodes(codes, cards)
	if err != nil {
		return nil, err
	}
	cl.Columns = append([]string(nil), columns...)
	return cl, nil
}

// columnsNamed resolves column names, refusing unknown and repeated names
// so that a typo in a quasi-identifier list never silently changes a risk.
func (t *Table) columnsNamed(names []string) ([]*Column, error) {
	if len(names) == 0 {
		return nil, errors.New("no columns given to group by")
	}
	seen := make(map[string]bool, len(names))
	out := make([]*Column, len(names))
	for i, n := range names {
		if seen[n] {
			return nil, fmt.Errorf("column %q is named twice", n)
		}
		seen[n] = true
		c, _ := t.Column(n)
		if c == nil {
			return nil, fmt.Errorf("column %q is not in the table (columns: %v)", n, t.Names())
		}
		if len(c.Codes) != t.Rows {
			return nil, fmt.Errorf("column %q has %d values for %d rows", n, len(c.Codes), t.Rows)
		}
		out[i] = c
	}
	return out, nil
}

// GroupCodes groups rows by dictionary codes: codes[c][row] is the code of
// row in column c and every code of column c is below cards[c]. All columns
// must have the same length. It is the engine under GroupBy, exported so
// that generalised code columns can be grouped without building a Table.
//
// Codes are packed into one uint64 key per row (mixed radix). Small key
// spaces are counted directly in an array; larger ones are radix sorted
// with the row index in the low bits of the same word. When the product of
// cardinalities overflows 64 bits, columns are grouped in segments and each
// segment's dense class numbers become a column of the next.
func GroupCodes(codes [][]uint32, cards []int) (*Classes, error) {
	rows, err := validateCodes(codes, cards)
	if err != nil {
		return nil, err
	}
	if len(codes) == 0 || rows == 0 {
		return wholeTable(rows), nil
	}
	var prev *Classes
	for start := 0; start < len(codes); {
		seg, segCards := codes[start:], cards[start:]
		if prev != nil {
			seg = append([][]uint32{prev.Of}, seg...)
			segCards = append([]int{prev.Len()}, segCards...)
		}
		n := fitting(segCards)
		if prev != nil && n < 2 {
			return nil, fmt.Errorf("code column %d is too wide to group", start)
		}
		cl, err := groupSegment(seg[:n], segCards[:n], rows)
		if err != nil {
			return nil, err
		}
		if prev != nil {
			n-- // the carried class column is not an input column
		}
		start += n
		prev = cl
	}
	return prev, nil
}

// validateCodes checks the shape of code columns and returns their length.
func validateCodes(codes [][]uint32, cards []int) (int, error) {
	if len(codes) != len(cards) {
		return 0, fmt.Errorf("%d code columns but %d cardinalities", len(codes), len(cards))
	}
	rows := 0
	if len(codes) > 0 {
		rows = len(codes[0])
	}
	for i, c := range codes {
		if len(c) != rows {
			return 0, fmt.Errorf("code column %d has %d rows, want %d", i, len(c), rows)
		}
		if cards[i] < 0 || uint64(cards[i]) > 1<<32 {
			return 0, fmt.Errorf("code column %d has invalid cardinality %d", i, cards[i])
		}
		if rows > 0 && cards[i] == 0 {
			return 0, fmt.Errorf("code column %d has rows but an empty dictionary", i)
		}
	}
	if uint64(rows) > 1<<32-1 {
		return 0, fmt.Errorf("%d rows exceed the grouping limit of 2^32-1", rows)
	}
	return rows, nil
}

// wholeTable returns the trivial partition: one class holding every row.
func wholeTable(rows int) *Classes {
	cl := &Classes{Of: make([]uint32, rows)}
	if rows > 0 {
		cl.Sizes = []uint32{uint32(rows)}
		cl.First = []uint32{0}
	}
	return cl
}

// fitting returns how many leading columns have a product of
// cardinalities that fits in 64 bits, and at least one. A carried class
// column (at most 2^32 classes) and any code column (at most 2^32 codes)
// always fit together, so grouping in segments always advances.
func fitting(cards []int) int {
	prod := uint64(1)
	for i, c := range cards {
		hi, lo := bits.Mul64(prod, uint64(c))
		if hi != 0 {
			if i == 0 {
				return 1
			}
			return i
		}
		prod = lo
	}
	return len(cards)
}

// keySpace returns the product of cardinalities (which the caller has
// checked fits in 64 bits).
func keySpace(cards []int) uint64 {
	prod := uint64(1)
	for _, c := range cards {
		prod *= uint64(c)
	}
	return prod
}

// directLimit bounds the key space counted in a flat array: a few entries
// per row keeps the array about as large as the key column itself.
func directLimit(rows int) uint64 { return max(uint64(rows)*2, 1<<16) }

// groupSegment groups rows by columns whose key space fits in 64 bits.
func groupSegment(codes [][]uint32, cards []int, rows int) (*Classes, error) {
	space := keySpace(cards)
	rowBits := uint(bits.Len(uint(rows - 1)))
	keyBits := uint(bits.Len64(space - 1))
	switch {
	case space <= directLimit(rows):
		keys, err := packKeys[uint64](codes, cards, rows, 0)
		if err != nil {
			return nil, err
		}
		return groupDirect(keys, space), nil
	case keyBits+rowBits <= 64:
		keys, err := packKeys[uint64](codes, cards, rows, rowBits)
		if err != nil {
			return nil, err
		}
		return groupPacked(keys, rowBits, keyBits), nil
	default:
		keys, err := packKeys[uint64](codes, cards, rows, 0)
		if err != nil {
			return nil, err
		}
		return groupPairs(keys, keyBits), nil
	}
}

// packBlock is the number of rows packed at a time: the block of keys stays
// in the L1 cache while every column is folded into it.
const packBlock = 2048

// sortKey is the width of packed keys: 32 bits when the key space allows,
// which halves the memory the sort streams through.
type sortKey interface{ ~uint32 | ~uint64 }

// packKeys computes key[row] = mixed-radix number of the row's codes,
// shifted left by rowBits with the row index in the low bits. The caller
// guarantees the result fits in K.
func packKeys[K sortKey](codes [][]uint32, cards []int, rows int, rowBits uint) ([]K, error) {
	keys := make([]K, rows)
	for lo := 0; lo < rows; lo += packBlock {
		hi := min(lo+packBlock, rows)
		k := keys[lo:hi]
		for c, col := range codes {
			card := K(cards[c])
			src := col[lo:hi]
			src = src[:len(k)]
			var top uint32
			if c == 0 {
				for i, v := range src {
					k[i] = K(v)
					top = max(top, v)
				}
			} else {
				for i, v := range src {
					k[i] = k[i]*card + K(v)
					top = max(top, v)
				}
			}
			if uint64(top) >= uint64(cards[c]) {
				return nil, fmt.Errorf("code %d in column %d is outside its dictionary of %d values", top, c, cards[c])
			}
		}
		if rowBits > 0 {
			for i := range k {
				k[i] = k[i]<<rowBits | K(lo+i)
			}
		}
	}
	return keys, nil
}
