package industry_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/industry"
	"github.com/wxindustry/getindustry/internal/wx"
)

var (
	errBusy  = &wx.Error{Op: "get_industry", Code: wx.CodeBusy, Message: "system error rid: r1"}
	errOther = &wx.Error{Op: "get_industry", Code: wx.CodeAPIUnauthorized, Message: "api unauthorized rid: r2"}
)

// staleOnBusy allows stale answers for errcode -1 only.
func staleOnBusy(err error) bool {
	var we *wx.Error
	return errors.As(err, &we) && we.Code == wx.CodeBusy
}

// step is one Get in a scenario: advance the clock, make upstream fail with
// fail (or succeed if nil), then check the outcome or error and the upstream
// call count so far.
type step struct {
	advance     time.Duration
	fail        error
	wantOutcome industry.Outcome
	wantErr     error
	wantFetches int64
}

func TestGet(t *testing.T) {
	const ttl, staleTTL = 5 * time.Minute, time.Hour
	full := industry.Options{TTL: ttl, StaleTTL: staleTTL, StaleOK: staleOnBusy}
	tests := []struct {
		name  string
		opts  industry.Options
		steps []step
	}{
		{"hit within TTL", full, []step{
			{wantOutcome: industry.OutcomeMiss, wantFetches: 1},
			{advance: ttl - time.Nanosecond, wantOutcome: industry.OutcomeHit, wantFetches: 1},
		}},
		{"expiry refetches", full, []step{
			{wantOutcome: industry.OutcomeMiss, wantFetches: 1},
			{advance: ttl, wantOutcome: industry.OutcomeMiss, wantFetches: 2},
			{advance: time.Second, wantOutcome: industry.OutcomeHit, wantFetches: 2},
		}},
		{"TTL 0 bypasses and keeps nothing", industry.Options{StaleTTL: staleTTL, StaleOK: staleOnBusy}, []step{
			{wantOutcome: industry.OutcomeBypass, wantFetches: 1},
			{wantOutcome: industry.OutcomeBypass, wantFetches: 2},
			{fail: errBusy, wantErr: errBusy, wantFetches: 3},
		}},
		{"negative TTL bypasses", industry.Options{TTL: -time.Second}, []step{
			{wantOutcome: industry.OutcomeBypass, wantFetches: 1},
			{wantOutcome: industry.OutcomeBypass, wantFetches: 2},
		}},
		{"errors are not cached", full, []step{
			{fail: errOther, wantErr: errOther, wantFetches: 1},
			{wantOutcome: industry.OutcomeMiss, wantFetches: 2},
		}},
		{"no answer yet: error even if StaleOK", full, []step{
			{fail: errBusy, wantErr: errBusy, wantFetches: 1},
			{fail: errBusy, wantErr: errBusy, wantFetches: 2},
		}},
		{"stale within StaleTTL, then recovery", full, []step{
			{wantOutcome: industry.OutcomeMiss, wantFetches: 1},
			{advance: ttl, fail: errBusy, wantOutcome: industry.OutcomeStale, wantFetches: 2},
			{advance: staleTTL - ttl, fail: errBusy, wantOutcome: industry.OutcomeStale, wantFetches: 3},
			{wantOutcome: industry.OutcomeMiss, wantFetches: 4},
			{wantOutcome: industry.OutcomeHit, wantFetches: 4},
		}},
		{"not stale past StaleTTL", full, []step{
			{wantOutcome: industry.OutcomeMiss, wantFetches: 1},
			{advance: staleTTL + time.Nanosecond, fail: errBusy, wantErr: errBusy, wantFetches: 2},
		}},
		{"not stale for errors StaleOK refuses", full, []step{
			{wantOutcome: industry.OutcomeMiss, wantFetches: 1},
			{advance: ttl, fail: errOther, wantErr: errOther, wantFetches: 2},
		}},
		{"not stale with nil StaleOK", industry.Options{TTL: ttl, StaleTTL: staleTTL}, []step{
			{wantOutcome: industry.OutcomeMiss, wantFetches: 1},
			{advance: ttl, fail: errBusy, wantErr: errBusy, wantFetches: 2},
		}},
		{"not stale with StaleTTL 0", industry.Options{TTL: ttl, StaleOK: staleOnBusy}, []step{
			{wantOutcome: industry.OutcomeMiss, wantFetches: 1},
			{advance: ttl, fail: errBusy, wantErr: errBusy, wantFetches: 2},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			var fail error
			up := &fakeGetter{fn: func(context.Context) (*wx.Industry, error) {
				if fail != nil {
					return nil, fail
				}
				ind := testIndustry
				return &ind, nil
			}}
			opts := tt.opts
			opts.Now = clk.Now
			c := industry.NewCache(up, opts)
			for i, s := range tt.steps {
				clk.Advance(s.advance)
				fail = s.fail
				a, err := c.Get(context.Background())
				switch {
				case s.wantErr != nil && err != s.wantErr:
					t.Fatalf("step %d: Get() = %v, %v; want error %v unchanged", i, a, err, s.wantErr)
				case s.wantErr == nil && err != nil:
					t.Fatalf("step %d: Get() err = %v; want outcome %q", i, err, s.wantOutcome)
				case s.wantErr == nil && a.Outcome != s.wantOutcome:
					t.Fatalf("step %d: Get() outcome = %q; want %q", i, a.Outcome, s.wantOutcome)
				case s.wantErr == nil && string(a.Body) != testBody:
					t.Fatalf("step %d: Get() body = %s; want %s", i, a.Body, testBody)
				}
				if got := up.calls.Load(); got != s.wantFetches {
					t.Fatalf("step %d: upstream calls = %d; want %d", i, got, s.wantFetches)
				}
			}
		})
	}
}

