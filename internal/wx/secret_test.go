package wx_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/jsonlog/jsonlogtest"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// sentinel marks every token in this test; it must show up nowhere.
const sentinel = "SENTINEL-TOKEN-5f3c"

// TestSecretNeverLeaks drives every failure path with sentinel tokens (one of
// them needing query escaping) and checks errors, in every format and along
// the whole chain, and the debug log.
func TestSecretNeverLeaks(t *testing.T) {
	tokens := []string{sentinel, sentinel + "+/=&x", sentinel + "-fresh"}
	refused := wxtest.NewServer(wxtest.NewSimulator())
	refusedURL := refused.URL
	refused.Close()

	tests := []struct {
		name    string
		baseURL string // "" = the simulator
		faults  []wxtest.Fault
		ctx     func() (context.Context, context.CancelFunc)
		rotate  bool                // token source rotates on Invalidate
		echo    func(string) string // WeChat's errmsg quotes the token, changed by echo
		faultFn func(tok string) []wxtest.Fault
	}{
		{name: "connection refused", baseURL: refusedURL},
		{name: "connection reset", faults: []wxtest.Fault{{Reset: true}, {Reset: true}, {Reset: true}}},
		{name: "attempt timeout", faults: []wxtest.Fault{{Delay: time.Minute}, {BodyDelay: time.Minute}, {Delay: time.Minute}}},
		{name: "http 502", faults: []wxtest.Fault{{Status: 502}, {Status: 502}, {Status: 502}}},
		{name: "http 404", faults: []wxtest.Fault{{Status: 404}}},
		{name: "bad body", faults: []wxtest.Fault{{Body: "<html>" + sentinel}}},
		{name: "truncated json", faults: []wxtest.Fault{{Body: `{"primary_industry":{"first_class":"` + sentinel}}},
		{name: "errmsg echoes the token", echo: func(s string) string { return s }},
		{name: "errmsg echoes the token upper-cased", echo: strings.ToUpper},
		{name: "errmsg echoes the token lower-cased", echo: strings.ToLower},
		{name: "success echoes the token", faultFn: func(tok string) []wxtest.Fault {
			return []wxtest.Fault{{Body: `{"primary_industry":{"first_class":"` + tok + `","second_class":"x"}}`}}
		}},
		{name: "success echoes the token upper-cased", faultFn: func(tok string) []wxtest.Fault {
			return []wxtest.Fault{{Body: `{"primary_industry":{"first_class":"x"},"secondary_industry":{"second_class":"` + strings.ToUpper(tok) + `"}}`}}
		}},
		{name: "token rejected, rotated", rotate: true},
		{name: "token rejected, unchanged"},
		{name: "busy", faults: []wxtest.Fault{{Errcode: -1}, {Errcode: -1}, {Errcode: -1}}},
		{name: "daily quota", faults: []wxtest.Fault{{Errcode: wx.CodeDailyQuota}}},
		{name: "ip not allowed", faults: []wxtest.Fault{{Errcode: wx.CodeIPNotAllowed}}},
		{name: "cancelled", faults: []wxtest.Fault{{Delay: time.Minute}}, ctx: func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}},
		{name: "caller deadline", faults: []wxtest.Fault{{Delay: time.Minute}}, ctx: func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}},
	}
	for _, tok := range tokens {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/%q", tt.name, tok), func(t *testing.T) {
				sim := wxtest.NewSimulator("someone-else")
				sim.Script(tt.faults...)
				if tt.echo != nil {
					sim.Script(wxtest.Fault{Body: `{"errcode":40013,"errmsg":"invalid appid hint: [` + tt.echo(tok) + `] rid: 1a2b"}`})
				}
				if tt.faultFn != nil {
					sim.Script(tt.faultFn(tok)...)
				}
				base := tt.baseURL
				if base == "" {
					base = newServer(t, sim).URL
				}
				var logs jsonlogtest.Buffer
				opts := fast()
				opts.AttemptTimeout = 100 * time.Millisecond // only leaks are checked, not the error kind
				opts.Logger = debugLogger(&logs)
				src := &rotatingSource{tokens: []string{tok}}
				if tt.rotate {
					src.tokens = append(src.tokens, tok+"-2")
				}
				c := newClient(t, base, src, opts)
				ctx, cancel := context.Background(), context.CancelFunc(func() {})
				if tt.ctx != nil {
					ctx, cancel = tt.ctx()
				}
				defer cancel()
				_, err := c.GetIndustry(ctx)
				if err == nil {
					t.Fatal("GetIndustry() err = nil; want a failure")
				}
				assertNoSecret(t, err, logs.String())
			})
		}
	}
}

// assertNoSecret fails if "SENTINEL", in any letter case, appears in err
// (Error, %v, %+v, %#v, for every error in its chain) or in logs.
func assertNoSecret(tb testing.TB, err error, logs string) {
	tb.Helper()
	for _, e := range chain(err) {
		for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			if s := fmt.Sprintf(format, e); strings.Contains(strings.ToUpper(s), "SENTINEL") {
				tb.Errorf("error %T formatted with %s leaks the token: %s", e, format, s)
			}
		}
	}
	if strings.Contains(strings.ToUpper(logs), "SENTINEL") {
		tb.Errorf("log output leaks the token:\n%s", logs)
	}
}

// chain returns err and every error it wraps, depth first.
func chain(err error) []error {
	if err == nil {
		return nil
	}
	out := []error{err}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		out = append(out, chain(u.Unwrap())...)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			out = append(out, chain(e)...)
		}
	}
	return out
}

func TestSecretNotInRequestsElsewhere(t *testing.T) {
	// The token travels only in the query of the get_industry URL.
	var headers http.Header
	srv := newHTTPTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		headers = r.Header.Clone()
		if got := r.URL.Query().Get("access_token"); got != sentinel {
			t.Errorf("access_token = %q; want the sentinel", got)
		}
		w.WriteHeader(http.StatusBadGateway)
	}))
	c := newClient(t, srv.URL, staticToken(sentinel), fast())
	_, err := c.GetIndustry(context.Background())
	if !errors.As(err, new(*wx.Error)) {
		t.Fatalf("GetIndustry() err = %v; want *wx.Error", err)
	}
	for k, v := range headers {
		if strings.Contains(strings.Join(v, ","), "SENTINEL") {
			t.Errorf("header %s carries the token", k)
		}
	}
}
