package redact

import "sync"

// maxSecrets is how many secrets a Secrets keeps: the newest ones, which are
// the ones an upstream can still echo (a token WeChat retired long ago is no
// longer sent anywhere).
const maxSecrets = 16

// Secrets is the set of secret values a process has seen (the access tokens
// it read, say), so that whatever prints text can mask them all: the logger
// passes every line through it. Its zero value is an empty set; a nil
// *Secrets masks by pattern only. It is safe for concurrent use.
type Secrets struct {
	mu   sync.RWMutex
	vals []string
}

// Add remembers v (the empty string is ignored). Past maxSecrets values the
// oldest is forgotten.
func (s *Secrets) Add(v string) {
	if s == nil || v == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, have := range s.vals {
		if have == v {
			return
		}
	}
	if len(s.vals) == maxSecrets {
		s.vals = append(s.vals[:0], s.vals[1:]...)
	}
	s.vals = append(s.vals, v)
}

// String is String(text, every remembered secret...).
func (s *Secrets) String(text string) string {
	if s == nil {
		return String(text)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return String(text, s.vals...)
}
