package sandbox

// FailSaves makes every save of s's data file fail with err, as a full or
// read-only disk would; nil saves again.
func FailSaves(s *Server, err error) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	s.store.write = writeFileAtomic
	if err != nil {
		s.store.write = func(string, []byte) error { return err }
	}
}
