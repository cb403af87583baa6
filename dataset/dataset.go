// Package dataset imports tables into a node and reads them back: rows are
// streamed from a file, profiled for classification suggestions, and stored
// in chunks sealed under the dataset's own data key, so a dataset can be
// crypto-shredded by destroying one key.
package dataset

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/anon"
	"github.com/accord-coalition/accord/envelope"
	"github.com/accord-coalition/accord/ingest"
	"golang.org/x/sync/singleflight"
)

// DefaultChunkRows is how many rows one sealed chunk holds: large enough to
// amortise sealing, small enough to stream a huge file in little memory.
const DefaultChunkRows = 8192

// Service imports and reads datasets.
type Service struct {
	Store     accord.Store
	Keyring   *envelope.Keyring
	Now       func() time.Time
	ChunkRows int

	mu      sync.Mutex
	filters map[[2]string]*cachedFilter // (dataset, purpose) → withheld subjects
	flight  singleflight.Group          // reads of a stale or missing filter
}

// ImportRequest describes a dataset being imported.
type ImportRequest struct {
	ID             string // slug; generated when empty
	OrganisationID string
	Name           string
	Format         string
	CreatedBy      string
}

// Import streams every record of r into a new dataset. Either the whole
// dataset is stored or, on any error, nothing is (its data key included).
func (s *Service) Import(ctx context.Context, req ImportRequest, r ingest.Reader) (*accord.Dataset, error) {
	if req.ID == "" {
		req.ID = accord.NewID("ds")
	} else if !accord.ValidSlug(req.ID) {
		return nil, accord.Errorf(accord.EINVALID, "dataset id %q must be 2-63 lowercase letters, digits or '-', starting with a letter", req.ID)
	}
	if strings.TrimSpace(req.Name) == "" {
		req.Name = req.ID
	}
	if _, err := s.Store.Dataset(ctx, req.ID); err == nil {
		return nil, accord.Errorf(accord.ECONFLICT, "dataset %q already exists", req.ID)
	}
	d := &accord.Dataset{ID: req.ID, OrganisationID: req.OrganisationID, Name: req.Name, Format: req.Format,
		CreatedBy: req.CreatedBy, CreatedAt: s.now()}
	if err := s.Keyring.Create(ctx, d.DataKeyID()); err != nil {
		return nil, fmt.Errorf("create data key: %w", err)
	}
	err := s.Store.ImportDataset(ctx, d.ID, func(w accord.ChunkWriter) (*accord.Dataset, error) {
		return d, s.fill(ctx, d, r, w)
	})
	if err != nil {
		// The rows never landed; the key would seal nothing.
		if derr := s.Keyring.Destroy(context.WithoutCancel(ctx), d.DataKeyID()); derr != nil && accord.ErrorCode(derr) != accord.ENOTFOUND {
			err = errors.Join(err, derr)
		}
		return nil, err
	}
	return d, nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now().UTC()
}

func (s *Service) fill(ctx context.Context, d *accord.Dataset, r ingest.Reader, w accord.ChunkWriter) error {
	header := r.Header()
	prof := ingest.NewProfiler(header)
	rowsPer := s.ChunkRows
	if rowsPer <= 0 {
		rowsPer = DefaultChunkRows
	}
	sum := sha256.New()
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	inChunk := 0
	flush := func() error {
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("encode chunk: %w", err)
		}
		if inChunk == 0 {
			return nil
		}
		sum.Write(buf.Bytes())
		sealed, err := s.Keyring.Seal(ctx, d.DataKeyID(), buf.Bytes(), chunkAAD(d.ID, d.Chunks))
		if err != nil {
			return err
		}
		if err := w.WriteChunk(ctx, d.Chunks, sealed); err != nil {
			return err
		}
		d.Chunks++
		buf.Reset()
		inChunk = 0
		return nil
	}
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		prof.Add(rec)
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("encode row: %w", err)
		}
		d.Rows++
		if inChunk++; inChunk == rowsPer {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	d.SHA256 = hex.EncodeToString(sum.Sum(nil))
	for _, sg := range prof.Suggestions() {
		d.Columns = append(d.Columns, accord.DatasetColumn{Name: sg.Name, Type: string(sg.Type), Suggested: sg.Class,
			Reasons: sg.Reasons, Confidence: sg.Confidence, Distinct: sg.Distinct, Missing: sg.Missing})
	}
	if len(d.Columns) != len(header) {
		// A profile per header column is the profiler's contract.
		return fmt.Errorf("profiled %d columns of %d", len(d.Columns), len(header))
	}
	return nil
}

// chunkAAD binds a sealed chunk to its dataset and position, so chunks
// cannot be swapped between datasets or reordered unnoticed.
func chunkAAD(id string, index int) []byte {
	return fmt.Appendf(nil, "dataset:%s/chunk:%d", id, index)
}

