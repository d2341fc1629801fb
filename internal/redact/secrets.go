package redact

import (
	"slices"
	"strings"
	"sync"
)

// maxSecrets is how many secrets a Secrets keeps: the newest ones, which are
// the ones an upstream can still echo (a token WeChat retired long ago is no
// longer sent anywhere).
const maxSecrets = 16

// Secrets is the set of secret values a process has seen (the access tokens
// it read, say), so that whatever prints text can mask them all: the logger
// passes every line through it. Its zero value is an empty set; a nil
// *Secrets masks by pattern only. It is safe for concurrent use.
type Secrets struct {
	mu    sync.RWMutex
	vals  []string
	forms []string // every form String masks of every value, lower-cased (see forms)
}

// Add remembers v as the newest secret (the empty string is ignored); a
// value added again becomes the newest again, so that a token still in use,
// or a credential read again, is never the one forgotten. Past maxSecrets
// values the oldest is forgotten.
func (s *Secrets) Add(v string) {
	if s == nil || v == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.Index(s.vals, v); i >= 0 {
		s.vals = append(append(s.vals[:i], s.vals[i+1:]...), v) // the same set: forms stay
		return
	}
	if len(s.vals) == maxSecrets {
		s.vals = append(s.vals[:0], s.vals[1:]...)
	}
	s.vals = append(s.vals, v)
	s.forms = s.forms[:0]
	for _, v := range s.vals {
		s.forms = append(s.forms, forms(v)...)
	}
}

// String is String(text, every remembered secret...). The logger calls it
// for every string it writes, so it looks for the forms lower-cased once, at
// Add, and allocates only for text's lower-cased copy when none is there.
func (s *Secrets) String(text string) string {
	if s == nil {
		return String(text)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	lower := lowerASCII(text)
	for _, f := range s.forms {
		if strings.Contains(lower, f) {
			return String(text, s.vals...)
		}
	}
	return maskPatterns(text, lower)
}
