// Package synth generates synthetic data for tests, benchmarks and
// training. Its Adult generator produces rows shaped like the UCI Adult
// data set: the same columns, values and marginals, and the strongest
// correlations, but new combinations, so that large samples have the
// unique records real data of that size would have (copies of the 30,162
// Adult rows would make every large table trivially k-anonymous).
package synth

//go:generate go run ./internal/gentables -in ../anon/testdata/adult/adult.csv -out adult_tables.go

import (
	"bufio"
	"fmt"
	"io"
	"math/bits"
	"math/rand/v2"

	"github.com/accord-coalition/accord/anon"
)

// AdultColumns are the columns of the Adult data set, in file order.
var AdultColumns = []string{"sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation", "salary-class"}

const (
	colSex = iota
	colAge
	colRace
	colMarital
	colEducation
	colCountry
	colWorkclass
	colOccupation
	colSalary
	numCols
)

// Adult returns a table of rows synthetic Adult records generated from
// seed. The same rows and seed always give the same table, which is also
// the table read back from WriteAdultCSV's output with anon.TableBuilder:
// dictionaries list values in order of first appearance.
func Adult(rows int, seed int64) *anon.Table {
	rows = max(rows, 0)
	g := newAdultGen(seed)
	codes := make([][]uint32, numCols)
	for c := range codes {
		codes[c] = make([]uint32, rows)
	}
	var row [numCols]uint16
	for r := range rows {
		g.next(&row)
		for c, v := range row {
			codes[c][r] = uint32(v)
		}
	}
	t := &anon.Table{Rows: rows}
	for c, name := range AdultColumns {
		t.Columns = append(t.Columns, firstAppearance(name, adultDicts[c], codes[c]))
	}
	return t
}

// firstAppearance re-codes a column so that its dictionary holds only the
// values used, in the order rows first use them.
func firstAppearance(name string, dict []string, codes []uint32) *anon.Column {
	remap := make([]uint32, len(dict))
	col := &anon.Column{Name: name, Codes: codes}
	for i, v := range codes {
		if remap[v] == 0 {
			col.Dict = append(col.Dict, dict[v])
			remap[v] = uint32(len(col.Dict))
		}
		codes[i] = remap[v] - 1
	}
	return col
}

// WriteAdultCSV writes a header and rows synthetic Adult records generated
// from seed, semicolon-separated like adult.csv, without holding them in
// memory.
func WriteAdultCSV(w io.Writer, rows int, seed int64) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	for i, name := range AdultColumns {
		if i > 0 {
			bw.WriteByte(';')
		}
		bw.WriteString(name)
	}
	bw.WriteByte('\n')
	g := newAdultGen(seed)
	var row [numCols]uint16
	for range max(rows, 0) {
		g.next(&row)
		for c, v := range row {
			if c > 0 {
				bw.WriteByte(';')
			}
			bw.WriteString(adultDicts[c][v])
		}
		if err := bw.WriteByte('\n'); err != nil {
			return fmt.Errorf("write synthetic Adult rows: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write synthetic Adult rows: %w", err)
	}
	return nil
}

// adultGen draws rows as a small Bayesian network fitted to Adult:
//
//  1. (sex, salary-class, education, occupation, workclass, age decade)
//     jointly, as in a real row: the strongest correlations (education and
//     occupation with salary, occupation with sex and workclass) are kept
//     exactly;
//  2. the age within its decade, from Adult's ages in that decade;
//  3. marital status given sex, age decade and salary-class;
//  4. (race, native-country) jointly, independently of the rest.
//
// Steps 2 to 4 recombine values across real rows, which is what creates
// new combinations and hence unique records in large samples.
type adultGen struct {
	rng         *rand.PCG
	templates   weighted
	raceCountry weighted
	ages        map[uint32]*weighted // by decade
	marital     map[uint32]*weighted // by maritalContext
}

// The tables are parsed once; generators share them read-only.
var (
	adultTemplates    = newWeightedPairs(adultTemplatesRaw)
	adultRaceCountryW = newWeightedPairs(adultRaceCountryRaw)
	adultAgesW        = newWeightedGroups(adultAges)
	adultMaritalW     = newWeightedGroups(adultMarital)
)

func newAdultGen(seed int64) *adultGen {
	return &adultGen{
		// The second PCG word is fixed so that a seed alone names a stream.
		rng:         rand.NewPCG(uint64(seed), 0x41647531744163),
		templates:   adultTemplates,
		raceCountry: adultRaceCountryW,
		ages:        adultAgesW,
		marital:     adultMaritalW,
	}
}

func (g *adultGen) next(row *[numCols]uint16) {
	t := g.templates.draw(g.rng)
	sex, salary := t&1, t>>1&1
	decade := t >> 16
	row[colSex] = uint16(sex)
	row[colSalary] = uint16(salary)
	row[colEducation] = uint16(t >> 2 & 31)
	row[colOccupation] = uint16(t >> 7 & 31)
	row[colWorkclass] = uint16(t >> 12 & 15)
	row[colAge] = uint16(g.ages[decade].draw(g.rng))
	row[colMarital] = uint16(g.marital[maritalContext(sex, decade, salary)].draw(g.rng))
	rc := g.raceCountry.draw(g.rng)
	row[colRace] = uint16(rc >> 8)
	row[colCountry] = uint16(rc & 0xff)
}

// maritalContext must agree with the function of the same name in
// internal/gentables.
func maritalContext(sex, decade, salary uint32) uint32 { return (sex*10+decade)*2 + salary }

// weighted draws values with probability proportional to their counts, by
// binary search over cumulative counts.
type weighted struct {
	values []uint32
	cum    []uint64
}

func (w *weighted) add(v uint32, count uint64) {
	total := count
	if n := len(w.cum); n > 0 {
		total += w.cum[n-1]
	}
	w.values = append(w.values, v)
	w.cum = append(w.cum, total)
}

// draw maps a uniform 64-bit number onto [0, total) by multiplication
// (Lemire's method without the rejection step: the bias is below 2^-40 for
// these totals), which unlike rand.IntN is fixed by this code, so a seed
// gives the same rows in every Go release.
func (w *weighted) draw(rng *rand.PCG) uint32 {
	hi, _ := bits.Mul64(rng.Uint64(), w.cum[len(w.cum)-1])
	lo, up := 0, len(w.cum)
	for lo < up {
		mid := int(uint(lo+up) >> 1)
		if w.cum[mid] <= hi {
			lo = mid + 1
		} else {
			up = mid
		}
	}
	return w.values[lo]
}

func newWeightedPairs(pairs []uint32) weighted {
	var w weighted
	for i := 0; i+1 < len(pairs); i += 2 {
		w.add(pairs[i], uint64(pairs[i+1]))
	}
	return w
}

func newWeightedGroups(rows [][3]uint16) map[uint32]*weighted {
	out := map[uint32]*weighted{}
	for _, r := range rows {
		w := out[uint32(r[0])]
		if w == nil {
			w = &weighted{}
			out[uint32(r[0])] = w
		}
		w.add(uint32(r[1]), uint64(r[2]))
	}
	return out
}
