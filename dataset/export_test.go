package dataset

import "context"

// ForgetResolvedChunks drops what the cached consent filters have worked
// out per chunk, keeping the withheld sets: the next load for a purpose
// looks up every row's subject, as the first load after a consent change
// does once the withheld set is read again.
func ForgetResolvedChunks(s *Service) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.filters {
		c.mu.Lock()
		c.chunks = nil
		c.mu.Unlock()
	}
}

// ResolvedChunks brings the cached consent filter of a dataset for a
// purpose up to date, as a load would first, and returns how many chunks
// it knows the withheld rows of.
func ResolvedChunks(ctx context.Context, s *Service, datasetID, purpose string) (int, error) {
	c, err := s.withheld(ctx, datasetID, purpose)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, r := range c.chunks {
		if r.sealed.n > 0 {
			n++
		}
	}
	return n, nil
}

// CachedFilters returns how many consent filters s keeps.
func CachedFilters(s *Service) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.filters)
}
