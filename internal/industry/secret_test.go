package industry_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/industry"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

const sentinel = "SENTINEL-TOKEN-5f3c"

// staticToken is a wx.TokenSource that always returns the same token.
type staticToken string

func (t staticToken) Token(context.Context) (string, error) { return string(t), nil }

// TestSentinelTokenNeverLeaks drives the failure paths through the real
// client and simulator and checks the token appears in no error, answer or
// log line. An upstream whose own error text carries the token gets its
// error back unchanged, but the Cache's log line is still redacted.
func TestSentinelTokenNeverLeaks(t *testing.T) {
	leaky := &url.Error{Op: "Get", URL: "https://api.weixin.qq.com/cgi-bin/template/get_industry?access_token=" + sentinel,
		Err: errors.New("connection refused")}
	tests := []struct {
		name   string
		faults []wxtest.Fault
		leaky  bool
	}{
		{"busy", []wxtest.Fault{{Errcode: wx.CodeBusy}, {Errcode: wx.CodeBusy}}, false},
		{"token rejected", []wxtest.Fault{{Errcode: wx.CodeInvalidCredential}}, false},
		{"http 503", []wxtest.Fault{{Status: 503}, {Status: 503}}, false},
		{"connection reset", []wxtest.Fault{{Reset: true}, {Reset: true}}, false},
		{"not JSON", []wxtest.Fault{{Body: "<html>" + sentinel + "</html>"}}, false},
		{"upstream error carrying the token", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := wxtest.NewSimulator(sentinel)
			srv := wxtest.NewServer(sim)
			t.Cleanup(srv.Close)
			client, err := wx.NewClient(srv.URL, staticToken(sentinel), wx.Options{
				MaxAttempts: 2, Backoff: func(int) time.Duration { return 0 }})
			if err != nil {
				t.Fatalf("NewClient() err = %v", err)
			}
			var up industry.Getter = client
			if tt.leaky {
				calls := 0
				up = &fakeGetter{fn: func(ctx context.Context) (*wx.Industry, error) {
					if calls++; calls == 1 {
						return client.GetIndustry(ctx)
					}
					return nil, leaky
				}}
			}
			clk := newClock()
			log, buf := newLogger(t)
			c := industry.NewCache(up, industry.Options{TTL: time.Minute, StaleTTL: time.Hour,
				StaleOK: func(error) bool { return true }, Now: clk.Now, Logger: log})
			ctx := context.Background()
			if _, err := c.Get(ctx); err != nil {
				t.Fatalf("first Get() err = %v", err)
			}
			var seen []string
			for i, advance := range []time.Duration{2 * time.Minute, 2 * time.Hour} { // stale, then too old
				clk.Advance(advance)
				sim.Script(append(tt.faults, tt.faults...)...) // enough for the transport's own retry too
				a, err := c.Get(ctx)
				switch {
				case i == 0 && (err != nil || a.Outcome != industry.OutcomeStale):
					t.Fatalf("Get() within StaleTTL = %+v, %v; want a stale answer", a, err)
				case i == 1 && err == nil:
					t.Fatalf("Get() past StaleTTL = %+v; want an error", a)
				case err != nil:
					seen = append(seen, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
				default:
					seen = append(seen, string(a.Body), a.ETag, a.Cause.Error(), fmt.Sprintf("%+v", a.Cause))
				}
			}
			if tt.leaky {
				// Errors pass through unchanged (wx.Client redacts its own);
				// the Cache answers only for what it logs.
				seen = nil
				if !strings.Contains(buf.String(), "access_token=REDACTED") {
					t.Errorf("log = %s; want the cause with access_token=REDACTED", buf.String())
				}
			}
			seen = append(seen, buf.String())
			for _, s := range seen {
				if strings.Contains(s, sentinel) {
					t.Errorf("token leaked: %s", s)
				}
			}
			if !strings.Contains(buf.String(), "serving stale industry") {
				t.Errorf("log = %s; want a stale warning", buf.String())
			}
		})
	}
}
