package anon

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
)

// LinkageOptions configures Linkage.
type LinkageOptions struct {
	// ColumnsA and ColumnsB restrict the columns that may be paired (for
	// example to each table's quasi-identifiers); nil means every column.
	ColumnsA, ColumnsB []string
	// MinJaccard is the least overlap of value sets, |A∩B| / |A∪B|, for two
	// differently named columns to count as the same attribute. Default 0.5.
	MinJaccard float64
	// NamesOnly pairs columns by name only.
	NamesOnly bool
}

// DefaultMinJaccard is LinkageOptions.MinJaccard's default.
const DefaultMinJaccard = 0.5

// ColumnPair is a column of table A and a column of table B taken to hold
// the same attribute.
type ColumnPair struct {
	A string `json:"a"`
	B string `json:"b"`
	// By is "name" when the names match (ignoring case, spaces and
	// punctuation) or "values" when their value sets overlap enough.
	By string `json:"by"`
	// Jaccard is the overlap of the two columns' value sets.
	Jaccard float64 `json:"jaccard"`
}

// LinkageReport says how exposed two tables are to being joined.
//
// Records are compared on the paired columns, by value. A record of A is
// re-identifiable when its combination of values is unique in A and held
// by exactly one record of B: joining the tables then ties it to that one
// record for certain. Such records come in pairs (the B record is unique
// in B and matched by exactly one record of A), so Reidentifiable counts
// both the records of A and the records of B that are re-identifiable.
type LinkageReport struct {
	Pairs    []ColumnPair `json:"pairs"`
	RecordsA int          `json:"records_a"`
	RecordsB int          `json:"records_b"`
	// MatchedA counts records of A whose combination occurs in B at all;
	// MatchedB the converse.
	MatchedA int `json:"matched_a"`
	MatchedB int `json:"matched_b"`
	// UniqueA counts records of A alone in A on the paired columns; UniqueB
	// the converse.
	UniqueA int `json:"unique_a"`
	UniqueB int `json:"unique_b"`
	// Reidentifiable is the number of re-identifiable records in each table.
	Reidentifiable          int     `json:"reidentifiable"`
	ReidentifiableFractionA float64 `json:"reidentifiable_fraction_a"`
	ReidentifiableFractionB float64 `json:"reidentifiable_fraction_b"`
}

// Linkage finds the attributes two tables share and counts the records
// that joining the tables on them would re-identify.
func Linkage(a, b *Table, opts LinkageOptions) (*LinkageReport, error) {
	if a == nil || b == nil {
		return nil, errors.New("linkage needs two tables")
	}
	if a.Rows == 0 || b.Rows == 0 {
		return nil, errors.New("linkage needs two tables with records")
	}
	if opts.MinJaccard < 0 || opts.MinJaccard > 1 || math.IsNaN(opts.MinJaccard) {
		return nil, fmt.Errorf("minimum Jaccard overlap %v is not between 0 and 1", opts.MinJaccard)
	}
	if opts.MinJaccard == 0 {
		opts.MinJaccard = DefaultMinJaccard
	}
	colsA, err := linkageColumns(a, opts.ColumnsA, "first")
	if err != nil {
		return nil, err
	}
	colsB, err := linkageColumns(b, opts.ColumnsB, "second")
	if err != nil {
		return nil, err
	}
	pairs := PairColumns(colsA, colsB, opts.MinJaccard, opts.NamesOnly)
	if len(pairs) == 0 {
		return nil, fmt.Errorf("the tables share no attributes: no column names match and no value sets overlap by %v or more", opts.MinJaccard)
	}

	codes := make([][]uint32, len(pairs))
	cards := make([]int, len(pairs))
	for i, p := range pairs {
		ca, _ := a.Column(p.A)
		cb, _ := b.Column(p.B)
		if codes[i], cards[i], err = jointCodes(ca, cb); err != nil {
			return nil, err
		}
	}
	both, err := countBoth(codes, cards, a.Rows)
	if err != nil {
		return nil, err
	}
	r := &LinkageReport{Pairs: pairs, RecordsA: a.Rows, RecordsB: b.Rows}
	for _, c := range both {
		if c.first > 0 && c.second > 0 {
			r.MatchedA += int(c.first)
			r.MatchedB += int(c.second)
		}
		if c.first == 1 {
			r.UniqueA++
		}
		if c.second == 1 {
			r.UniqueB++
		}
		if c.first == 1 && c.second == 1 {
			r.Reidentifiable++
		}
	}
	r.ReidentifiableFractionA = float64(r.Reidentifiable) / float64(a.Rows)
	r.ReidentifiableFractionB = float64(r.Reidentifiable) / float64(b.Rows)
	return r, nil
}