// Rows calls fn with every row of d, in order. The slice is reused.
func (s *Service) Rows(ctx context.Context, d *accord.Dataset, fn func(rec []string) error) error {
	return s.chunks(ctx, d, func(index int, _ []byte, cr *csv.Reader) error {
		_, err := records(d, index, cr, fn)
		return err
	})
}

// chunks opens every chunk of d in order and hands over its sealed bytes
// and a reader of its rows.
func (s *Service) chunks(ctx context.Context, d *accord.Dataset, fn func(index int, sealed []byte, cr *csv.Reader) error) error {
	want := 0
	return s.Store.DatasetChunks(ctx, d.ID, func(index int, sealed []byte) error {
		if index != want {
			return fmt.Errorf("dataset %s: chunk %d is missing", d.ID, want)
		}
		want++
		plain, err := s.Keyring.Open(ctx, d.DataKeyID(), sealed, chunkAAD(d.ID, index))
		if err != nil {
			return fmt.Errorf("dataset %s chunk %d: %w", d.ID, index, err)
		}
		cr := csv.NewReader(bytes.NewReader(plain))
		cr.ReuseRecord = true
		cr.FieldsPerRecord = len(d.Columns)
		return fn(index, sealed, cr)
	})
}

// records calls fn with every row of one chunk and returns how many there
// were.
func records(d *accord.Dataset, index int, cr *csv.Reader, fn func(rec []string) error) (int, error) {
	n := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("dataset %s chunk %d: %w", d.ID, index, err)
		}
		n++
		if err := fn(rec); err != nil {
			return n, err
		}
	}
}

// Table loads d (optionally only some columns) into a columnar table.
func (s *Service) Table(ctx context.Context, d *accord.Dataset, columns ...string) (*anon.Table, error) {
	t, _, err := s.table(ctx, d, nil, 0, columns)
	return t, err
}

// TableForPurpose loads d for a use under purpose, without the rows of
// subjects whose consent for that purpose is missing, withdrawn or expired.
// It returns how many rows were withheld. A dataset without a confirmed
// subject column, or whose subjects were never registered, withholds none.
func (s *Service) TableForPurpose(ctx context.Context, d *accord.Dataset, purpose string, columns ...string) (*anon.Table, int, error) {
	f, subject, err := s.purposeFilter(ctx, d, purpose)
	if err != nil {
		return nil, 0, err
	}
	return s.table(ctx, d, f, subject, columns)
}

// RowsForPurpose streams the rows of d that TableForPurpose would load,
// with the given columns in that order, to fn (the slice is reused), one
// sealed chunk in memory at a time, and returns how many rows were
// withheld. An error from fn stops it and is returned.
func (s *Service) RowsForPurpose(ctx context.Context, d *accord.Dataset, purpose string, columns []string, fn func(row []string) error) (int, error) {
	f, subject, err := s.purposeFilter(ctx, d, purpose)
	if err != nil {
		return 0, err
	}
	_, idx, err := columnIndexes(d, columns)
	if err != nil {
		return 0, err
	}
	return s.scan(ctx, d, f, subject, idx, fn)
}

// columnIndexes returns the names of the columns to read (all when none
// are given) and their positions in d's rows.
func columnIndexes(d *accord.Dataset, columns []string) ([]string, []int, error) {
	names := columns
	if len(names) == 0 {
		for _, c := range d.Columns {
			names = append(names, c.Name)
		}
	}
	idx := make([]int, len(names))
	for i, n := range names {
		idx[i] = slices.IndexFunc(d.Columns, func(c accord.DatasetColumn) bool { return c.Name == n })
		if idx[i] < 0 {
			return nil, nil, accord.Errorf(accord.EINVALID, "dataset %s has no column %q", d.ID, n)
		}
	}
	return names, idx, nil
}

// table loads d, without the rows f withholds (judged on the subject
// column at index subject) if f is not nil, and returns how many rows
// were withheld.
func (s *Service) table(ctx context.Context, d *accord.Dataset, f *cachedFilter, subject int, columns []string) (*anon.Table, int, error) {
	names, idx, err := columnIndexes(d, columns)
	if err != nil {
		return nil, 0, err
	}
	b := anon.NewTableBuilder(names)
	withheld, err := s.scan(ctx, d, f, subject, idx, b.Append)
	if err != nil {
		return nil, 0, err
	}
	return b.Table(), withheld, nil
}

