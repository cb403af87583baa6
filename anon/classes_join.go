package anon

import "fmt"

// jointCodes encodes two columns of different tables in one dictionary, so
// that equal strings get equal codes: the result holds the rows of a and
// then those of b, and card is the size of the joint dictionary. Codes of a
// are kept; values only b has are numbered after them.
func jointCodes(a, b *Column) (codes []uint32, card int, err error) {
	index := make(map[string]uint32, len(a.Dict)+len(b.Dict))
	for i, v := range a.Dict {
		if _, dup := index[v]; !dup {
			index[v] = uint32(i)
		}
	}
	card = len(a.Dict)
	remap := make([]uint32, len(b.Dict))
	for i, v := range b.Dict {
		c, ok := index[v]
		if !ok {
			c = uint32(card)
			index[v] = c
			card++
		}
		remap[i] = c
	}
	codes = make([]uint32, len(a.Codes)+len(b.Codes))
	for i, c := range a.Codes {
		if int(c) >= len(a.Dict) {
			return nil, 0, fmt.Errorf("column %q: code %d is outside its dictionary", a.Name, c)
		}
		codes[i] = c
	}
	out := codes[len(a.Codes):]
	for i, c := range b.Codes {
		if int(c) >= len(remap) {
			return nil, 0, fmt.Errorf("column %q: code %d is outside its dictionary", b.Name, c)
		}
		out[i] = remap[c]
	}
	return codes, max(card, 1), nil
}

// sideTag is the extra last grouping column that says which of two
// concatenated tables a row comes from: 0 for the first n rows, 1 after.
func sideTag(n, total int) []uint32 {
	tag := make([]uint32, total)
	for i := n; i < total; i++ {
		tag[i] = 1
	}
	return tag
}

// combinationPair is one combination of values with its number of rows in
// each of two tables.
type combinationPair struct{ first, second uint32 }

// countBoth counts every combination of the joint code columns in the
// first n rows and in the rest, in key order.
func countBoth(codes [][]uint32, cards []int, n int) ([]combinationPair, error) {
	total := len(codes[0])
	keys, counts, err := countKeys(
		append(codes[:len(codes):len(codes)], sideTag(n, total)),
		append(cards[:len(cards):len(cards)], 2))
	if err != nil {
		return nil, err
	}
	out := make([]combinationPair, 0, len(keys))
	for i, k := range keys {
		if i == 0 || keys[i-1]>>1 != k>>1 {
			out = append(out, combinationPair{})
		}
		if k&1 == 0 {
			out[len(out)-1].first = counts[i]
		} else {
			out[len(out)-1].second = counts[i]
		}
	}
	return out, nil
}
