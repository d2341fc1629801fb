package wx_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/jsonlog/jsonlogtest"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// staticToken is a TokenSource without Invalidate.
type staticToken string

func (s staticToken) Token(context.Context) (string, error) { return string(s), nil }

// rotatingSource hands out tokens in order: Invalidate(current) moves on to
// the next one (the last one repeats). It records what was invalidated.
type rotatingSource struct {
	mu          sync.Mutex
	tokens      []string
	i           int
	reads       int
	invalidated []string
	okReads     int   // with err set, reads after this many fail
	err         error // when not nil, returned by reads after the first okReads
}

func (s *rotatingSource) Token(context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	if s.err != nil && s.reads > s.okReads {
		return "", s.err
	}
	return s.tokens[s.i], nil
}

func (s *rotatingSource) Invalidate(stale string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invalidated = append(s.invalidated, stale)
	if s.tokens[s.i] == stale && s.i < len(s.tokens)-1 {
		s.i++
	}
}

func (s *rotatingSource) Invalidated() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.invalidated...)
}

// sourceError stands for the token package's own error type.
type sourceError struct{ reason string }

func (e *sourceError) Error() string { return "token: " + e.reason }

// fast are options that keep tests quick: tiny backoff and quota pause, a
// per-attempt timeout generous enough for a loaded machine.
func fast() wx.Options {
	return wx.Options{
		AttemptTimeout:   2 * time.Second,
		Backoff:          func(int) time.Duration { return time.Millisecond },
		MinuteQuotaPause: 2 * time.Millisecond,
	}
}

// newServer starts a simulator server closed at cleanup.
func newServer(tb testing.TB, sim *wxtest.Simulator) *httptest.Server {
	tb.Helper()
	srv := wxtest.NewServer(sim)
	tb.Cleanup(srv.Close)
	return srv
}

// newClient returns a client for baseURL or fails the test.
func newClient(tb testing.TB, baseURL string, src wx.TokenSource, opts wx.Options) *wx.Client {
	tb.Helper()
	c, err := wx.NewClient(baseURL, src, opts)
	if err != nil {
		tb.Fatalf("NewClient(%q) err = %v", baseURL, err)
	}
	return c
}

// setup starts a simulator accepting token "tok-1" and a client for it using
// a fresh connection pool.
func setup(tb testing.TB, opts wx.Options) (*wxtest.Simulator, *wx.Client) {
	tb.Helper()
	sim := wxtest.NewSimulator("tok-1")
	srv := newServer(tb, sim)
	return sim, newClient(tb, srv.URL, staticToken("tok-1"), opts)
}

// wantCode fails unless err is a *wx.Error with errcode code.
func wantCode(tb testing.TB, err error, code int) *wx.Error {
	tb.Helper()
	var e *wx.Error
	if !errors.As(err, &e) {
		tb.Fatalf("GetIndustry() err = %v; want *wx.Error with errcode %d", err, code)
	}
	if e.Code != code {
		tb.Fatalf("GetIndustry() err = %v; want errcode %d", err, code)
	}
	return e
}

// debugLogger logs everything as JSON into buf.
func debugLogger(buf *jsonlogtest.Buffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// newHTTPTestServer starts a plain test server for h, closed at cleanup.
func newHTTPTestServer(tb testing.TB, h http.Handler) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv
}