func TestGetThousandHitsOneFetch(t *testing.T) {
	up := okGetter(testIndustry)
	c := industry.NewCache(up, industry.Options{TTL: time.Minute, Now: newClock().Now})
	first, err := c.Get(context.Background())
	if err != nil {
		t.Fatalf("Get() err = %v", err)
	}
	var hit *industry.Answer
	for i := range 1000 {
		a, err := c.Get(context.Background())
		if err != nil || a.Outcome != industry.OutcomeHit {
			t.Fatalf("Get() #%d = %v, %v; want a hit", i, a, err)
		}
		if hit != nil && a != hit {
			t.Fatalf("Get() #%d returned a new *Answer; want the shared one", i)
		}
		hit = a
	}
	if n := up.calls.Load(); n != 1 {
		t.Errorf("upstream calls = %d; want 1", n)
	}
	if first.Outcome != industry.OutcomeMiss || string(hit.Body) != string(first.Body) || hit.ETag != first.ETag ||
		!hit.FetchedAt.Equal(first.FetchedAt) || !hit.Expires.Equal(first.Expires) {
		t.Errorf("hit %+v differs from miss %+v beyond Outcome", hit, first)
	}
}

func TestGetHitAllocs(t *testing.T) {
	c := industry.NewCache(okGetter(testIndustry), industry.Options{TTL: time.Hour})
	ctx := context.Background()
	if _, err := c.Get(ctx); err != nil {
		t.Fatalf("Get() err = %v", err)
	}
	if n := testing.AllocsPerRun(100, func() { c.Get(ctx) }); n > 0 {
		t.Errorf("allocations per hit = %v; want 0", n)
	}
}

func TestGetErrorsKeepTheirType(t *testing.T) {
	up := &fakeGetter{fn: func(context.Context) (*wx.Industry, error) { return nil, errBusy }}
	c := industry.NewCache(up, industry.Options{TTL: time.Minute})
	_, err := c.Get(context.Background())
	var we *wx.Error
	if !errors.As(err, &we) || we.Code != wx.CodeBusy {
		t.Errorf("Get() err = %v; want *wx.Error with errcode -1", err)
	}
}

