package industry

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/wxindustry/getindustry/internal/redact"
	"github.com/wxindustry/getindustry/internal/wx"
)

// Getter is the upstream the Cache asks for the industry; *wx.Client
// implements it.
type Getter interface {
	GetIndustry(ctx context.Context) (*wx.Industry, error)
}

// Options configures a Cache. The zero value caches nothing and never serves
// stale answers.
type Options struct {
	// TTL is how long an answer is reused. 0 (or negative) means never: every
	// Get goes upstream, nothing is kept, and no stale answer is served.
	TTL time.Duration
	// StaleTTL is how old (since FetchedAt) a kept answer may be when it is
	// served because upstream failed. 0 (or negative) means never.
	StaleTTL time.Duration
	// StaleOK reports which upstream errors allow serving a stale answer
	// (for example busy or timed out). nil means none.
	StaleOK func(err error) bool
	// Now returns the current time. Default time.Now.
	Now func() time.Time
	// Logger receives a warning whenever a stale answer is served. Default: a
	// logger that discards everything.
	Logger *slog.Logger
}

// flightKey is the singleflight key: the Cache holds one answer.
const flightKey = "industry"

// Cache is a per-process cache of the industry answer in front of a Getter.
// Create it with NewCache. It is safe for concurrent use.
type Cache struct {
	upstream Getter
	ttl      time.Duration
	staleTTL time.Duration
	staleOK  func(error) bool
	now      func() time.Time
	log      *slog.Logger

	last    atomic.Pointer[Answer] // the latest answer, as served on a hit; never modified once stored
	group   singleflight.Group
	flights atomic.Uint64 // shared calls started
}

// NewCache returns a Cache in front of g, which must not be nil.
func NewCache(g Getter, opts Options) *Cache {
	c := &Cache{
		upstream: g,
		ttl:      max(opts.TTL, 0),
		staleTTL: max(opts.StaleTTL, 0),
		staleOK:  opts.StaleOK,
		now:      opts.Now,
		log:      opts.Logger,
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c
}

// Get returns the industry answer. A fresh kept answer is returned as is
// (OutcomeHit), without calling upstream or allocating. Otherwise concurrent
// callers share one upstream call (OutcomeMiss). That call runs with the
// context values of the caller that started it, but is not cancelled when
// that caller gives up: it runs under context.WithoutCancel bounded by that
// caller's deadline, if any. So a caller that leaves early does not fail the
// others, and a waiter with a later deadline than the first caller's that
// sees the shared call run out of the first caller's time makes a fresh
// call, time permitting, rather than fail with that caller's timeout. The
// upstream's log lines carry the first caller's context (its request ID,
// say). The one
// context value replaced is the *wx.Trace: the shared call fills its own, and
// every caller that receives the result has it added to the Trace in its own
// context.
//
// A caller whose ctx is done before the shared call ends gets an error
// wrapping ctx.Err(). Errors are not cached. When an error satisfies
// Options.StaleOK and the kept answer is at most Options.StaleTTL old, Get
// returns that answer with OutcomeStale and the error as Cause, and logs a
// warning; otherwise it returns the error, the upstream's own unchanged, so
// errors.Is and errors.As see the upstream's error types.
func (c *Cache) Get(ctx context.Context) (*Answer, error) {
	if c.ttl == 0 {
		return c.bypass(ctx)
	}
	if a := c.last.Load(); a != nil && c.now().Before(a.Expires) {
		return a, nil
	}
	a, err := c.shared(ctx)
	if err != nil {
		return c.fallback(ctx, err)
	}
	return a, nil
}

// bypass calls upstream directly with the caller's ctx and keeps nothing.
func (c *Cache) bypass(ctx context.Context) (*Answer, error) {
	ind, err := c.upstream.GetIndustry(ctx)
	if err != nil {
		return nil, err
	}
	return newAnswer(ind, c.now(), 0, OutcomeBypass)
}

// flight is the result of one shared upstream call.
type flight struct {
	answer   *Answer
	trace    wx.Trace
	seq      uint64 // this call's number: calls started before it have lower ones
	timedOut bool   // the call ran out of its starter's time
}

// shared joins or starts the one upstream call and waits for it or for ctx.
// A call begun before this caller arrived that ran out of its starter's
// time is not this caller's failure: if ctx still has time, it makes a
// fresh call.
func (c *Cache) shared(ctx context.Context) (*Answer, error) {
	arrival := c.flights.Load()
	for {
		a, f, err := c.join(ctx)
		if err == nil || f == nil || f.seq > arrival || !f.timedOut || ctx.Err() != nil {
			return a, err
		}
	}
}

// join joins or starts the one upstream call and waits for it or for ctx.
// It returns the call it waited for, if it ended.
func (c *Cache) join(ctx context.Context) (*Answer, *flight, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("industry: get: %w", err)
	}
	ch := c.group.DoChan(flightKey, func() (v any, err error) {
		f := &flight{seq: c.flights.Add(1)}
		// singleflight re-panics a DoChan panic on a goroutine of its own,
		// which would end the process: turn a bug upstream into an error.
		defer func() {
			if p := recover(); p != nil {
				v, err = f, fmt.Errorf("industry: upstream panicked: %v", p)
			}
		}()
		return f, c.fetch(ctx, f)
	})
	select {
	case r := <-ch:
		f := r.Val.(*flight)
		addTrace(ctx, &f.trace)
		return f.answer, f, r.Err
	case <-ctx.Done():
		// The shared call usually runs to this same deadline, and its own
		// error says which upstream ran out of time (the token read or
		// WeChat). Give it a moment to report rather than racing it.
		grace := time.NewTimer(resultGrace)
		defer grace.Stop()
		select {
		case r := <-ch:
			f := r.Val.(*flight)
			addTrace(ctx, &f.trace)
			return f.answer, f, r.Err
		case <-grace.C:
			return nil, nil, fmt.Errorf("industry: get: waiting for upstream: %w", ctx.Err())
		}
	}
}

