package anon

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Hierarchy builders. Each takes the distinct values to cover (typically a
// column's Dict) and returns a validated hierarchy whose top level is "*".

// IntervalHierarchy generalises numbers into intervals: level j groups
// values into intervals of widths[j-1], aligned at 0. Each width must be a
// multiple of the previous one, so that every interval lies inside exactly
// one interval of the next level. Integers get labels like "20-24"
// (inclusive); other numbers "[20,25)".
func IntervalHierarchy(attribute string, values []string, widths []float64) (*Hierarchy, error) {
	if len(widths) == 0 {
		return nil, fmt.Errorf("interval hierarchy %s: no widths given", attribute)
	}
	for j, w := range widths {
		if !(w > 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("interval hierarchy %s: width %g must be positive", attribute, w)
		}
		if j > 0 {
			r := w / widths[j-1]
			if math.Abs(r-math.Round(r)) > 1e-9 || r < 1 {
				return nil, fmt.Errorf("interval hierarchy %s: width %g is not a multiple of %g, so intervals would straddle", attribute, w, widths[j-1])
			}
		}
	}
	nums := make([]float64, len(values))
	integers := true
	for i, v := range values {
		x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("interval hierarchy %s: %q is not a number", attribute, v)
		}
		nums[i] = x
		if x != math.Trunc(x) {
			integers = false
		}
	}
	h := &Hierarchy{Attribute: attribute, Source: "interval hierarchy " + attribute}
	for i, v := range values {
		row := []string{v}
		for _, w := range widths {
			lo := math.Floor(nums[i]/w) * w
			if integers && w == math.Trunc(w) {
				row = append(row, fmt.Sprintf("%s-%s", fmtNum(lo), fmtNum(lo+w-1)))
			} else {
				row = append(row, fmt.Sprintf("[%s,%s)", fmtNum(lo), fmtNum(lo+w)))
			}
		}
		h.Rows = append(h.Rows, append(row, "*"))
	}
	return finish(h)
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// DateHierarchy generalises dates written in layout (time.Parse syntax):
// day → month (2006-01) → year (2006) → decade (1990s) → *.
func DateHierarchy(attribute string, values []string, layout string) (*Hierarchy, error) {
	h := &Hierarchy{Attribute: attribute, Source: "date hierarchy " + attribute}
	for _, v := range values {
		d, err := time.Parse(layout, strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("date hierarchy %s: %q is not a date in the form %s: %w", attribute, v, layout, err)
		}
		y := d.Year()
		h.Rows = append(h.Rows, []string{v, d.Format("2006-01"), strconv.Itoa(y), fmt.Sprintf("%ds", y-((y%10)+10)%10), "*"})
	}
	return finish(h)
}

// MaskHierarchy generalises codes by masking characters from the right:
// 12345 → 1234* → 123** → 12*** → 1**** → *. Codes of different lengths
// keep their length until the top, so "123" never merges with "12345".
func MaskHierarchy(attribute string, values []string) (*Hierarchy, error) {
	maxLen := 0
	for _, v := range values {
		maxLen = max(maxLen, utf8.RuneCountInString(v))
	}
	h := &Hierarchy{Attribute: attribute, Source: "masking hierarchy " + attribute}
	for _, v := range values {
		r := []rune(v)
		row := []string{v}
		for j := 1; j < maxLen; j++ {
			keep := max(len(r)-j, 0)
			row = append(row, string(r[:keep])+strings.Repeat("*", len(r)-keep))
		}
		h.Rows = append(h.Rows, append(row, "*"))
	}
	return finish(h)
}

// OrderedGroupHierarchy groups categories that have a natural order (for
// example education levels): level 1 joins sizes[0] consecutive values,
// level 2 joins sizes[1] consecutive level-1 groups, and so on. A group is
// labelled "first..last" (or the value itself when it holds one value).
func OrderedGroupHierarchy(attribute string, ordered []string, sizes []int) (*Hierarchy, error) {
	if len(sizes) == 0 {
		return nil, fmt.Errorf("ordered grouping %s: no group sizes given", attribute)
	}
	span := 1
	spans := make([]int, len(sizes))
	for j, s := range sizes {
		if s < 1 {
			return nil, fmt.Errorf("ordered grouping %s: group size %d must be at least 1", attribute, s)
		}
		span *= s
		spans[j] = span
	}
	h := &Hierarchy{Attribute: attribute, Source: "ordered grouping " + attribute}
	for i, v := range ordered {
		row := []string{v}
		for _, sp := range spans {
			lo := i / sp * sp
			hi := min(lo+sp, len(ordered)) - 1
			if lo == hi {
				row = append(row, ordered[lo])
			} else {
				row = append(row, ordered[lo]+".."+ordered[hi])
			}
		}
		h.Rows = append(h.Rows, append(row, "*"))
	}
	return finish(h)
}

func finish(h *Hierarchy) (*Hierarchy, error) {
	if len(h.Rows) == 0 {
		return nil, errors.New(h.Source + ": no values")
	}
	if err := h.Validate(); err != nil {
		return nil, err
	}
	return h, nil
}
