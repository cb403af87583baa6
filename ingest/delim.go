package ingest

import (
	"bufio"
)

// delimiters are the candidates, in the order preferred when two fit a
// file equally well.
var delimiters = []byte{';', ',', '\t', '|'}

const (
	sniffBytes   = 64 << 10
	sniffRecords = 100
)

// detectDelimiter looks at the first records of the input (without
// consuming them) and picks the candidate that splits the header into the
// most columns while giving every sampled record the same number of values.
func detectDelimiter(br *bufio.Reader) (byte, error) {
	sample, err := br.Peek(sniffBytes)
	truncated := err == nil // more input follows the sample
	if len(sample) == 0 {
		return 0, errEmpty()
	}
	best, bestCols, bestFit := byte(0), 1, -1.0
	for _, d := range delimiters {
		counts := countFields(sample, d, truncated)
		if len(counts) == 0 || counts[0] < 2 {
			continue
		}
		same := 0
		for _, n := range counts {
			if n == counts[0] {
				same++
			}
		}
		fit := float64(same) / float64(len(counts))
		if fit > bestFit || fit == bestFit && counts[0] > bestCols {
			best, bestCols, bestFit = d, counts[0], fit
		}
	}
	if best == 0 {
		return 0, parseErr(&ParseError{Line: 1},
			"could not detect the delimiter: the first line has no ';', ',', tab or '|' outside quotes",
			"give the delimiter explicitly (also for a file with a single column)")
	}
	return best, nil
}

// countFields returns the number of values in each record of sample when
// split on d, honouring quotes. Blank lines are skipped. When the sample is
// truncated its last, incomplete record is left out, unless it is the only
// one (a header longer than the sample still tells its delimiter).
func countFields(sample []byte, d byte, truncated bool) []int {
	var counts []int
	n, blank := 1, true
	inQuote, fieldStart := false, true
	for i := 0; i < len(sample) && len(counts) < sniffRecords; i++ {
		b := sample[i]
		if inQuote {
			if b == '"' {
				if i+1 < len(sample) && sample[i+1] == '"' {
					i++
				} else {
					inQuote = false
				}
			}
			continue
		}
		switch {
		case b == '"' && fieldStart:
			inQuote, fieldStart, blank = true, false, false
		case b == d:
			n++
			fieldStart, blank = true, false
		case b == '\n':
			if !blank {
				counts = append(counts, n)
			}
			n, blank, fieldStart = 1, true, true
		case b == '\r':
		default:
			fieldStart, blank = false, false
		}
	}
	if !blank && (!truncated || len(counts) == 0) {
		counts = append(counts, n)
	}
	return counts
}
