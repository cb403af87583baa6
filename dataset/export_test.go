package dataset

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