func linkageColumns(t *Table, names []string, which string) ([]*Column, error) {
	if names == nil {
		for _, c := range t.Columns {
			if len(c.Codes) != t.Rows {
				return nil, fmt.Errorf("%s table: column %q has %d values for %d rows", which, c.Name, len(c.Codes), t.Rows)
			}
		}
		return t.Columns, nil
	}
	cols, err := t.columnsNamed(names)
	if err != nil {
		return nil, fmt.Errorf("%s table: %w", which, err)
	}
	return cols, nil
}

// PairColumns pairs columns of two tables that hold the same attribute:
// first by name, ignoring case, spaces and punctuation, then (unless
// namesOnly) the remaining columns by the Jaccard overlap of their value
// sets, at least minJaccard, best overlap first. Ties go to the pair whose
// value frequencies are most alike, so that two yes/no columns are paired
// by how often each answer occurs. Each column is used at most once.
func PairColumns(a, b []*Column, minJaccard float64, namesOnly bool) []ColumnPair {
	// Value counts are computed once per column: pairing compares every
	// column of a with every column of b.
	valsA, valsB := make([]map[string]int, len(a)), make([]map[string]int, len(b))
	for i, c := range a {
		valsA[i] = usedValues(c)
	}
	for j, c := range b {
		valsB[j] = usedValues(c)
	}
	usedA, usedB := map[int]bool{}, map[int]bool{}
	var pairs []ColumnPair
	for i, ca := range a {
		for j, cb := range b {
			if !usedA[i] && !usedB[j] && normaliseName(ca.Name) == normaliseName(cb.Name) {
				usedA[i], usedB[j] = true, true
				pairs = append(pairs, ColumnPair{A: ca.Name, B: cb.Name, By: "name", Jaccard: valueJaccard(valsA[i], valsB[j])})
			}
		}
	}
	if namesOnly {
		return pairs
	}
	type candidate struct {
		i, j       int
		jac, alike float64
	}
	var cands []candidate
	for i := range a {
		if usedA[i] {
			continue
		}
		for j := range b {
			if usedB[j] {
				continue
			}
			if jac := valueJaccard(valsA[i], valsB[j]); jac >= minJaccard && jac > 0 {
				cands = append(cands, candidate{i, j, jac, frequencyOverlap(valsA[i], valsB[j])})
			}
		}
	}
	slices.SortStableFunc(cands, func(x, y candidate) int {
		return cmp.Or(cmp.Compare(y.jac, x.jac), cmp.Compare(y.alike, x.alike))
	})
	for _, c := range cands {
		if !usedA[c.i] && !usedB[c.j] {
			usedA[c.i], usedB[c.j] = true, true
			pairs = append(pairs, ColumnPair{A: a[c.i].Name, B: b[c.j].Name, By: "values", Jaccard: c.jac})
		}
	}
	return pairs
}

// normaliseName folds a column name to lower-case letters and digits, so
// "Marital Status" and "marital-status" are the same attribute.
func normaliseName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// usedValues returns the set of values rows of c actually hold, which can
// be fewer than its dictionary.
func usedValues(c *Column) map[string]int {
	counts := make([]int, len(c.Dict))
	for _, v := range c.Codes {
		if int(v) < len(counts) {
			counts[v]++
		}
	}
	out := make(map[string]int, len(c.Dict))
	for code, n := range counts {
		if n > 0 {
			out[c.Dict[code]] += n
		}
	}
	return out
}

func valueJaccard(va, vb map[string]int) float64 {
	inter := 0
	for v := range va {
		if _, ok := vb[v]; ok {
			inter++
		}
	}
	union := len(va) + len(vb) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// frequencyOverlap is 1 minus the total variation distance between two
// value distributions: 1 when values occur in the same proportions.
func frequencyOverlap(va, vb map[string]int) float64 {
	var na, nb float64
	for _, n := range va {
		na += float64(n)
	}
	for _, n := range vb {
		nb += float64(n)
	}
	var tv float64
	for v, n := range va {
		tv += math.Abs(float64(n)/na - float64(vb[v])/nb)
	}
	for v, n := range vb {
		if _, ok := va[v]; !ok {
			tv += float64(n) / nb
		}
	}
	return 1 - tv/2
}
