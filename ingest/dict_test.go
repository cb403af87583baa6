package ingest

import (
	"bytes"
	"hash/maphash"
	"testing"

	"github.com/accord-coalition/accord/anon"
)

func splitAll(data []byte) [][][]byte {
	var out [][][]byte
	for _, l := range bytes.Split(data, []byte("\n"))[1:] {
		if len(l) > 0 {
			out = append(out, bytes.Split(l, []byte(";")))
		}
	}
	return out
}

func BenchmarkDictMap(b *testing.B) {
	recs := splitAll(adultCSV(1, 200000))
	for b.Loop() {
		idx := make([]map[string]uint32, 9)
		cols := make([]*anon.Column, 9)
		for i := range idx {
			idx[i] = map[string]uint32{}
			cols[i] = &anon.Column{Codes: make([]uint32, 0, len(recs))}
		}
		for _, rec := range recs {
			for i, v := range rec {
				c := cols[i]
				code, ok := idx[i][string(v)]
				if !ok {
					s := string(v)
					code = uint32(len(c.Dict))
					c.Dict = append(c.Dict, s)
					idx[i][s] = code
				}
				c.Codes = append(c.Codes, code)
			}
		}
	}
}

func BenchmarkDictIndex(b *testing.B) {
	recs := splitAll(adultCSV(1, 200000))
	for b.Loop() {
		seed := maphash.MakeSeed()
		idx := make([]*dictIndex, 9)
		cols := make([]*anon.Column, 9)
		for i := range idx {
			cols[i] = &anon.Column{Codes: make([]uint32, 0, len(recs))}
			idx[i] = newDictIndex(seed, cols[i])
		}
		for _, rec := range recs {
			for i, v := range rec {
				cols[i].Codes = append(cols[i].Codes, idx[i].code(v))
			}
		}
	}
}