// scan calls emit with the columns idx of every row of d, without the rows
// f withholds (judged on the subject column at index subject) if f is not
// nil, and returns how many rows were withheld. The slice is reused.
func (s *Service) scan(ctx context.Context, d *accord.Dataset, f *cachedFilter, subject int, idx []int, emit func(row []string) error) (int, error) {
	row := make([]string, len(idx))
	add := func(rec []string) error {
		for i, j := range idx {
			row[i] = rec[j]
		}
		return emit(row)
	}
	withheld := 0
	var keys, fields []string
	err := s.chunks(ctx, d, func(index int, sealed []byte, cr *csv.Reader) error {
		if f == nil {
			_, err := records(d, index, cr, add)
			return err
		}
		id := idOf(sealed)
		if r, ok := f.resolved(index, id, subject); ok {
			i, next := 0, 0
			n, err := records(d, index, cr, func(rec []string) error {
				if next < len(r.dropped) && int(r.dropped[next]) == i {
					i, next = i+1, next+1
					return nil
				}
				i++
				return add(rec)
			})
			if err != nil {
				return err
			}
			if n != r.rows {
				// The same sealed bytes cannot hold other rows; refuse
				// rather than trust positions that no longer fit.
				return fmt.Errorf("dataset %s chunk %d: %d rows where %d were read before", d.ID, index, n, r.rows)
			}
			withheld += len(r.dropped)
			return nil
		}
		// Rows are looked up lookupBatch at a time, their values held
		// until the batch's answer is known: appending a withheld row
		// first would put its values in the table's dictionaries.
		var dropped []uint32
		n := 0 // rows of the chunk looked up so far
		keys, fields = keys[:0], fields[:0]
		flush := func() error {
			first := len(dropped)
			dropped = f.filter.AppendWithheld(dropped, keys)
			next := first
			for j := range keys {
				if next < len(dropped) && int(dropped[next]) == j {
					next++
					continue
				}
				if err := emit(fields[j*len(idx) : (j+1)*len(idx)]); err != nil {
					return err
				}
			}
			for k := first; k < len(dropped); k++ {
				dropped[k] += uint32(n)
			}
			n += len(keys)
			keys, fields = keys[:0], fields[:0]
			return nil
		}
		_, err := records(d, index, cr, func(rec []string) error {
			keys = append(keys, rec[subject])
			for _, j := range idx {
				fields = append(fields, rec[j])
			}
			if len(keys) == lookupBatch {
				return flush()
			}
			return nil
		})
		if err == nil {
			err = flush()
		}
		if err != nil {
			return err
		}
		withheld += len(dropped)
		f.resolve(index, resolvedChunk{sealed: id, column: subject, rows: n, dropped: dropped})
		return nil
	})
	if err != nil {
		return 0, err
	}
	return withheld, nil
}

// Delete crypto-shreds d: its data key is destroyed first, so even copies
// of the sealed rows (backups) become unreadable, then the rows are removed.
func (s *Service) Delete(ctx context.Context, d *accord.Dataset) error {
	if err := s.Keyring.Destroy(ctx, d.DataKeyID()); err != nil && accord.ErrorCode(err) != accord.ENOTFOUND {
		return err
	}
	if err := s.Store.DeleteDataset(ctx, d.ID); err != nil {
		return err
	}
	// The cached consent filters of the dataset hold its subject keys;
	// they go with it.
	s.mu.Lock()
	defer s.mu.Unlock()
	for key := range s.filters {
		if key[0] == d.ID {
			delete(s.filters, key)
		}
	}
	return nil
}

// Classify checks a custodian's classification of every column of d and
// returns the columns with it applied. Every column must be classified, and
// at most one may be the subject key.
func Classify(d *accord.Dataset, classes map[string]string) ([]accord.DatasetColumn, error) {
	cols := slices.Clone(d.Columns)
	subjects := 0
	for name, class := range classes {
		if !slices.ContainsFunc(cols, func(c accord.DatasetColumn) bool { return c.Name == name }) {
			return nil, accord.Errorf(accord.EINVALID, "dataset %s has no column %q", d.ID, name)
		}
		if !slices.Contains(accord.ColumnClasses, class) {
			return nil, accord.Errorf(accord.EINVALID, "column %q: unknown class %q (one of %s)", name, class, strings.Join(accord.ColumnClasses, ", "))
		}
	}
	var missing []string
	for i := range cols {
		class, ok := classes[cols[i].Name]
		if !ok {
			missing = append(missing, cols[i].Name)
			continue
		}
		cols[i].Class = class
		if class == accord.ClassSubject {
			subjects++
		}
	}
	if len(missing) > 0 {
		return nil, accord.Errorf(accord.EINVALID, "every column needs a class; missing: %s", strings.Join(missing, ", "))
	}
	if subjects > 1 {
		return nil, accord.Errorf(accord.EINVALID, "at most one column can be the subject key, got %d", subjects)
	}
	return cols, nil
}
