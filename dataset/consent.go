package dataset

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/consent"
)

// The consent filters of a Service: per dataset and purpose, the subjects
// whose rows a use leaves out, kept up to date from the store's changes,
// and what they leave out of each sealed chunk.

// lookupBatch is how many rows' subjects are looked up at a time when a
// chunk's withheld rows are not known yet: enough for the lookups to
// overlap, few enough for the rows held meanwhile to stay in cache.
const lookupBatch = 256

// cachedFilter is a withheld set valid while the dataset's consent version
// is unchanged and no given consent has expired since, with what it
// withholds in each chunk once a load has worked that out.
type cachedFilter struct {
	version int64
	at      time.Time // when the set was read or last brought up to date
	until   time.Time // zero: no pending expiry
	filter  *consent.Filter

	mu     sync.Mutex
	chunks []resolvedChunk // by chunk index
}

// resolvedChunk is the filter applied to one sealed chunk: which of its
// rows are withheld. Chunks never change, so a later load for the same
// purpose skips those rows by position instead of looking up every row's
// subject again. Looking subjects up costs a hash each and a probe into
// memory that decoding the rows keeps pushing out of the cache; skipping
// by position costs a comparison.
type resolvedChunk struct {
	sealed  sealedID
	column  int // the subject column it was resolved on
	rows    int
	dropped []uint32 // offsets in the chunk, ascending
}

// sealedID identifies a sealed chunk by its length and its two ends: the
// random nonce in front and the authentication tag under the dataset's
// key at the back. A chunk sealed again, under another key or for another
// dataset with the same name, differs in both.
type sealedID struct {
	n          int
	head, tail [16]byte
}

func idOf(sealed []byte) sealedID {
	id := sealedID{n: len(sealed)}
	copy(id.head[:], sealed)
	copy(id.tail[:], sealed[max(0, len(sealed)-16):])
	return id
}

// resolved returns what the filter withholds in chunk index, if a load has
// worked it out for these exact sealed bytes and subject column.
func (c *cachedFilter) resolved(index int, id sealedID, column int) (resolvedChunk, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if index < len(c.chunks) && c.chunks[index].sealed == id && c.chunks[index].column == column && id.n > 0 {
		return c.chunks[index], true
	}
	return resolvedChunk{}, false
}

func (c *cachedFilter) resolve(index int, r resolvedChunk) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if index >= len(c.chunks) {
		c.chunks = append(c.chunks, make([]resolvedChunk, index+1-len(c.chunks))...)
	}
	c.chunks[index] = r
}

// withheld returns the consent filter of a dataset for a purpose. Reading
// it whole reads every registered subject, so it is cached, and once the
// consent version moves or a consent expires it is brought up to date
// from the subjects the changes touched: each use costs one primary-key
// read, and the first use after a change a read of what changed, however
// large the dataset. Concurrent uses that find it stale share one read.
func (s *Service) withheld(ctx context.Context, datasetID, purpose string) (*cachedFilter, error) {
	key := [2]string{datasetID, purpose}
	for {
		c, version, now, err := s.current(ctx, key)
		if err != nil {
			return nil, err
		}
		if c.fresh(version, now) {
			return c, nil
		}
		// The read runs to the end even if this caller goes away: others
		// may be waiting on it, and the cache keeps what it read.
		_, err, _ = s.flight.Do(datasetID+"\x00"+purpose, func() (any, error) {
			return s.refresh(context.WithoutCancel(ctx), key)
		})
		if err != nil {
			return nil, err
		}
		// A read that began before this caller saw the version may predate
		// a change this caller must honour; then the loop reads again.
	}
}

