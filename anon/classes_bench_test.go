package anon

import (
	"math/rand/v2"
	"testing"
)

// adultLikeCodes draws codes with Adult's cardinalities and a skew towards
// low codes, so that classes repeat as in real data.
func adultLikeCodes(rows int) ([][]uint32, []int) {
	cards := []int{2, 74, 5, 7, 16, 41, 7, 14, 2}
	rng := rand.New(rand.NewPCG(7, 7))
	codes := make([][]uint32, len(cards))
	for c, card := range cards {
		codes[c] = make([]uint32, rows)
		for r := range codes[c] {
			v := rng.IntN(card)
			codes[c][r] = uint32(v * rng.IntN(card) / card)
		}
	}
	return codes, cards
}

func BenchmarkGroupCodes(b *testing.B) {
	codes, cards := adultLikeCodes(1_000_000)
	b.ResetTimer()
	for b.Loop() {
		if _, err := GroupCodes(codes, cards); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(codes[0]))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkClassSizesCodes(b *testing.B) {
	codes, cards := adultLikeCodes(1_000_000)
	b.ResetTimer()
	for b.Loop() {
		if _, err := ClassSizesCodes(codes, cards); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(codes[0]))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
