package token_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/token"
	"github.com/wxindustry/getindustry/internal/token/smtest"
)

// collect runs n goroutines calling fn and returns their results.
func collect(n int, fn func() (string, error)) ([]string, []error) {
	toks, errs := make([]string, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { toks[i], errs[i] = fn() })
	}
	wg.Wait()
	return toks, errs
}

func checkAll(tb testing.TB, toks []string, errs []error, want string) {
	tb.Helper()
	for i := range toks {
		if errs[i] != nil || toks[i] != want {
			tb.Fatalf("caller %d: Token() = %q, %v; want %q, nil", i, toks[i], errs[i], want)
		}
	}
}

func TestConcurrentCallersShareOneFetch(t *testing.T) {
	g := newGate()
	e := newEnv(t, token.Options{}, g.wrap)
	e.fake.SetSecret(secretID, "tok-1")
	var started sync.WaitGroup
	started.Add(100)
	done := make(chan struct{})
	var toks []string
	var errs []error
	go func() {
		defer close(done)
		toks, errs = collect(100, func() (string, error) {
			started.Done()
			return e.src.Token(context.Background())
		})
	}()
	release := g.next(t) // the one read is held until every caller has started
	started.Wait()
	close(release)
	<-done
	checkAll(t, toks, errs, "tok-1")
	e.wantCalls(t, 1)
	if got := int64(e.fake.Reads(secretID)); got != 1 {
		t.Errorf("GetSecretValue invocations = %d; want 1", got)
	}
}

func TestConcurrentInvalidationsReadOnce(t *testing.T) {
	tests := []struct {
		name, after string // secret value when the token is rejected
	}{
		{"secret rotated", "tok-2"},
		{"secret unchanged", "tok-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, token.Options{MinRereadInterval: time.Second}, nil)
			e.fake.SetSecret(secretID, "tok-1")
			e.mustToken(t, "tok-1")
			e.fake.SetSecret(secretID, tt.after)
			toks, errs := collect(100, func() (string, error) {
				e.src.Invalidate("tok-1") // every caller saw WeChat reject tok-1
				return e.src.Token(context.Background())
			})
			checkAll(t, toks, errs, tt.after)
			e.wantCalls(t, 2)
		})
	}
}

func TestCallerCancelDoesNotFailOthers(t *testing.T) {
	g := newGate()
	e := newEnv(t, token.Options{}, g.wrap)
	e.fake.SetSecret(secretID, "tok-1")
	ctx, cancel := context.WithCancel(context.Background())
	impatient := make(chan error, 1)
	go func() {
		_, err := e.src.Token(ctx)
		impatient <- err
	}()
	release := g.next(t)
	patient := make(chan string, 1)
	go func() {
		tok, err := e.src.Token(context.Background())
		if err != nil {
			tok = err.Error()
		}
		patient <- tok
	}()
	cancel()
	err := <-impatient
	if te := asTokenError(t, err); te.Reason != "canceled" || !errors.Is(err, context.Canceled) {
		t.Errorf("canceled Token() err = %v; want reason canceled wrapping context.Canceled", err)
	}
	close(release)
	if got := <-patient; got != "tok-1" {
		t.Errorf("other caller got %q; want tok-1", got)
	}
	e.mustToken(t, "tok-1")
	e.wantCalls(t, 1) // the shared read was not canceled with the first caller
}

func TestCallerDeadline(t *testing.T) {
	g := newGate()
	e := newEnv(t, token.Options{}, g.wrap)
	e.fake.SetSecret(secretID, "tok-1")
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	res := make(chan error, 1)
	go func() {
		_, err := e.src.Token(ctx)
		res <- err
	}()
	// The read is bounded by this caller's deadline too, so it may end
	// before its request reaches the fake; one that does is held there.
	err := <-res
	if te := asTokenError(t, err); te.Reason != "timed out" || !te.Transient || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Token() err = %v; want transient \"timed out\" wrapping context.DeadlineExceeded", err)
	}
}

// A read that began before an Invalidate may return the dropped token; it
// must neither be joined by later callers nor overwrite the newer read.
func TestInvalidateDuringRead(t *testing.T) {
	g := newGate()
	e := newEnv(t, token.Options{TTL: time.Minute}, g.wrap)
	e.fake.SetSecret(secretID, "tok-1")
	go func() { _, _ = e.src.Token(context.Background()) }()
	close(g.next(t))
	e.mustToken(t, "tok-1") // cached now

	e.clock.Advance(time.Minute)
	old := make(chan string, 1)
	go func() {
		tok, _ := e.src.Token(context.Background())
		old <- tok
	}()
	releaseOld := g.next(t) // read of tok-1 in flight
	e.src.Invalidate("tok-1")
	e.fake.SetSecret(secretID, "tok-2")
	fresh := make(chan string, 1)
	go func() {
		tok, _ := e.src.Token(context.Background())
		fresh <- tok
	}()
	close(g.next(t)) // the new read (tok-2) completes first
	if got := <-fresh; got != "tok-2" {
		t.Errorf("Token() after Invalidate = %q; want tok-2", got)
	}
	close(releaseOld)
	if got := <-old; got != "tok-1" {
		t.Errorf("earlier read = %q; want tok-1", got)
	}
	e.mustToken(t, "tok-2")
	e.wantCalls(t, 3)
}

// TestHungReadDoesNotPoisonLaterCallers (issue 10, item 1): Secrets Manager
// hangs on the read a caller with a short deadline started, then recovers.
// Neither a caller that joined that read with time to spare nor one that
// arrives after its starter gave up may fail because of it: a shared read
// is bounded by what its callers can still use.
func TestHungReadDoesNotPoisonLaterCallers(t *testing.T) {
	arrived := make(chan struct{}, 10)
	e := newEnv(t, token.Options{}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			arrived <- struct{}{}
			h.ServeHTTP(w, r)
		})
	})
	e.fake.SetSecret(secretID, "tok-1")
	e.fake.Fail(secretID, smtest.Fault{Delay: time.Minute}) // the first read hangs; later ones are answered

	starter, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	starterErr := make(chan error, 1)
	go func() {
		_, err := e.src.Token(starter)
		starterErr <- err
	}()
	select {
	case <-arrived: // the hung read is under way
	case <-time.After(10 * time.Second):
		t.Fatal("no read reached Secrets Manager")
	}
	patient := func() <-chan string {
		ch := make(chan string, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			tok, err := e.src.Token(ctx)
			if err != nil {
				tok = err.Error()
			}
			ch <- tok
		}()
		return ch
	}
	joiner := patient() // joins the hung read, with time to spare
	if err := <-starterErr; err == nil {
		t.Fatal("the starter got a token from a hung Secrets Manager")
	}
	later := patient() // arrives after the starter gave up
	if got := <-joiner; got != "tok-1" {
		t.Errorf("caller that joined the hung read got %q; want tok-1", got)
	}
	if got := <-later; got != "tok-1" {
		t.Errorf("caller after the starter gave up got %q; want tok-1", got)
	}
}
