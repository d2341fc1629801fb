package wx_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// short gives each attempt 250ms, so a 1-minute stall is a timeout, yet a
// healthy exchange fits even on a loaded machine.
func short() wx.Options {
	o := fast()
	o.AttemptTimeout = 250 * time.Millisecond
	return o
}

func TestGetIndustryTransportFailures(t *testing.T) {
	stall := time.Minute
	tests := []struct {
		name    string
		fault   wxtest.Fault
		opts    wx.Options
		wantErr error
	}{
		{"slow headers", wxtest.Fault{Delay: stall}, short(), wx.ErrTimeout},
		{"slow body", wxtest.Fault{BodyDelay: stall}, short(), wx.ErrTimeout},
		{"slow error body", wxtest.Fault{Errcode: wx.CodeBusy, BodyDelay: stall}, short(), wx.ErrTimeout},
		{"connection reset", wxtest.Fault{Reset: true}, fast(), wx.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, c := setup(t, tt.opts)
			sim.Script(tt.fault, tt.fault, tt.fault)
			_, err := c.GetIndustry(context.Background())
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("GetIndustry() err = %v; want %v", err, tt.wantErr)
			}
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				t.Errorf("GetIndustry() err = %v; a per-attempt failure must not look like the caller's context", err)
			}
			if sim.Calls() != 3 {
				t.Errorf("calls = %d; want 3 (retried)", sim.Calls())
			}
		})
	}
}

func TestGetIndustrySlowThenOK(t *testing.T) {
	sim, c := setup(t, short())
	sim.Script(wxtest.Fault{Delay: time.Minute}, wxtest.Fault{BodyDelay: time.Minute})
	if _, err := c.GetIndustry(context.Background()); err != nil {
		t.Fatalf("GetIndustry() err = %v; want success on the third attempt", err)
	}
	if sim.Calls() != 3 {
		t.Errorf("calls = %d; want 3", sim.Calls())
	}
}

func TestGetIndustryConnectionRefused(t *testing.T) {
	srv := wxtest.NewServer(wxtest.NewSimulator("tok-1"))
	url := srv.URL
	srv.Close()
	c := newClient(t, url, staticToken("tok-1"), fast())
	_, err := c.GetIndustry(context.Background())
	if !errors.Is(err, wx.ErrUnavailable) {
		t.Fatalf("GetIndustry() err = %v; want ErrUnavailable", err)
	}
}

func TestGetIndustryDeadline(t *testing.T) {
	tests := []struct {
		name      string
		opts      func(*wx.Options)
		timeout   time.Duration
		script    []wxtest.Fault
		wantCode  int  // errcode of the *wx.Error returned; 0 with wantOK or wantTimeout
		wantOK    bool // success
		wantCalls int
	}{
		{
			name:    "backoff longer than the deadline: no sleep, last error at once",
			opts:    func(o *wx.Options) { o.Backoff = func(int) time.Duration { return time.Hour } },
			timeout: 30 * time.Second, script: []wxtest.Fault{{Errcode: wx.CodeBusy}},
			wantCode: wx.CodeBusy, wantCalls: 1,
		},
		{
			name:    "minute quota pause longer than the deadline",
			opts:    func(o *wx.Options) { o.MinuteQuotaPause = time.Hour },
			timeout: 30 * time.Second, script: []wxtest.Fault{{Errcode: wx.CodeMinuteQuota}},
			wantCode: wx.CodeMinuteQuota, wantCalls: 1,
		},
		{
			name:    "final attempt with a shrunk timeout",
			opts:    func(o *wx.Options) { o.AttemptTimeout = time.Hour },
			timeout: 30 * time.Second, script: []wxtest.Fault{{Errcode: wx.CodeBusy}},
			wantOK: true, wantCalls: 2,
		},
		{
			name:    "minute quota pause within the deadline",
			opts:    func(o *wx.Options) { o.MinuteQuotaPause = 5 * time.Millisecond },
			timeout: 30 * time.Second, script: []wxtest.Fault{{Errcode: wx.CodeMinuteQuota}},
			wantOK: true, wantCalls: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := fast()
			tt.opts(&opts)
			sim, c := setup(t, opts)
			sim.Script(tt.script...)
			ctx, cancel := context.WithTimeout(context.Background(), tt.timeout)
			defer cancel()
			_, err := c.GetIndustry(ctx)
			switch {
			case tt.wantOK && err != nil:
				t.Fatalf("GetIndustry() err = %v; want success", err)
			case !tt.wantOK:
				wantCode(t, err, tt.wantCode)
			}
			if ctx.Err() != nil {
				t.Errorf("GetIndustry() returned after the deadline; want it to give up without sleeping")
			}
			if sim.Calls() != tt.wantCalls {
				t.Errorf("calls = %d; want %d", sim.Calls(), tt.wantCalls)
			}
		})
	}
}

