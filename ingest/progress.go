package ingest

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progressStep is how many bytes pass between two progress calls, so the
// callback costs nothing measurable on fast reads.
const progressStep = 1 << 20

type progressReader struct {
	r         io.Reader
	n, last   int64
	total     int64
	fn        func(read, total int64)
	finalSent bool
}

func newProgressReader(r io.Reader, total int64, fn func(read, total int64)) *progressReader {
	if total <= 0 {
		total = -1
	}
	return &progressReader{r: r, total: total, fn: fn}
}

// ProgressReader reports through fn, about once a megabyte and at the end,
// how much of r has been read of total bytes (-1 or 0: unknown).
func ProgressReader(r io.Reader, total int64, fn func(read, total int64)) io.Reader {
	return newProgressReader(r, total, fn)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if p.n-p.last >= progressStep {
		p.last = p.n
		p.fn(p.n, p.total)
	}
	if err == io.EOF && !p.finalSent {
		p.finalSent = true
		p.fn(p.n, p.total)
	}
	return n, err
}

// TerminalProgress returns a progress callback for Options.Progress that
// draws a byte progress bar on standard error, and a function to call when
// reading is done. When standard error is not a terminal (a pipe, a log
// file, a service) both do nothing, so logs stay clean.
func TerminalProgress(description string) (progress func(read, total int64), done func()) {
	return newBarProgress(os.Stderr, term.IsTerminal(int(os.Stderr.Fd())), description)
}

func newBarProgress(w io.Writer, isTerminal bool, description string) (func(read, total int64), func()) {
	if !isTerminal {
		return func(int64, int64) {}, func() {}
	}
	var bar *progressbar.ProgressBar
	progress := func(read, total int64) {
		if bar == nil {
			// The bar is made on the first call because only then is the
			// total known; -1 gives a spinner for unknown sizes.
			bar = progressbar.NewOptions64(total,
				progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription(description),
				progressbar.OptionShowBytes(true),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish(),
			)
		}
		bar.Set64(read)
	}
	done := func() {
		if bar != nil {
			bar.Finish()
		}
	}
	return progress, done
}
