package ingest

import (
	"hash/maphash"
	"math"
	"math/bits"
)

// hll is a HyperLogLog distinct counter (4096 registers, about 1.6%
// error). The Profiler switches to it when a column has too many distinct
// values to keep, so memory stays bounded on any file.
type hll struct {
	seed maphash.Seed
	reg  [1 << hllBits]uint8
}

const hllBits = 12

func newHLL() *hll { return &hll{seed: maphash.MakeSeed()} }

func (h *hll) add(s string) {
	x := maphash.String(h.seed, s)
	idx := x >> (64 - hllBits)
	rho := uint8(bits.LeadingZeros64(x<<hllBits|1<<(hllBits-1))) + 1
	if rho > h.reg[idx] {
		h.reg[idx] = rho
	}
}

func (h *hll) estimate() int {
	const m = float64(1 << hllBits)
	sum, zeros := 0.0, 0
	for _, r := range h.reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	e := 0.7213 / (1 + 1.079/m) * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros)) // small-range correction
	}
	return int(e + 0.5)
}