func TestGetIndustryCallerDeadlineDuringAttempt(t *testing.T) {
	opts := fast()
	opts.AttemptTimeout = time.Hour
	sim, c := setup(t, opts)
	sim.Script(wxtest.Fault{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.GetIndustry(ctx)
	if !errors.Is(err, wx.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("GetIndustry() err = %v; want ErrTimeout wrapping context.DeadlineExceeded", err)
	}
	if sim.Calls() != 1 {
		t.Errorf("calls = %d; want 1 (an expired caller deadline is not retried)", sim.Calls())
	}
}

func TestGetIndustryCancel(t *testing.T) {
	t.Run("before the call", func(t *testing.T) {
		sim, c := setup(t, fast())
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.GetIndustry(ctx)
		if !errors.Is(err, context.Canceled) || errors.Is(err, wx.ErrTimeout) {
			t.Fatalf("GetIndustry() err = %v; want context.Canceled, not ErrTimeout", err)
		}
		if sim.Calls() != 0 {
			t.Errorf("calls = %d; want 0", sim.Calls())
		}
	})
	t.Run("during an attempt", func(t *testing.T) {
		sim, c := setup(t, fast())
		sim.Script(wxtest.Fault{Delay: time.Hour}, wxtest.Fault{Delay: time.Hour})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go cancelOnCall(ctx, sim, cancel)
		_, err := c.GetIndustry(ctx)
		if !errors.Is(err, context.Canceled) || errors.Is(err, wx.ErrTimeout) {
			t.Fatalf("GetIndustry() err = %v; want context.Canceled, not ErrTimeout", err)
		}
		if sim.Calls() != 1 {
			t.Errorf("calls = %d; want 1 (cancellation is not retried)", sim.Calls())
		}
	})
	t.Run("during a backoff wait", func(t *testing.T) {
		opts := fast()
		opts.Backoff = func(int) time.Duration { return time.Hour }
		sim, c := setup(t, opts)
		sim.Script(wxtest.Fault{Errcode: wx.CodeBusy})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go cancelOnCall(ctx, sim, cancel)
		_, err := c.GetIndustry(ctx)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("GetIndustry() err = %v; want context.Canceled", err)
		}
	})
}

// cancelOnCall cancels once the simulator has seen a request.
func cancelOnCall(ctx context.Context, sim *wxtest.Simulator, cancel context.CancelFunc) {
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for sim.Calls() == 0 {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
	cancel()
}

func TestGetIndustryRetryAfter(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
		wantCalls  int32
	}{
		{"retry after zero", "0", 3},
		{"retry after past the deadline", "120", 1},
		{"retry after garbage ignored", "soon", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := newHTTPTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.Header().Set("Retry-After", tt.retryAfter)
				w.WriteHeader(http.StatusServiceUnavailable)
			}))
			c := newClient(t, srv.URL, staticToken("tok-1"), fast())
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := c.GetIndustry(ctx)
			if e := wantCode(t, err, 0); e.Status != http.StatusServiceUnavailable {
				t.Errorf("GetIndustry() err = %v; want http status 503", err)
			}
			if calls.Load() != tt.wantCalls {
				t.Errorf("calls = %d; want %d", calls.Load(), tt.wantCalls)
			}
		})
	}
}

func TestGetIndustryDoesNotFollowRedirects(t *testing.T) {
	var followed atomic.Bool
	target := newHTTPTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		followed.Store(true)
	}))
	srv := newHTTPTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.RequestURI(), http.StatusFound)
	}))
	c := newClient(t, srv.URL, staticToken("tok-1"), fast())
	_, err := c.GetIndustry(context.Background())
	if e := wantCode(t, err, 0); e.Status != http.StatusFound {
		t.Errorf("GetIndustry() err = %v; want http status 302", err)
	}
	if followed.Load() {
		t.Error("the redirect was followed; the token would leave for another host")
	}
}
