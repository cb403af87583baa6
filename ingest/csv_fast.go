package ingest

import (
	"encoding/binary"
	"math/bits"
)

// SWAR constants: one byte value repeated in every byte of a word.
const (
	ones   = 0x0101010101010101
	highs  = 0x8080808080808080
	lows7F = 0x7f7f7f7f7f7f7f7f
)

// zeroBytes returns a word with the high bit set in exactly the bytes of x
// that are zero.
func zeroBytes(x uint64) uint64 {
	return ^(((x & lows7F) + lows7F) | x | lows7F)
}

// splitFast splits an unquoted line into c.fields, looking at 8 bytes at a
// time: one pass finds delimiters, spots quotes (then it stops and reports
// quoted) and notes whether any byte is non-ASCII, so the UTF-8 check can
// be skipped for the plain-ASCII lines that most files consist of.
func (c *CSVReader) splitFast(body []byte) (quoted, ascii bool, err error) {
	c.fields = c.fields[:0]
	commas, quotes := ones*uint64(c.comma), uint64(ones*'"')
	var high uint64
	start, i := 0, 0
	for ; i+8 <= len(body); i += 8 {
		w := binary.LittleEndian.Uint64(body[i:])
		high |= w
		if zeroBytes(w^quotes) != 0 {
			return true, false, nil
		}
		for m := zeroBytes(w ^ commas); m != 0; m &= m - 1 {
			j := i + bits.TrailingZeros64(m)/8
			c.fields = append(c.fields, body[start:j])
			start = j + 1
			if len(c.fields) >= c.maxCols {
				return false, false, c.tooManyColumns(c.recLine)
			}
		}
	}
	for ; i < len(body); i++ {
		b := body[i]
		high |= uint64(b)
		switch b {
		case '"':
			return true, false, nil
		case c.comma:
			c.fields = append(c.fields, body[start:i])
			start = i + 1
			if len(c.fields) >= c.maxCols {
				return false, false, c.tooManyColumns(c.recLine)
			}
		}
	}
	c.fields = append(c.fields, body[start:])
	return false, high&highs == 0, nil
}
