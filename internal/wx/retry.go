package wx

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/wxindustry/getindustry/internal/redact"
)

// minFinalAttempt is the least time worth a last attempt. When the caller's
// deadline leaves less than wait + AttemptTimeout, the client still waits and
// makes one more attempt, its timeout shrunk to what remains, provided at
// least min(AttemptTimeout, minFinalAttempt) remains after the wait;
// otherwise it returns the last error at once rather than sleeping towards a
// deadline it cannot use.
const minFinalAttempt = 50 * time.Millisecond

// maxRetryAfter is the longest Retry-After the client waits for; a longer one
// ends the retries.
const maxRetryAfter = 10 * time.Second

// backoff computes exponential waits with full jitter: a uniform random
// duration in [0, min(cap, base*2^(attempt-1))]. int64n is the random source,
// returning a value in [0, n); it must be safe for concurrent use
// (math/rand/v2.Int64N is).
type backoff struct {
	base   time.Duration
	cap    time.Duration
	int64n func(n int64) int64
}

// duration returns the wait after the given number of failures (1, 2, ...).
func (b backoff) duration(attempt int) time.Duration {
	d := b.cap
	if shift := max(attempt-1, 0); shift < 62 {
		if exp := b.base << shift; exp > 0 && exp>>shift == b.base && exp < b.cap {
			d = exp
		}
	}
	if d <= 0 {
		return 0
	}
	return time.Duration(b.int64n(int64(d) + 1))
}

// retryable reports whether err is worth another attempt: a transient
// failure (see ErrorClass.Transient: errcode -1 or 45011, an HTTP 5xx status, a
// per-attempt timeout or a connection error), unless it is the caller's own
// cancellation or expired deadline.
func retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return Classify(err, time.Time{}).Transient()
}

// do runs r until it succeeds, fails for good, runs out of attempts or of
// deadline, and returns the reply body. Transient failures are retried after
// a backoff wait (at least MinuteQuotaPause for 45011, at least Retry-After
// when a 5xx sends one). For an authed request, a token rejection leads to
// one retry with a freshly read token, if it differs; that retry is not a
// backoff step. A request marked once is never retried.
func (c *Client) do(ctx context.Context, r request) ([]byte, error) {
	start := time.Now()
	var tokenTime time.Duration
	tr := TraceFrom(ctx)
	if tr != nil {
		defer func() {
			tr.Duration += time.Since(start) - tokenTime
			tr.TokenDuration += tokenTime
		}()
	}
	if err := ctx.Err(); err != nil {
		return nil, contextError(r.op, err)
	}
	var tok string
	if r.authed {
		var err error
		if tok, err = c.token(ctx, r.op, &tokenTime); err != nil {
			return nil, err
		}
	}
	tokenRetried := false
	for n, failures := 1, 0; ; n++ {
		began := time.Now()
		body, err := c.attempt(ctx, r, tok, n)
		if tr != nil {
			tr.Attempts++
		}
		if err == nil {
			return body, nil
		}
		took := time.Since(began)
		if r.authed && !tokenRetried && tokenRejected(err) {
			fresh, terr := c.refresh(ctx, r.op, tok, &tokenTime)
			if terr != nil {
				return nil, terr
			}
			retry := fresh != "" && fresh != tok
			c.logAttempt(ctx, r.op, n, took, err, retry, 0)
			if !retry {
				return nil, err
			}
			tok, tokenRetried = fresh, true
			if tr != nil {
				tr.TokenRetried = true
			}
			continue
		}
		failures++
		wait, retry := c.next(ctx, err, failures)
		retry = retry && !r.once
		c.logAttempt(ctx, r.op, n, took, err, retry, wait)
		if !retry {
			return nil, err
		}
		if err := pause(ctx, wait); err != nil {
			return nil, contextError(r.op, err)
		}
	}
}

// next decides whether to retry after the given number of transient
// failures, and how long to wait first.
func (c *Client) next(ctx context.Context, err error, failures int) (time.Duration, bool) {
	if !retryable(err) || failures >= c.maxAttempts {
		return 0, false
	}
	wait := max(c.backoff(failures), 0)
	var e *Error
	if errors.As(err, &e) {
		if e.Code == CodeMinuteQuota {
			wait = max(wait, c.quotaPause)
		}
		if e.retryAfter > maxRetryAfter {
			return 0, false
		}
		wait = max(wait, e.retryAfter)
	}
	return wait, c.fits(ctx, wait)
}

// fits reports whether, after waiting wait, enough of the caller's deadline
// remains for another attempt (see minFinalAttempt).
func (c *Client) fits(ctx context.Context, wait time.Duration) bool {
	dl, ok := ctx.Deadline()
	if !ok {
		return true
	}
	return time.Until(dl)-wait >= min(c.attemptTimeout, minFinalAttempt)
}

// pause waits for d or until ctx is done, whichever comes first, and returns
// ctx's error in the second case.
func pause(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// tokenRejected reports whether err is WeChat rejecting the access token.
func tokenRejected(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.TokenRejected()
}

// token reads the access token, adding the time spent to *spent.
func (c *Client) token(ctx context.Context, op string, spent *time.Duration) (string, error) {
	if c.tokens == nil {
		return "", &tokenError{op: op, err: errNoTokenSource}
	}
	start := time.Now()
	tok, err := c.tokens.Token(ctx)
	*spent += time.Since(start)
	switch {
	case err != nil:
		return "", &tokenError{op: op, err: err}
	case tok == "":
		return "", &tokenError{op: op, err: errEmptyToken}
	}
	return tok, nil
}

// tokenError is a failure to get the access token from the TokenSource. It
// is not a WeChat failure: Classify leaves it to the source's own package.
type tokenError struct {
	op  string
	err error
}

func (e *tokenError) Error() string { return "wx: " + e.op + ": access token: " + e.err.Error() }

func (e *tokenError) Unwrap() error { return e.err }

// refresh asks the TokenSource to drop stale, if it can, and reads the token
// again. It returns stale itself when the source cannot invalidate.
func (c *Client) refresh(ctx context.Context, op, stale string, spent *time.Duration) (string, error) {
	inv, ok := c.tokens.(invalidator)
	if !ok {
		return stale, nil
	}
	start := time.Now()
	inv.Invalidate(stale)
	*spent += time.Since(start)
	return c.token(ctx, op, spent)
}

// logAttempt logs a failed attempt: at Warn when the client retries it, at
// Debug when the error goes back to the caller, who handles it.
func (c *Client) logAttempt(ctx context.Context, op string, n int, took time.Duration, err error, retry bool, wait time.Duration) {
	level, msg := slog.LevelDebug, "wx request failed"
	if retry {
		level, msg = slog.LevelWarn, "wx request failed, retrying"
	}
	if !c.log.Enabled(ctx, level) {
		return
	}
	code, status, rid := 0, 0, ""
	var e *Error
	if errors.As(err, &e) {
		code, status, rid = e.Code, e.Status, e.RID
	}
	c.log.LogAttrs(ctx, level, msg,
		slog.String("op", op),
		slog.Int("attempt", n),
		slog.Int("wx_errcode", code),
		slog.Int("http_status", status),
		slog.String("wx_rid", rid),
		slog.Duration("duration", took),
		slog.Bool("retry", retry),
		slog.Duration("wait", wait),
		slog.String("error", redact.String(err.Error())),
	)
}
