package anon

import (
	"math"
	"slices"
)

// classDistributions holds, for every equivalence class, the counts of the
// values of a sensitive column: class c has counts[start[c]:start[c+1]]
// of the codes values[start[c]:start[c+1]].
type classDistributions struct {
	sizes          []uint32
	start          []uint32
	values, counts []uint32
	overall        []uint32 // count of each code in the whole table
	records        int
}

// distributionsOf groups by the quasi-identifiers and the sensitive column
// at once: with the sensitive code as the last (lowest) key digit, the
// runs of a class are adjacent and the class sizes fall out as their sums.
func distributionsOf(qis []*Column, sens *Column) (*classDistributions, error) {
	codes, cards := codesOf(append(qis[:len(qis):len(qis)], sens))
	keys, counts, err := countKeys(codes, cards)
	if err != nil {
		return nil, err
	}
	card := uint64(cards[len(cards)-1])
	d := &classDistributions{
		values:  make([]uint32, len(keys)),
		counts:  counts,
		overall: make([]uint32, card),
		records: len(sens.Codes),
	}
	for i, k := range keys {
		if i == 0 || keys[i-1]/card != k/card {
			d.start = append(d.start, uint32(i))
			d.sizes = append(d.sizes, 0)
		}
		v := uint32(k % card)
		d.values[i] = v
		d.sizes[len(d.sizes)-1] += counts[i]
		d.overall[v] += counts[i]
	}
	d.start = append(d.start, uint32(len(keys)))
	return d, nil
}

// Diversity measures how well each class hides its members' sensitive
// values (l-diversity, Machanavajjhala et al. 2007). Each figure is the
// worst over all classes.
type Diversity struct {
	Column string `json:"column"`
	// DistinctL is the fewest distinct sensitive values in a class.
	DistinctL int `json:"distinct_l"`
	// EntropyL is the largest l for which the data are entropy l-diverse:
	// e to the power of the lowest entropy (natural log) of a class.
	EntropyL float64 `json:"entropy_l"`
	// HomogeneousClasses and HomogeneousRecords count the classes (and their
	// records) in which everyone has the same sensitive value, so that
	// knowing someone's class reveals it.
	HomogeneousClasses int                `json:"homogeneous_classes"`
	HomogeneousRecords int                `json:"homogeneous_records"`
	Recursive          RecursiveDiversity `json:"recursive"`
}

// RecursiveDiversity is recursive (c,l)-diversity: with a class's value
// counts r1 ≥ r2 ≥ … ≥ rm, the class satisfies it when r1 < c·(rl + … + rm).
type RecursiveDiversity struct {
	C              float64 `json:"c"`
	L              int     `json:"l"`
	Satisfied      bool    `json:"satisfied"`
	ClassesFailing int     `json:"classes_failing"`
	// LargestL is the largest l for which every class satisfies (c,l) with
	// this c, or 0 when even l = 1 fails.
	LargestL int `json:"largest_l"`
}

func (d *classDistributions) diversity(sens *Column, c float64, l int) *Diversity {
	out := &Diversity{
		Column:    sens.Name,
		DistinctL: math.MaxInt,
		EntropyL:  math.Inf(1),
		Recursive: RecursiveDiversity{C: c, L: l, LargestL: math.MaxInt},
	}
	var sorted []uint32
	for cl := range d.sizes {
		cnt := d.counts[d.start[cl]:d.start[cl+1]]
		size := float64(d.sizes[cl])
		out.DistinctL = min(out.DistinctL, len(cnt))
		if len(cnt) == 1 {
			out.HomogeneousClasses++
			out.HomogeneousRecords += int(d.sizes[cl])
		}
		var h float64
		for _, n := range cnt {
			p := float64(n) / size
			h -= p * math.Log(p)
		}
		out.EntropyL = min(out.EntropyL, math.Exp(h))

		sorted = append(sorted[:0], cnt...)
		slices.Sort(sorted)
		slices.Reverse(sorted)
		largest := recursiveLargestL(sorted, c)
		out.Recursive.LargestL = min(out.Recursive.LargestL, largest)
		if largest < l {
			out.Recursive.ClassesFailing++
		}
	}
	out.Recursive.Satisfied = out.Recursive.ClassesFailing == 0
	return out
}

// recursiveLargestL returns the largest l with r1 < c·(rl + … + rm) for
// counts sorted in descending order. The tail sum shrinks as l grows, so
// the condition holds for every l up to the answer and none after it.
func recursiveLargestL(desc []uint32, c float64) int {
	tail := 0.0
	for _, n := range desc {
		tail += float64(n)
	}
	r1 := float64(desc[0])
	largest := 0
	for l := 1; l <= len(desc); l++ {
		if r1 < c*tail {
			largest = l
		} else {
			break
		}
		tail -= float64(desc[l-1])
	}
	return largest
}
