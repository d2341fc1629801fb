// Package jsonlogtest helps tests read what a logger wrote, the way
// net/http/httptest helps them with net/http.
package jsonlogtest

import (
	"bytes"
	"sync"
)

// Buffer collects log output. It is safe for the concurrent writes of a
// slog handler shared by several goroutines; its zero value is ready to use.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
