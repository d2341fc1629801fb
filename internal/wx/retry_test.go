package wx

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"syscall"
	"testing"
	"time"
)

func TestRetryable(t *testing.T) {
	connErr := fmt.Errorf("wx: get_industry: %w: %w", ErrUnavailable, &url.Error{Op: "Get", URL: "u", Err: syscall.ECONNRESET})
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"busy", &Error{Code: CodeBusy}, true},
		{"minute quota", &Error{Code: CodeMinuteQuota}, true},
		{"http 500", &Error{Status: 500}, true},
		{"http 502", &Error{Status: 502}, true},
		{"http 599", &Error{Status: 599}, true},
		{"http 404", &Error{Status: 404}, false},
		{"http 429", &Error{Status: 429}, false},
		{"http 302", &Error{Status: 302}, false},
		{"per-attempt timeout", fmt.Errorf("wx: get_industry: attempt 1: %w after 3s", ErrTimeout), true},
		{"connection error", connErr, true},
		{"caller cancelled", contextError("get_industry", context.Canceled), false},
		{"caller deadline", contextError("get_industry", context.DeadlineExceeded), false},
		{"bad response", fmt.Errorf("wx: get_industry: %w: empty body", ErrBadResponse), false},
		{"daily quota", &Error{Code: CodeDailyQuota}, false},
		{"token missing", &Error{Code: CodeTokenMissing}, false},
		{"invalid credential", &Error{Code: CodeInvalidCredential}, false},
		{"token expired", &Error{Code: CodeTokenExpired}, false},
		{"api unauthorized", &Error{Code: CodeAPIUnauthorized}, false},
		{"api banned", &Error{Code: CodeAPIBanned}, false},
		{"account restricted", &Error{Code: CodeAccountRestricted}, false},
		{"ip not allowed", &Error{Code: CodeIPNotAllowed}, false},
		{"unknown code", &Error{Code: 61451}, false},
		{"wrapped busy", fmt.Errorf("outer: %w", &Error{Code: CodeBusy}), true},
		{"unknown error", errors.New("something"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryable(tt.err); got != tt.want {
				t.Errorf("retryable(%v) = %v; want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	highest := func(n int64) int64 { return n - 1 }
	lowest := func(int64) int64 { return 0 }
	tests := []struct {
		name    string
		b       backoff
		attempt int
		want    time.Duration
	}{
		{"first, top of range", backoff{100 * time.Millisecond, time.Second, highest}, 1, 100 * time.Millisecond},
		{"second doubles", backoff{100 * time.Millisecond, time.Second, highest}, 2, 200 * time.Millisecond},
		{"third doubles", backoff{100 * time.Millisecond, time.Second, highest}, 3, 400 * time.Millisecond},
		{"fifth capped", backoff{100 * time.Millisecond, time.Second, highest}, 5, time.Second},
		{"huge attempt capped", backoff{100 * time.Millisecond, time.Second, highest}, 1000, time.Second},
		{"zeroth treated as first", backoff{100 * time.Millisecond, time.Second, highest}, 0, 100 * time.Millisecond},
		{"full jitter reaches zero", backoff{100 * time.Millisecond, time.Second, lowest}, 3, 0},
		{"zero cap", backoff{100 * time.Millisecond, 0, highest}, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.b.duration(tt.attempt); got != tt.want {
				t.Errorf("backoff.duration(%d) = %v; want %v", tt.attempt, got, tt.want)
			}
		})
	}
}

func TestBackoffRandomSourceBounds(t *testing.T) {
	var asked []int64
	b := backoff{base: 100 * time.Millisecond, cap: time.Second, int64n: func(n int64) int64 {
		asked = append(asked, n)
		return n / 2
	}}
	for attempt := 1; attempt <= 6; attempt++ {
		b.duration(attempt)
	}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, n := range asked {
		if limit := int64(want[i]*time.Millisecond) + 1; n != limit {
			t.Errorf("attempt %d asked the random source for [0, %d); want [0, %d)", i+1, n, limit)
		}
	}
}

func TestNext(t *testing.T) {
	c := &Client{
		attemptTimeout: time.Second,
		maxAttempts:    3,
		backoff:        func(int) time.Duration { return 10 * time.Millisecond },
		quotaPause:     500 * time.Millisecond,
	}
	tests := []struct {
		name      string
		err       error
		failures  int
		deadline  time.Duration // 0: none
		wantWait  time.Duration
		wantRetry bool
	}{
		{"busy, no deadline", &Error{Code: CodeBusy}, 1, 0, 10 * time.Millisecond, true},
		{"attempts exhausted", &Error{Code: CodeBusy}, 3, 0, 0, false},
		{"not retryable", &Error{Code: CodeDailyQuota}, 1, 0, 0, false},
		{"minute quota pause", &Error{Code: CodeMinuteQuota}, 1, 0, 500 * time.Millisecond, true},
		{"retry-after longer than backoff", &Error{Status: 503, retryAfter: 2 * time.Second}, 1, 0, 2 * time.Second, true},
		{"retry-after too long", &Error{Status: 503, retryAfter: time.Hour}, 1, 0, 0, false},
		{"room for a full attempt", &Error{Code: CodeBusy}, 1, time.Hour, 10 * time.Millisecond, true},
		{"room for a shrunk final attempt", &Error{Code: CodeBusy}, 1, 500 * time.Millisecond, 10 * time.Millisecond, true},
		{"no room even for a short attempt", &Error{Code: CodeBusy}, 1, 40 * time.Millisecond, 10 * time.Millisecond, false},
		{"quota pause past the deadline", &Error{Code: CodeMinuteQuota}, 1, 300 * time.Millisecond, 500 * time.Millisecond, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			wait, retry := c.next(ctx, tt.err, tt.failures)
			if retry != tt.wantRetry || (retry && wait != tt.wantWait) {
				t.Errorf("next(%v, %d) = %v, %v; want %v, %v", tt.err, tt.failures, wait, retry, tt.wantWait, tt.wantRetry)
			}
		})
	}
}

func TestPause(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := pause(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("pause(cancelled, 1h) = %v; want context.Canceled without waiting", err)
	}
	if err := pause(context.Background(), 0); err != nil {
		t.Errorf("pause(background, 0) = %v; want nil", err)
	}
}