// resultGrace is how long a caller whose deadline has passed still waits
// for the shared call's own result; well inside the answer reserve the
// function keeps back from the Lambda deadline.
const resultGrace = 20 * time.Millisecond

// fetch is the body of the shared call, run with the first caller's ctx. It
// fills f, which callers get even with an error, for the trace.
func (c *Cache) fetch(ctx context.Context, f *flight) error {
	if a := c.last.Load(); a != nil && c.now().Before(a.Expires) {
		f.answer = a // a call that ended just before this one began refreshed it
		return nil
	}
	fctx := context.WithoutCancel(ctx)
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		fctx, cancel = context.WithDeadline(fctx, deadline)
		defer cancel()
	}
	fctx = wx.WithTrace(fctx, &f.trace)
	ind, err := c.upstream.GetIndustry(fctx)
	f.timedOut = fctx.Err() != nil
	if err != nil {
		return err
	}
	a, err := newAnswer(ind, c.now(), c.ttl, OutcomeMiss)
	if err != nil {
		return err
	}
	c.last.Store(a.with(OutcomeHit, nil))
	f.answer = a
	return nil
}

// addTrace adds what the shared call did to the *wx.Trace in ctx, if any.
func addTrace(ctx context.Context, from *wx.Trace) {
	t := wx.TraceFrom(ctx)
	if t == nil {
		return
	}
	t.Attempts += from.Attempts
	t.TokenRetried = t.TokenRetried || from.TokenRetried
	t.Duration += from.Duration
	t.TokenDuration += from.TokenDuration
}

// fallback returns the kept answer as stale if err allows it and the answer
// is young enough, or err.
func (c *Cache) fallback(ctx context.Context, err error) (*Answer, error) {
	last := c.last.Load()
	if last == nil || c.staleTTL == 0 || c.staleOK == nil || !c.staleOK(err) {
		return nil, err
	}
	age := c.now().Sub(last.FetchedAt)
	if age > c.staleTTL {
		return nil, err
	}
	c.log.LogAttrs(ctx, slog.LevelWarn, "serving stale industry",
		slog.Duration("age", age), slog.String("error", redact.String(err.Error())))
	return last.with(OutcomeStale, err), nil
}
