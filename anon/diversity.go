package anon

import "math"

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
	// 2 to the power of the lowest entropy (in bits) of a class, which is
	// the same number in any logarithm base.
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

// class returns class cl as the per-class measures take it: its size and
// its sensitive codes with their counts.
func (d *classDistributions) class(cl int) (size uint32, vals, cnts []uint32) {
	lo, hi := d.start[cl], d.start[cl+1]
	return d.sizes[cl], d.values[lo:hi], d.counts[lo:hi]
}

// classDiversity is the l-diversity of one class: the report's Diversity
// is its worst over all classes, and the search's l-diversity criteria
// compare the same figures (computed by the same functions) with their l.
type classDiversity struct {
	distinct   int
	entropyL   float64
	recursiveL int // the largest l of recursive (c,l)-diversity
}

// diversityOfClass measures one class; scratch is returned for reuse.
func diversityOfClass(size uint32, cnts []uint32, c float64, scratch []uint32) (classDiversity, []uint32) {
	m := classDiversity{distinct: len(cnts), entropyL: entropyToL(classEntropy(size, cnts))}
	m.recursiveL, scratch = recursiveLargestL(cnts, c, len(cnts), scratch)
	return m, scratch
}

func (d *classDistributions) diversity(sens *Column, c float64, l int) *Diversity {
	out := &Diversity{
		Column:    sens.Name,
		DistinctL: math.MaxInt,
		EntropyL:  math.Inf(1),
		Recursive: RecursiveDiversity{C: c, L: l, LargestL: math.MaxInt},
	}
	var scratch []uint32
	for cl := range d.sizes {
		size, _, cnts := d.class(cl)
		var m classDiversity
		m, scratch = diversityOfClass(size, cnts, c, scratch)
		out.DistinctL = min(out.DistinctL, m.distinct)
		if m.distinct == 1 {
			out.HomogeneousClasses++
			out.HomogeneousRecords += int(size)
		}
		out.EntropyL = min(out.EntropyL, m.entropyL)
		out.Recursive.LargestL = min(out.Recursive.LargestL, m.recursiveL)
		if m.recursiveL < l {
			out.Recursive.ClassesFailing++
		}
	}
	out.Recursive.Satisfied = out.Recursive.ClassesFailing == 0
	return out
}