func TestGetNilIndustry(t *testing.T) {
	for _, ttl := range []time.Duration{0, time.Minute} {
		t.Run(ttl.String(), func(t *testing.T) {
			up := &fakeGetter{fn: func(context.Context) (*wx.Industry, error) { return nil, nil }}
			a, err := industry.NewCache(up, industry.Options{TTL: ttl}).Get(context.Background())
			if err == nil || !strings.HasPrefix(err.Error(), "industry: ") {
				t.Errorf("Get() = %v, %v; want an industry: error", a, err)
			}
		})
	}
}

func TestStaleAnswer(t *testing.T) {
	clk := newClock()
	log, buf := newLogger(t)
	var fail error
	up := &fakeGetter{fn: func(context.Context) (*wx.Industry, error) {
		if fail != nil {
			return nil, fail
		}
		ind := testIndustry
		return &ind, nil
	}}
	c := industry.NewCache(up, industry.Options{TTL: time.Minute, StaleTTL: time.Hour, StaleOK: staleOnBusy, Now: clk.Now, Logger: log})
	fresh, err := c.Get(context.Background())
	if err != nil {
		t.Fatalf("Get() err = %v", err)
	}
	clk.Advance(10 * time.Minute)
	fail = errBusy
	stale, err := c.Get(context.Background())
	if err != nil {
		t.Fatalf("Get() with upstream busy err = %v; want a stale answer", err)
	}
	switch {
	case stale.Outcome != industry.OutcomeStale:
		t.Errorf("Outcome = %q; want stale", stale.Outcome)
	case stale.Cause != errBusy:
		t.Errorf("Cause = %v; want %v", stale.Cause, errBusy)
	case string(stale.Body) != string(fresh.Body) || stale.ETag != fresh.ETag || !stale.FetchedAt.Equal(fresh.FetchedAt):
		t.Errorf("stale answer %+v is not the kept one %+v", stale, fresh)
	case stale.MaxAge(clk.Now()) != 0:
		t.Errorf("MaxAge() = %d; want 0 for a stale answer", stale.MaxAge(clk.Now()))
	}
	logged := buf.String()
	if !strings.Contains(logged, `"level":"WARN"`) || !strings.Contains(logged, "serving stale industry") ||
		!strings.Contains(logged, errBusy.Error()) || !strings.Contains(logged, `"age":600000000000`) {
		t.Errorf("log = %s; want a warning with the age and the cause", logged)
	}
	fail = nil
	if a, _ := c.Get(context.Background()); a.Outcome != industry.OutcomeMiss || a.Cause != nil {
		t.Errorf("after recovery Outcome = %q, Cause = %v; want miss, nil", a.Outcome, a.Cause)
	}
}

// TestDeadlineReportsUpstreamCause checks that a caller whose deadline ends
// while the shared call is still running gets the shared call's own error
// (which names the upstream that timed out), not a generic wait error.
func TestDeadlineReportsUpstreamCause(t *testing.T) {
	errTokenTimeout := errors.New("token: read secret: timed out")
	upstream := &fakeGetter{fn: func(ctx context.Context) (*wx.Industry, error) {
		<-ctx.Done()
		return nil, fmt.Errorf("wx: access token: %w", errTokenTimeout)
	}}
	c := industry.NewCache(upstream, industry.Options{TTL: time.Minute})
	for i := range 20 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		_, err := c.Get(ctx)
		cancel()
		if !errors.Is(err, errTokenTimeout) {
			t.Fatalf("run %d: Get() err = %v; want the upstream's own timeout error", i, err)
		}
	}
}

// TestUpstreamPanicIsAnError: a panic in the shared call would be re-raised
// by singleflight on a goroutine of its own and end the process; the cache
// turns it into an error for every waiting caller.
func TestUpstreamPanicIsAnError(t *testing.T) {
	c := industry.NewCache(&fakeGetter{fn: func(context.Context) (*wx.Industry, error) { panic("boom") }},
		industry.Options{TTL: time.Minute})
	for range 2 {
		if _, err := c.Get(context.Background()); err == nil || !strings.Contains(err.Error(), "panicked") {
			t.Fatalf("Get() err = %v; want the panic as an error", err)
		}
	}
}
