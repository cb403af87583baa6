package ingest

import (
	"bytes"
	"io"
)

// readQuoted parses a record that contains quotes, reading further lines
// while a quoted value spans line breaks. Values are unquoted into c.rec.
func (c *CSVReader) readQuoted(line []byte) ([][]byte, error) {
	c.rec, c.ends = c.rec[:0], c.ends[:0]
	lineNo := c.recLine
	body := trimEOL(line)
	hasEOL := len(body) < len(line)
	pos := 0
	for {
		col := len(c.ends) + 1
		if col > c.maxCols {
			return nil, c.tooManyColumns(lineNo)
		}
		if pos < len(body) && body[pos] == '"' {
			openLine := lineNo
			pos++
			for {
				i := bytes.IndexByte(body[pos:], '"')
				if i >= 0 {
					c.rec = append(c.rec, body[pos:pos+i]...)
					pos += i + 1
					if pos < len(body) && body[pos] == '"' { // doubled quote
						c.rec = append(c.rec, '"')
						pos++
						continue
					}
					break
				}
				// The quoted value goes on past this line: keep the line
				// break as part of the value and read on.
				c.rec = append(c.rec, body[pos:]...)
				if !hasEOL {
					return nil, c.unclosedQuote(openLine, col)
				}
				c.rec = append(c.rec, '\n')
				if len(c.rec) > c.maxRec {
					return nil, c.tooLong(nil, c.recLine)
				}
				next, err := c.lr.next()
				if err == io.EOF {
					return nil, c.unclosedQuote(openLine, col)
				}
				if err == errLineTooLong {
					return nil, c.tooLong(nil, c.lr.line+1)
				}
				if err != nil {
					return nil, err
				}
				lineNo = c.lr.line
				body = trimEOL(next)
				hasEOL = len(body) < len(next)
				pos = 0
			}
			c.ends = append(c.ends, len(c.rec))
			if pos == len(body) {
				break
			}
			if body[pos] != c.comma {
				return nil, parseErr(&ParseError{Line: lineNo, Column: col, ColumnName: c.name(col)},
					"unexpected text after the closing quote of a quoted value",
					`a quote inside a quoted value must be doubled ("")`)
			}
			pos++
			continue
		}
		i := bytes.IndexByte(body[pos:], c.comma)
		if i < 0 {
			c.rec = append(c.rec, body[pos:]...)
			c.ends = append(c.ends, len(c.rec))
			break
		}
		c.rec = append(c.rec, body[pos:pos+i]...)
		c.ends = append(c.ends, len(c.rec))
		pos += i + 1
	}
	if len(c.rec) > c.maxRec {
		return nil, c.tooLong(nil, c.recLine)
	}
	c.fields = c.fields[:0]
	start := 0
	for _, e := range c.ends {
		c.fields = append(c.fields, c.rec[start:e])
		start = e
	}
	if err := c.checkUTF8(c.fields, c.recLine); err != nil {
		return nil, err
	}
	return c.fields, nil
}
