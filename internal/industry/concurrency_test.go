package industry_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wxindustry/getindustry/internal/industry"
	"github.com/wxindustry/getindustry/internal/wx"
)

// blockingGetter is a Getter that records the context of each call and
// answers only when released.
type blockingGetter struct {
	release chan struct{}
	fail    error

	mu   sync.Mutex
	ctxs []context.Context
}

func newBlockingGetter() *blockingGetter { return &blockingGetter{release: make(chan struct{})} }

func (g *blockingGetter) GetIndustry(ctx context.Context) (*wx.Industry, error) {
	g.mu.Lock()
	g.ctxs = append(g.ctxs, ctx)
	g.mu.Unlock()
	<-g.release
	if tr := wx.TraceFrom(ctx); tr != nil {
		tr.Attempts += 2
		tr.Duration += time.Second
	}
	if g.fail != nil {
		return nil, g.fail
	}
	ind := testIndustry
	return &ind, nil
}

func (g *blockingGetter) calls() []context.Context {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]context.Context(nil), g.ctxs...)
}

type result struct {
	a     *industry.Answer
	err   error
	trace wx.Trace
}

// getAsync calls c.Get in a goroutine with a *wx.Trace in ctx and delivers
// the result on the returned channel.
func getAsync(ctx context.Context, c *industry.Cache) <-chan result {
	ch := make(chan result, 1)
	go func() {
		var r result
		r.a, r.err = c.Get(wx.WithTrace(ctx, &r.trace))
		ch <- r
	}()
	return ch
}

func TestConcurrentMissesShareOneFetch(t *testing.T) {
	tests := []struct {
		name string
		fail error
	}{
		{"success", nil},
		{"error", errOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				up := newBlockingGetter()
				up.fail = tt.fail
				c := industry.NewCache(up, industry.Options{TTL: time.Minute})
				results := make([]<-chan result, 100)
				for i := range results {
					results[i] = getAsync(context.Background(), c)
				}
				synctest.Wait() // every caller is now blocked on the one upstream call
				if n := len(up.calls()); n != 1 {
					t.Fatalf("upstream calls while 100 callers wait = %d; want 1", n)
				}
				close(up.release)
				var first *industry.Answer
				for i, ch := range results {
					r := <-ch
					if tt.fail != nil {
						if r.err != tt.fail {
							t.Fatalf("caller %d: err = %v; want %v", i, r.err, tt.fail)
						}
					} else if r.err != nil || r.a.Outcome != industry.OutcomeMiss || (first != nil && r.a != first) {
						t.Fatalf("caller %d: Get() = %+v, %v; want the one shared miss", i, r.a, r.err)
					}
					first = r.a
					if r.trace.Attempts != 2 || r.trace.Duration != time.Second {
						t.Errorf("caller %d: trace = %+v; want the shared call's 2 attempts and 1s", i, r.trace)
					}
				}
				if n := len(up.calls()); n != 1 {
					t.Errorf("upstream calls = %d; want 1", n)
				}
			})
		})
	}
}

type ctxKey struct{}

func TestFirstCallerLeavingDoesNotFailOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		up := newBlockingGetter()
		c := industry.NewCache(up, industry.Options{TTL: time.Minute})
		deadline := time.Now().Add(time.Hour)
		base, cancelDeadline := context.WithDeadline(context.WithValue(context.Background(), ctxKey{}, "first"), deadline)
		defer cancelDeadline()
		leaderCtx, cancel := context.WithCancel(base)
		leader := getAsync(leaderCtx, c)
		synctest.Wait()
		other := getAsync(context.Background(), c)
		synctest.Wait()

		cancel()
		r := <-leader
		if !errors.Is(r.err, context.Canceled) {
			t.Errorf("leaving caller: err = %v; want context.Canceled", r.err)
		}
		calls := up.calls()
		if len(calls) != 1 {
			t.Fatalf("upstream calls = %d; want 1", len(calls))
		}
		upCtx := calls[0]
		if err := upCtx.Err(); err != nil {
			t.Errorf("upstream ctx err = %v after the first caller left; want nil", err)
		}
		if v, _ := upCtx.Value(ctxKey{}).(string); v != "first" {
			t.Errorf("upstream ctx value = %q; want the first caller's values", v)
		}
		if d, ok := upCtx.Deadline(); !ok || !d.Equal(deadline) {
			t.Errorf("upstream ctx deadline = %v, %v; want the first caller's %v", d, ok, deadline)
		}
		close(up.release)
		if r := <-other; r.err != nil || r.a.Outcome != industry.OutcomeMiss {
			t.Errorf("other caller: Get() = %+v, %v; want a miss", r.a, r.err)
		}
		if r.trace.Attempts != 0 {
			t.Errorf("leaving caller's trace = %+v; want it untouched", r.trace)
		}
		if a, err := c.Get(context.Background()); err != nil || a.Outcome != industry.OutcomeHit {
			t.Errorf("later Get() = %+v, %v; want a hit", a, err)
		}
	})
}

func TestFirstCallerDeadlineBoundsSharedCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		up := newBlockingGetter()
		c := industry.NewCache(up, industry.Options{TTL: time.Minute})
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		r := <-getAsync(ctx, c) // the fake clock reaches the deadline once everyone blocks
		if !errors.Is(r.err, context.DeadlineExceeded) {
			t.Errorf("Get() err = %v; want context.DeadlineExceeded", r.err)
		}
		synctest.Wait()
		if err := up.calls()[0].Err(); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("upstream ctx err = %v; want the first caller's deadline to have passed", err)
		}
		close(up.release)
	})
}

func TestWaiterTimeoutServesStale(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		up := newBlockingGetter()
		close(up.release)
		clk := newClock()
		staleOnDeadline := func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }
		c := industry.NewCache(up, industry.Options{TTL: time.Minute, StaleTTL: time.Hour, StaleOK: staleOnDeadline, Now: clk.Now})
		if _, err := c.Get(context.Background()); err != nil {
			t.Fatalf("Get() err = %v", err)
		}
		up.release = make(chan struct{})
		clk.Advance(2 * time.Minute)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		r := <-getAsync(ctx, c)
		if r.err != nil || r.a.Outcome != industry.OutcomeStale || !errors.Is(r.a.Cause, context.DeadlineExceeded) {
			t.Errorf("Get() = %+v, %v; want stale with a deadline cause", r.a, r.err)
		}
		close(up.release)
	})
}

// TestJoinerOutlivingTheStarterCallsAgain (issue 10, item 1): a waiter
// whose deadline is later than the first caller's does not fail with the
// first caller's timeout when the upstream hung: it makes a fresh call.
func TestJoinerOutlivingTheStarterCallsAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		up := &fakeGetter{fn: func(ctx context.Context) (*wx.Industry, error) {
			if n.Add(1) == 1 { // the first call hangs until its deadline
				<-ctx.Done()
				return nil, ctx.Err()
			}
			ind := testIndustry
			return &ind, nil
		}}
		c := industry.NewCache(up, industry.Options{TTL: time.Minute})
		short, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		starter := getAsync(short, c)
		synctest.Wait()
		long, cancel2 := context.WithTimeout(context.Background(), time.Minute)
		defer cancel2()
		joiner := getAsync(long, c)
		if r := <-starter; !errors.Is(r.err, context.DeadlineExceeded) {
			t.Errorf("starter: err = %v; want its deadline", r.err)
		}
		if r := <-joiner; r.err != nil || r.a.Outcome != industry.OutcomeMiss {
			t.Errorf("joiner: Get() = %+v, %v; want a fresh miss", r.a, r.err)
		}
		if got := up.calls.Load(); got != 2 {
			t.Errorf("upstream calls = %d; want 2", got)
		}
	})
}
