package anon

import (
	"fmt"
	"slices"
)

// sizeFrequencies turns class sizes into (size, number of classes) pairs,
// ascending by size. Every risk figure of the sample follows from these.
func sizeFrequencies(sizes []uint32) []sizeFreq {
	const dense = 4096 // small sizes, the common case, are counted in an array
	var small [dense]int
	large := map[int]int{}
	for _, s := range sizes {
		if s < dense {
			small[s]++
		} else {
			large[int(s)]++
		}
	}
	var out []sizeFreq
	for s, c := range small {
		if c > 0 {
			out = append(out, sizeFreq{s, c})
		}
	}
	for s, c := range large {
		out = append(out, sizeFreq{s, c})
	}
	slices.SortFunc(out[len(out)-len(large):], func(a, b sizeFreq) int { return a.Size - b.Size })
	return out
}

// above reports whether a per-record risk of 1/size exceeds threshold.
func riskAbove(size int, threshold float64) bool { return 1/float64(size) > threshold }

// fillSample sets the figures that depend only on the sample's classes,
// including the prosecutor risk: the attacker knows the person is in the
// data, so a record in a class of size k is re-identified with chance 1/k.
func (r *RiskReport) fillSample(freqs []sizeFreq, threshold float64) {
	atRisk := 0
	for _, f := range freqs {
		r.Classes += f.Classes
		if f.Size == 1 {
			r.SampleUniques = f.Classes
		}
		if riskAbove(f.Size, threshold) {
			atRisk += f.Size * f.Classes
		}
	}
	r.MinClassSize = freqs[0].Size
	r.MaxClassSize = freqs[len(freqs)-1].Size
	n := float64(r.Records)
	r.AverageClassSize = n / float64(r.Classes)
	r.SampleUniqueness = float64(r.SampleUniques) / n
	r.Prosecutor = AttackerRisk{
		Basis:                 "sample",
		Highest:               1 / float64(r.MinClassSize),
		Average:               float64(r.Classes) / n,
		RecordsAtRisk:         atRisk,
		RecordsAtRiskFraction: float64(atRisk) / n,
		Threshold:             threshold,
	}
	r.ClassSizeHistogram = classSizeHistogram(freqs)
	r.RiskDistribution = riskDistribution(freqs, r.Records)
}

// fillAttackers sets journalist and marketer risk. The journalist targets
// a known person who may or may not be in the data, so the person hides
// among everyone in the population sharing the combination: risk 1/F with
// F the population class size. The marketer matches every record at once
// and succeeds on average on Σ f/F records, the same per-record chances
// summed; its highest and average are that success rate. Without a
// population table F is taken to be the sample class size, as ARX does,
// which is exact when the data are the whole population and cautious
// otherwise.
func (r *RiskReport) fillAttackers(pop *populationCounts, threshold float64) {
	if pop == nil {
		r.Journalist = r.Prosecutor
		r.Marketer = AttackerRisk{
			Basis:                 "sample",
			Highest:               r.Prosecutor.Average,
			Average:               r.Prosecutor.Average,
			RecordsAtRisk:         r.Prosecutor.RecordsAtRisk,
			RecordsAtRiskFraction: r.Prosecutor.RecordsAtRiskFraction,
			Threshold:             threshold,
		}
		return
	}
	n := float64(r.Records)
	var highest, expected float64
	atRisk := 0
	for _, c := range pop.shared {
		big := max(c.population, c.sample) // a population missing sampled people still holds them
		risk := 1 / float64(big)
		highest = max(highest, risk)
		expected += float64(c.sample) * risk
		if riskAbove(int(big), threshold) {
			atRisk += int(c.sample)
		}
	}
	r.Journalist = AttackerRisk{
		Basis:                 "population table",
		Highest:               highest,
		Average:               expected / n,
		RecordsAtRisk:         atRisk,
		RecordsAtRiskFraction: float64(atRisk) / n,
		Threshold:             threshold,
	}
	r.Marketer = r.Journalist
	r.Marketer.Highest = r.Journalist.Average
}

// classSizeBounds are the buckets of the class-size histogram.
var classSizeBounds = [][2]int{{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}, {6, 10}, {11, 20}, {21, 50}, {51, 100}, {101, 0}}

func classSizeHistogram(freqs []sizeFreq) []ClassSizeBucket {
	out := make([]ClassSizeBucket, len(classSizeBounds))
	for i, b := range classSizeBounds {
		label := fmt.Sprint(b[0])
		switch {
		case b[1] == 0:
			label = fmt.Sprintf("%d+", b[0])
		case b[1] != b[0]:
			label = fmt.Sprintf("%d-%d", b[0], b[1])
		}
		out[i] = ClassSizeBucket{Label: label, Min: b[0], Max: b[1]}
	}
	for _, f := range freqs {
		for i, b := range classSizeBounds {
			if f.Size >= b[0] && (b[1] == 0 || f.Size <= b[1]) {
				out[i].Classes += f.Classes
				out[i].Records += f.Classes * f.Size
				break
			}
		}
	}
	return out
}

// riskBands group records by the size k of their class, that is by their
// prosecutor risk 1/k, from the highest risk down.
var riskBands = []struct {
	minSize, maxSize int // maxSize 0: no upper bound
	label            string
}{
	{1, 1, "100%"},
	{2, 2, "50%"},
	{3, 4, "25-33%"},
	{5, 9, "11-20%"},
	{10, 19, "5.3-10%"},
	{20, 99, "1.0-5%"},
	{100, 0, "1% or less"},
}

func riskDistribution(freqs []sizeFreq, records int) []RiskBand {
	out := make([]RiskBand, len(riskBands))
	for i, b := range riskBands {
		out[i] = RiskBand{Label: b.label, High: 1 / float64(b.minSize)}
		if b.maxSize > 0 {
			out[i].Low = 1 / float64(b.maxSize)
		}
	}
	for _, f := range freqs {
		for i, b := range riskBands {
			if f.Size >= b.minSize && (b.maxSize == 0 || f.Size <= b.maxSize) {
				out[i].Records += f.Size * f.Classes
				break
			}
		}
	}
	for i := range out {
		out[i].Fraction = float64(out[i].Records) / float64(records)
	}
	return out
}
