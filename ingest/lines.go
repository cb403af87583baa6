package ingest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// errLineTooLong is returned by lineReader.next for a line over the limit.
var errLineTooLong = errors.New("line too long")

// lineReader hands out physical lines (with their '\n') from a bufio.Reader.
// Lines that fit the buffer are returned without copying; longer ones are
// gathered in acc, which never grows much beyond max, so one huge line
// cannot exhaust memory.
type lineReader struct {
	br   *bufio.Reader
	line int // physical lines returned so far
	max  int
	n    int64 // bytes returned so far
	acc  []byte
}

// next returns the next line, valid until the following call, or io.EOF.
func (l *lineReader) next() ([]byte, error) {
	b, err := l.br.ReadSlice('\n')
	switch err {
	case nil:
	case io.EOF:
		if len(b) == 0 {
			return nil, io.EOF
		}
	case bufio.ErrBufferFull:
		l.acc = append(l.acc[:0], b...)
		for err == bufio.ErrBufferFull {
			if len(l.acc) > l.max {
				return l.acc, errLineTooLong
			}
			b, err = l.br.ReadSlice('\n')
			l.acc = append(l.acc, b...)
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("read line %d: %w", l.line+1, err)
		}
		b = l.acc
	default:
		return nil, fmt.Errorf("read line %d: %w", l.line+1, err)
	}
	if len(b) > l.max {
		return b, errLineTooLong
	}
	l.line++
	l.n += int64(len(b))
	return b, nil
}

// trimEOL strips a trailing "\n" or "\r\n", or a lone '\r' ending the
// last line of the input (as encoding/csv does).
func trimEOL(b []byte) []byte {
	n := len(b)
	if n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}
