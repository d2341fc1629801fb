package token_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/clocktest"
	"github.com/wxindustry/getindustry/internal/jsonlog/jsonlogtest"
	"github.com/wxindustry/getindustry/internal/token"
	"github.com/wxindustry/getindustry/internal/token/smtest"
)

const (
	secretID = "wechat/token"
	sentinel = "SENTINEL-TOKEN-5f3c"
)

// t0 is the fake clock's start.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// env is a Source wired to a Secrets Manager fake through the real SDK client.
type env struct {
	fake  *smtest.Fake
	src   *token.Source
	clock *clocktest.Clock
	logs  *jsonlogtest.Buffer
}

// newEnv builds an env; wrap, if not nil, wraps the fake's handler.
func newEnv(tb testing.TB, opts token.Options, wrap func(http.Handler) http.Handler) *env {
	tb.Helper()
	e := &env{fake: smtest.NewFake(), clock: clocktest.New(t0), logs: &jsonlogtest.Buffer{}}
	var h http.Handler = e.fake
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	if opts.SecretID == "" {
		opts.SecretID = secretID
	}
	opts.Now = e.clock.Now
	opts.Logger = slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	src, err := token.NewSource(smtest.NewClient(srv.URL), opts)
	if err != nil {
		tb.Fatalf("NewSource err = %v", err)
	}
	e.src = src
	return e
}

// mustToken calls Token and fails the test on error or an unexpected token.
func (e *env) mustToken(tb testing.TB, want string) {
	tb.Helper()
	got, err := e.src.Token(context.Background())
	if err != nil || got != want {
		tb.Fatalf("Token() = %q, %v; want %q, nil", got, err, want)
	}
}

// wantCalls checks the number of GetSecretValue calls the fake received.
func (e *env) wantCalls(tb testing.TB, want int) {
	tb.Helper()
	if got := e.fake.Calls(secretID); got != want {
		tb.Errorf("GetSecretValue calls = %d; want %d", got, want)
	}
}

// asTokenError returns err as *token.Error or fails the test.
func asTokenError(tb testing.TB, err error) *token.Error {
	tb.Helper()
	var te *token.Error
	if !errors.As(err, &te) {
		tb.Fatalf("err = %v (%T); want *token.Error", err, err)
	}
	return te
}

// gate holds every request to the wrapped handler until the test releases
// it. Each request is answered from the state at its arrival, as if Secrets
// Manager read the secret then and the reply was slow to arrive.
type gate struct {
	arrived chan chan struct{}
}

func newGate() *gate { return &gate{arrived: make(chan chan struct{}, 100)} }

func (g *gate) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		release := make(chan struct{})
		g.arrived <- release
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// next waits for the next held request and returns its release channel.
func (g *gate) next(tb testing.TB) chan struct{} {
	tb.Helper()
	select {
	case release := <-g.arrived:
		return release
	case <-time.After(10 * time.Second):
		tb.Fatal("no request reached the fake")
		return nil
	}
}
