package anon

import "fmt"

// populationCounts holds, for each combination of quasi-identifiers found
// in the sample, its count in the sample and in the population table.
type populationCounts struct {
	shared  []populationClass
	uniques int // combinations held by exactly one person in the population
	records int
}

type populationClass struct{ sample, population uint32 }

// countInPopulation matches the sample's quasi-identifier combinations with
// a population table by value (the tables have separate dictionaries).
func countInPopulation(sample, pop *Table, qis []*Column) (*populationCounts, error) {
	if pop.Rows == 0 {
		return nil, fmt.Errorf("the population table has no records")
	}
	codes := make([][]uint32, len(qis))
	cards := make([]int, len(qis))
	for i, q := range qis {
		pc, _ := pop.Column(q.Name)
		if pc == nil {
			return nil, fmt.Errorf("the population table has no column %q (columns: %v)", q.Name, pop.Names())
		}
		if len(pc.Codes) != pop.Rows {
			return nil, fmt.Errorf("population column %q has %d values for %d rows", pc.Name, len(pc.Codes), pop.Rows)
		}
		var err error
		if codes[i], cards[i], err = jointCodes(q, pc); err != nil {
			return nil, err
		}
	}
	both, err := countBoth(codes, cards, sample.Rows)
	if err != nil {
		return nil, err
	}
	out := &populationCounts{records: pop.Rows}
	for _, c := range both {
		if c.second == 1 {
			out.uniques++
		}
		if c.first > 0 {
			out.shared = append(out.shared, populationClass{sample: c.first, population: c.second})
		}
	}
	return out, nil
}