// current returns the cached filter of key = (dataset, purpose), if any,
// with the dataset's consent version and the time to judge it by. The
// version is read before the set: a change in between leaves a newer set
// under an older version, which the next use reads again.
func (s *Service) current(ctx context.Context, key [2]string) (*cachedFilter, int64, time.Time, error) {
	version, err := s.Store.ConsentVersion(ctx, key[0])
	if err != nil {
		return nil, 0, time.Time{}, err
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.filters[key], version, now, nil
}

// fresh reports whether c (which may be nil) holds for consent version
// version at now.
func (c *cachedFilter) fresh(version int64, now time.Time) bool {
	return c != nil && c.version >= version && (c.until.IsZero() || now.Before(c.until))
}

// refresh brings the withheld set of key = (dataset, purpose) up to date,
// from the changes since the cached one when there is one, and caches it.
func (s *Service) refresh(ctx context.Context, key [2]string) (*cachedFilter, error) {
	datasetID, purpose := key[0], key[1]
	c, version, now, err := s.current(ctx, key)
	if err != nil {
		return nil, err
	}
	// A read that ended just before this one began may have left it
	// nothing to do.
	if c.fresh(version, now) {
		return c, nil
	}
	var next *cachedFilter
	if c != nil && !now.Before(c.at) {
		if next, err = s.updated(ctx, c, datasetID, purpose, now); err != nil {
			return nil, err
		}
	} else {
		list, err := s.Store.WithheldSubjects(ctx, datasetID, purpose, now)
		if err != nil {
			return nil, err
		}
		next = &cachedFilter{filter: consent.NewFilter(list)}
	}
	next.version, next.at = version, now
	if next.until, err = s.Store.NextConsentExpiry(ctx, datasetID, purpose, now); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.filters == nil {
		s.filters = map[[2]string]*cachedFilter{}
	}
	s.filters[key] = next
	return next, nil
}

// updated brings c up to date with the changes since it was read. When
// none of them moves a subject in or out of the set, the filter and what
// it withholds in each chunk carry over; otherwise loads look rows up
// again, once, as after a first read.
func (s *Service) updated(ctx context.Context, c *cachedFilter, datasetID, purpose string, now time.Time) (*cachedFilter, error) {
	changes, err := s.Store.WithheldChanges(ctx, datasetID, purpose, c.version, c.at, now)
	if err != nil {
		return nil, err
	}
	var withhold, release []string
	for _, ch := range changes {
		if ch.Withheld != c.filter.Withheld(ch.Key) {
			if ch.Withheld {
				withhold = append(withhold, ch.Key)
			} else {
				release = append(release, ch.Key)
			}
		}
	}
	if len(withhold) == 0 && len(release) == 0 {
		c.mu.Lock()
		defer c.mu.Unlock()
		return &cachedFilter{filter: c.filter, chunks: slices.Clone(c.chunks)}, nil
	}
	return &cachedFilter{filter: c.filter.Update(withhold, release)}, nil
}

// purposeFilter returns the consent filter of d for purpose and the index
// of the subject column it applies to, or nil when nobody is withheld.
func (s *Service) purposeFilter(ctx context.Context, d *accord.Dataset, purpose string) (*cachedFilter, int, error) {
	subject := d.ColumnsOfClass(accord.ClassSubject)
	if len(subject) == 0 {
		return nil, 0, nil
	}
	f, err := s.withheld(ctx, d.ID, purpose)
	if err != nil {
		return nil, 0, err
	}
	if f.filter.Len() == 0 {
		return nil, 0, nil
	}
	return f, slices.IndexFunc(d.Columns, func(c accord.DatasetColumn) bool { return c.Name == subject[0] }), nil
}

// Warm reads the withheld set of a dataset for a purpose ahead of its use,
// so that the first use after a restart does not wait for it, and reports
// whether there was one to read: a dataset without a confirmed subject
// column has none.
func (s *Service) Warm(ctx context.Context, datasetID, purpose string) (bool, error) {
	d, err := s.Store.Dataset(ctx, datasetID)
	if err != nil {
		return false, err
	}
	if len(d.ColumnsOfClass(accord.ClassSubject)) == 0 {
		return false, nil
	}
	if _, err := s.withheld(ctx, datasetID, purpose); err != nil {
		return false, err
	}
	return true, nil
}
