package ingest

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/accord-coalition/accord/anon"
)

// ColumnSuggestion is the suggested type and class of one column, with the
// reasons in plain words. Reasons never quote values, so a suggestion can
// be logged or shown to anyone who may see the schema.
type ColumnSuggestion struct {
	Name       string     `json:"name"`
	Type       ColumnType `json:"type"`
	DateFormat string     `json:"date_format,omitempty"` // e.g. "dd/mm/yyyy", when Type is date
	Class      string     `json:"class"`
	Confidence float64    `json:"confidence"` // 0–1: how strongly the evidence points to Class
	Reasons    []string   `json:"reasons"`    // the deciding reason first
	Rows       int        `json:"rows"`
	Missing    int        `json:"missing"`             // empty or NA-like values
	Distinct   int        `json:"distinct"`            // distinct non-missing values
	Estimated  bool       `json:"estimated,omitempty"` // Distinct is an estimate
}

// Memory bounds for profiling: the distinct values kept exactly per
// column, beyond which counting switches to an estimate; the same number
// of values are examined by the detectors.
const profileValues = 20000

type valueCount struct {
	v string
	n int
}

// colProfile is what the analysis needs of a column, however it was read.
type colProfile struct {
	name      string
	rows      int
	missing   int
	distinct  int
	estimated bool
	values    []valueCount // non-missing values with counts; maybe a sample
}

// Suggest suggests a type and class for each column from the given rows
// (all of them or a sample).
func Suggest(header []string, rows [][]string) []ColumnSuggestion {
	p := NewProfiler(header)
	for _, r := range rows {
		p.Add(r)
	}
	return p.Suggestions()
}

// SuggestReader profiles every record of r in bounded memory.
func SuggestReader(ctx context.Context, r Reader) ([]ColumnSuggestion, error) {
	p := NewProfiler(r.Header())
	for n := 0; ; n++ {
		if n%ctxCheckRows == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("suggest: %w", err)
			}
		}
		rec, err := r.Next()
		if err == io.EOF {
			return p.Suggestions(), nil
		}
		if err != nil {
			return nil, err
		}
		p.Add(rec)
	}
}

// SuggestTable suggests from a table already in memory; the dictionary
// gives exact distinct counts cheaply.
func SuggestTable(t *anon.Table) []ColumnSuggestion {
	out := make([]ColumnSuggestion, len(t.Columns))
	for i, c := range t.Columns {
		counts := make([]int, len(c.Dict))
		for _, code := range c.Codes {
			counts[code]++
		}
		p := colProfile{name: c.Name, rows: t.Rows}
		for code, v := range c.Dict {
			n := counts[code]
			switch {
			case n == 0:
			case isMissing(v):
				p.missing += n
			default:
				p.distinct++
				if len(p.values) < profileValues {
					p.values = append(p.values, valueCount{v, n})
				}
			}
		}
		out[i] = analyse(p)
	}
	return out
}

// Profiler gathers column profiles from a stream of records in bounded
// memory: up to profileValues distinct values per column are counted
// exactly, after which distinct counts are estimated.
type Profiler struct {
	header []string
	cols   []colAcc
	rows   int
}

type colAcc struct {
	counts  map[string]int
	missing int
	hll     *hll // set once counts is full
}

// NewProfiler starts profiling columns with the given names.
func NewProfiler(header []string) *Profiler {
	p := &Profiler{header: header, cols: make([]colAcc, len(header))}
	for i := range p.cols {
		p.cols[i].counts = make(map[string]int)
	}
	return p
}

// Add profiles one record. Values beyond the header are ignored and
// missing ones count as empty.
func (p *Profiler) Add(rec []string) {
	p.rows++
	for i := range p.cols {
		c := &p.cols[i]
		v := ""
		if i < len(rec) {
			v = rec[i]
		}
		if isMissing(v) {
			c.missing++
			continue
		}
		if n, ok := c.counts[v]; ok {
			c.counts[v] = n + 1
			continue
		}
		if c.hll == nil && len(c.counts) < profileValues {
			// Clone: v may share memory with the whole record.
			c.counts[strings.Clone(v)] = 1
			continue
		}
		if c.hll == nil {
			c.hll = newHLL()
			for k := range c.counts {
				c.hll.add(k)
			}
		}
		c.hll.add(v)
	}
}

// Suggestions returns the suggestion for every column.
func (p *Profiler) Suggestions() []ColumnSuggestion {
	out := make([]ColumnSuggestion, len(p.cols))
	for i, c := range p.cols {
		prof := colProfile{name: p.header[i], rows: p.rows, missing: c.missing, distinct: len(c.counts)}
		if c.hll != nil {
			prof.distinct, prof.estimated = max(c.hll.estimate(), len(c.counts)), true
		}
		for v, n := range c.counts {
			prof.values = append(prof.values, valueCount{v, n})
		}
		// Map order is random; sorting keeps results reproducible.
		sort.Slice(prof.values, func(a, b int) bool { return prof.values[a].v < prof.values[b].v })
		out[i] = analyse(prof)
	}
	return out
}
