package wx_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/jsonlog/jsonlogtest"
	"github.com/wxindustry/getindustry/internal/redact"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

var testPlatform = wxtest.Component{
	AppID:          "wx1111111111111111",
	AppSecret:      "SENTINEL-COMPONENT-SECRET",
	Token:          "msg-token",
	EncodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
}

// setupPlatform starts a simulator playing WeChat for testPlatform on a
// fixed clock, pushes a ticket to a receiver that accepts anything, and
// returns a client with no TokenSource and the ticket.
func setupPlatform(tb testing.TB, opts wx.Options) (*wxtest.Simulator, *wx.Client, string) {
	tb.Helper()
	sim := wxtest.NewSimulator()
	if err := sim.SetComponent(testPlatform); err != nil {
		tb.Fatal(err)
	}
	start := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	sim.SetNow(func() time.Time { return start })
	rcv := newHTTPTestServer(tb, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "success") }))
	ticket, _, err := sim.PushTicket(context.Background(), rcv.URL)
	if err != nil {
		tb.Fatal(err)
	}
	return sim, newClient(tb, newServer(tb, sim).URL, nil, opts), ticket
}

func TestComponentFlow(t *testing.T) {
	sim, c, ticket := setupPlatform(t, fast())
	ctx := context.Background()
	ct, err := c.ComponentToken(ctx, testPlatform.AppID, testPlatform.AppSecret, ticket)
	if err != nil || ct.ExpiresIn != 7200 || len(ct.AccessToken) < 100 {
		t.Fatalf("ComponentToken() = %v, %v; want a token for 7200 s", ct, err)
	}
	pre, err := c.CreatePreAuthCode(ctx, ct.AccessToken, testPlatform.AppID)
	if err != nil || pre.ExpiresIn != 600 || !strings.HasPrefix(pre.Code, "preauthcode@@@") {
		t.Fatalf("CreatePreAuthCode() = %v, %v; want a code for 600 s", pre, err)
	}
	appID, code, _ := sim.AuthorizeAccount(1, 15)
	auth, err := c.QueryAuth(ctx, ct.AccessToken, testPlatform.AppID, code)
	if err != nil || auth.AppID != appID || auth.ExpiresIn != 7200 || fmt.Sprint(auth.FuncScopes) != "[1 15]" {
		t.Fatalf("QueryAuth() = %v, %v; want %s's tokens and scopes [1 15]", auth, err, appID)
	}
	st, _ := sim.Authorizer(appID)
	if auth.AccessToken != st.AccessToken || auth.RefreshToken != st.RefreshToken {
		t.Error("QueryAuth() tokens differ from the simulator's")
	}
	// The authorizer's token reads the authorizer's own industry.
	ind, err := newClient(t, newServer(t, sim).URL, staticToken(auth.AccessToken), fast()).GetIndustry(ctx)
	if err != nil || *ind != wxtest.AccountIndustry(appID) {
		t.Fatalf("GetIndustry(authorizer token) = %+v, %v; want %s's industry", ind, err, appID)
	}
	sim.Advance(time.Hour)
	tok, err := c.AuthorizerToken(ctx, ct.AccessToken, testPlatform.AppID, appID, auth.RefreshToken)
	if err != nil || tok.AppID != appID || tok.AccessToken == auth.AccessToken || tok.ExpiresIn != 7200 || tok.RefreshToken != auth.RefreshToken {
		t.Fatalf("AuthorizerToken() = %v, %v; want a new access token, the same refresh token", tok, err)
	}
	page, err := c.AuthorizerList(ctx, ct.AccessToken, testPlatform.AppID, 0, 500)
	if err != nil || page.TotalCount != 1 || len(page.List) != 1 || page.List[0].AppID != appID ||
		page.List[0].RefreshToken != auth.RefreshToken || page.List[0].AuthTime != sim.Now().Add(-time.Hour).Unix() {
		t.Fatalf("AuthorizerList() = %+v, %v; want the one account", page, err)
	}
	for op, want := range map[string]int{"api_component_token": 1, "api_create_preauthcode": 1, "api_query_auth": 1, "api_authorizer_token": 1, "api_get_authorizer_list": 1} {
		if n := sim.ComponentCalls(op); n != want {
			t.Errorf("ComponentCalls(%s) = %d; want %d", op, n, want)
		}
	}
}

func TestComponentErrors(t *testing.T) {
	ctx := context.Background()
	type env struct {
		sim    *wxtest.Simulator
		c      *wx.Client
		ctok   string
		appID  string
		code   string // already exchanged
		rtoken string
	}
	tests := []struct {
		name  string
		call  func(e env) error
		op    string
		code  int
		calls int
	}{
		{"ticket invalid", func(e env) error {
			_, err := e.c.ComponentToken(ctx, testPlatform.AppID, testPlatform.AppSecret, "ticket@@@old")
			return err
		}, "api_component_token", wx.CodeTicketInvalid, 2},
		{"ip not allowed", func(e env) error {
			e.sim.SetComponentIPAllowed(false)
			_, err := e.c.AuthorizerList(ctx, e.ctok, testPlatform.AppID, 0, 10)
			return err
		}, "api_get_authorizer_list", wx.CodeComponentIPNotAllowed, 1},
		{"component token rejected", func(e env) error {
			_, err := e.c.CreatePreAuthCode(ctx, "forged", testPlatform.AppID)
			return err
		}, "api_create_preauthcode", wx.CodeInvalidCredential, 1},
		{"code used", func(e env) error {
			_, err := e.c.QueryAuth(ctx, e.ctok, testPlatform.AppID, e.code)
			return err
		}, "api_query_auth", wx.CodeAuthCodeInvalid, 2},
		{"refresh token stale", func(e env) error {
			e.sim.RotateRefreshToken(e.appID)
			_, err := e.c.AuthorizerToken(ctx, e.ctok, testPlatform.AppID, e.appID, e.rtoken)
			return err
		}, "api_authorizer_token", wx.CodeRefreshTokenInvalid, 1},
		{"not authorized", func(e env) error {
			e.sim.Revoke(e.appID)
			_, err := e.c.AuthorizerToken(ctx, e.ctok, testPlatform.AppID, e.appID, e.rtoken)
			return err
		}, "api_authorizer_token", wx.CodeComponentNotAuthorized, 1},
		{"query_auth busy: never retried", func(e env) error {
			e.sim.ScriptComponent("api_query_auth", wxtest.Fault{Errcode: wx.CodeBusy})
			_, code, _ := e.sim.AuthorizeAccount()
			_, err := e.c.QueryAuth(ctx, e.ctok, testPlatform.AppID, code)
			return err
		}, "api_query_auth", wx.CodeBusy, 2},
		{"authorizer_token 502: never retried", func(e env) error {
			e.sim.ScriptComponent("api_authorizer_token", wxtest.Fault{Status: http.StatusBadGateway})
			_, err := e.c.AuthorizerToken(ctx, e.ctok, testPlatform.AppID, e.appID, e.rtoken)
			return err
		}, "api_authorizer_token", 0, 1},
		{"list busy: retried", func(e env) error {
			e.sim.ScriptComponent("api_get_authorizer_list", wxtest.Fault{Errcode: wx.CodeBusy}, wxtest.Fault{Errcode: wx.CodeBusy})
			_, err := e.c.AuthorizerList(ctx, e.ctok, testPlatform.AppID, 0, 10)
			return err
		}, "api_get_authorizer_list", 0, 3},
		{"component_token 502: retried", func(e env) error {
			e.sim.ScriptComponent("api_component_token", wxtest.Fault{Status: http.StatusBadGateway})
			_, err := e.c.ComponentToken(ctx, testPlatform.AppID, testPlatform.AppSecret, e.sim.Ticket())
			return err
		}, "api_component_token", 0, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, c, ticket := setupPlatform(t, fast())
			ct, err := c.ComponentToken(ctx, testPlatform.AppID, testPlatform.AppSecret, ticket)
			if err != nil {
				t.Fatal(err)
			}
			appID, code, _ := sim.AuthorizeAccount()
			auth, err := c.QueryAuth(ctx, ct.AccessToken, testPlatform.AppID, code)
			if err != nil {
				t.Fatal(err)
			}
			err = tt.call(env{sim, c, ct.AccessToken, appID, code, auth.RefreshToken})
			var e *wx.Error
			switch {
			case tt.code == 0 && tt.name == "authorizer_token 502: never retried":
				if !errors.As(err, &e) || e.Status != http.StatusBadGateway {
					t.Errorf("err = %v; want http status 502", err)
				}
			case tt.code == 0:
				if err != nil {
					t.Errorf("err = %v; want success after retries", err)
				}
			case !errors.As(err, &e) || e.Code != tt.code || e.Op != tt.op:
				t.Errorf("err = %v; want *wx.Error %s errcode %d", err, tt.op, tt.code)
			}
			if n := sim.ComponentCalls(tt.op); n != tt.calls {
				t.Errorf("ComponentCalls(%s) = %d; want %d", tt.op, n, tt.calls)
			}
		})
	}
}

// TestComponentWireFormat checks each call's method, path, query and body
// against WeChat's documentation.
func TestComponentWireFormat(t *testing.T) {
	var mu sync.Mutex
	type seen struct{ method, path, query, contentType, body string }
	var got seen
	replies := map[string]string{
		"/cgi-bin/component/api_component_token":     `{"component_access_token":"ct","expires_in":7200}`,
		"/cgi-bin/component/api_create_preauthcode":  `{"pre_auth_code":"pc","expires_in":600}`,
		"/cgi-bin/component/api_query_auth":          `{"authorization_info":{"authorizer_appid":"wxa","authorizer_access_token":"at","expires_in":7200,"authorizer_refresh_token":"rt","func_info":[{"funcscope_category":{"id":1}}]}}`,
		"/cgi-bin/component/api_authorizer_token":    `{"authorizer_access_token":"at2","expires_in":7200,"authorizer_refresh_token":"rt2"}`,
		"/cgi-bin/component/api_get_authorizer_list": `{"total_count":1,"list":[{"authorizer_appid":"wxa","refresh_token":"rt","auth_time":1700000000}]}`,
	}
	srv := newHTTPTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"), string(b)}
		mu.Unlock()
		_, _ = io.WriteString(w, replies[r.URL.Path])
	}))
	c := newClient(t, srv.URL, nil, fast())
	ctx := context.Background()
	tests := []struct {
		name  string
		call  func() (any, error)
		want  seen
		reply string
	}{
		{"component token", func() (any, error) { return c.ComponentToken(ctx, "wxc", "secret", "ticket") },
			seen{path: "api_component_token", body: `{"component_appid":"wxc","component_appsecret":"secret","component_verify_ticket":"ticket"}`},
			"wx.ComponentToken{AccessToken:REDACTED, ExpiresIn:7200}"},
		{"pre-auth code", func() (any, error) { return c.CreatePreAuthCode(ctx, "ct+/", "wxc") },
			seen{path: "api_create_preauthcode", query: "component_access_token=ct%2B%2F", body: `{"component_appid":"wxc"}`},
			"wx.PreAuthCode{Code:REDACTED, ExpiresIn:600}"},
		{"query auth", func() (any, error) { return c.QueryAuth(ctx, "ct", "wxc", "code") },
			seen{path: "api_query_auth", query: "component_access_token=ct", body: `{"authorization_code":"code","component_appid":"wxc"}`},
			"wx.Authorization{wx.AuthorizerToken{AppID:wxa, AccessToken:REDACTED, ExpiresIn:7200, RefreshToken:REDACTED}, FuncScopes:[1]}"},
		{"authorizer token", func() (any, error) { return c.AuthorizerToken(ctx, "ct", "wxc", "wxa", "rt") },
			seen{path: "api_authorizer_token", query: "component_access_token=ct", body: `{"authorizer_appid":"wxa","authorizer_refresh_token":"rt","component_appid":"wxc"}`},
			"wx.AuthorizerToken{AppID:wxa, AccessToken:REDACTED, ExpiresIn:7200, RefreshToken:REDACTED}"},
		{"authorizer list", func() (any, error) { return c.AuthorizerList(ctx, "ct", "wxc", 500, 500) },
			seen{path: "api_get_authorizer_list", query: "component_access_token=ct", body: `{"component_appid":"wxc","offset":500,"count":500}`},
			"&{1 [wx.Authorizer{AppID:wxa, RefreshToken:REDACTED, AuthTime:1700000000}]}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tt.call()
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			want := tt.want
			want.method, want.path, want.contentType = http.MethodPost, "/cgi-bin/component/"+want.path, "application/json"
			if got != want {
				t.Errorf("request = %+v; want %+v", got, want)
			}
			if s := fmt.Sprint(v); s != tt.reply && fmt.Sprintf("%v", v) != "&"+tt.reply {
				t.Errorf("reply prints as %s; want %s", s, tt.reply)
			}
		})
	}
}

func TestComponentBadResponses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, body string
		call       func(c *wx.Client) error
	}{
		{"token without expires_in", `{"component_access_token":"x"}`, func(c *wx.Client) error {
			_, err := c.ComponentToken(ctx, "a", "b", "c")
			return err
		}},
		{"no authorization_info", `{}`, func(c *wx.Client) error { _, err := c.QueryAuth(ctx, "t", "a", "c"); return err }},
		{"no refresh token", `{"authorization_info":{"authorizer_appid":"wxa","authorizer_access_token":"x","expires_in":7200}}`, func(c *wx.Client) error {
			_, err := c.QueryAuth(ctx, "t", "a", "c")
			return err
		}},
		{"empty access token", `{"authorizer_access_token":"","expires_in":7200}`, func(c *wx.Client) error {
			_, err := c.AuthorizerToken(ctx, "t", "a", "b", "r")
			return err
		}},
		{"list without total", `{"list":[]}`, func(c *wx.Client) error { _, err := c.AuthorizerList(ctx, "t", "a", 0, 1); return err }},
		{"list of wrong type", `{"total_count":1,"list":{}}`, func(c *wx.Client) error { _, err := c.AuthorizerList(ctx, "t", "a", 0, 1); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newHTTPTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, tt.body) }))
			if err := tt.call(newClient(t, srv.URL, nil, fast())); !errors.Is(err, wx.ErrBadResponse) {
				t.Errorf("err = %v; want ErrBadResponse", err)
			}
		})
	}
	c := newClient(t, "http://127.0.0.1:1", nil, fast())
	for name, err := range map[string]error{
		"count 501":     func() error { _, err := c.AuthorizerList(ctx, "t", "a", 0, 501); return err }(),
		"count 0":       func() error { _, err := c.AuthorizerList(ctx, "t", "a", 0, 0); return err }(),
		"no token":      func() error { _, err := c.QueryAuth(ctx, "", "a", "c"); return err }(),
		"no app secret": func() error { _, err := c.ComponentToken(ctx, "a", "", "t"); return err }(),
	} {
		if err == nil {
			t.Errorf("%s: err = nil; want a refusal without calling WeChat", name)
		}
	}
}

// TestComponentSecretsNeverLeak drives failures with sentinel secrets in
// every place a component call carries one and checks errors and logs.
func TestComponentSecretsNeverLeak(t *testing.T) {
	const tok = "SENTINEL-CT+/&x"
	refused := newHTTPTestServer(t, http.NotFoundHandler())
	refusedURL := refused.URL
	refused.Close()
	tests := []struct {
		name, base string
		faults     []wxtest.Fault
	}{
		{name: "connection refused", base: refusedURL},
		{name: "reset", faults: []wxtest.Fault{{Reset: true}, {Reset: true}, {Reset: true}}},
		{name: "bad body", faults: []wxtest.Fault{{Body: "<html>SENTINEL"}, {Body: "<html>SENTINEL"}, {Body: "<html>SENTINEL"}}},
		{name: "errmsg echoes what was sent", faults: []wxtest.Fault{{Body: `{"errcode":40001,"errmsg":"invalid credential ECHO rid: 1"}`}}},
		{name: "http 502", faults: []wxtest.Fault{{Status: 502}, {Status: 502}, {Status: 502}}},
	}
	ops := []struct {
		name, echo string // echo: the secrets the call sends, as an errmsg might quote them
		call       func(c *wx.Client) error
	}{
		{"api_component_token", "SENTINEL-COMPONENT-SECRET SENTINEL-TICKET", func(c *wx.Client) error {
			_, err := c.ComponentToken(context.Background(), testPlatform.AppID, testPlatform.AppSecret, "SENTINEL-TICKET")
			return err
		}},
		{"api_create_preauthcode", tok, func(c *wx.Client) error {
			_, err := c.CreatePreAuthCode(context.Background(), tok, testPlatform.AppID)
			return err
		}},
		{"api_query_auth", tok + " SENTINEL-CODE", func(c *wx.Client) error {
			_, err := c.QueryAuth(context.Background(), tok, testPlatform.AppID, "SENTINEL-CODE")
			return err
		}},
		{"api_authorizer_token", tok + " SENTINEL-RT", func(c *wx.Client) error {
			_, err := c.AuthorizerToken(context.Background(), tok, testPlatform.AppID, "wxa", "SENTINEL-RT")
			return err
		}},
		{"api_get_authorizer_list", tok, func(c *wx.Client) error {
			_, err := c.AuthorizerList(context.Background(), tok, testPlatform.AppID, 0, 10)
			return err
		}},
	}
	for _, tt := range tests {
		for _, op := range ops {
			t.Run(tt.name+"/"+op.name, func(t *testing.T) {
				sim := wxtest.NewSimulator()
				if err := sim.SetComponent(testPlatform); err != nil {
					t.Fatal(err)
				}
				faults := append([]wxtest.Fault(nil), tt.faults...)
				for i := range faults {
					faults[i].Body = strings.ReplaceAll(faults[i].Body, "ECHO", op.echo)
				}
				sim.ScriptComponent(op.name, faults...)
				base := tt.base
				if base == "" {
					base = newServer(t, sim).URL
				}
				var logs jsonlogtest.Buffer
				opts := fast()
				opts.Logger = debugLogger(&logs)
				err := op.call(newClient(t, base, nil, opts))
				if err == nil {
					t.Fatal("err = nil; want a failure")
				}
				assertNoSecret(t, err, logs.String())
			})
		}
	}
	// The reply types, formatted and logged every way.
	vals := []any{
		wx.ComponentToken{AccessToken: "SENTINEL", ExpiresIn: 1}, wx.PreAuthCode{Code: "SENTINEL", ExpiresIn: 1},
		wx.AuthorizerToken{AppID: "wxa", AccessToken: "SENTINEL", RefreshToken: "SENTINEL"},
		wx.Authorization{AuthorizerToken: wx.AuthorizerToken{AccessToken: "SENTINEL", RefreshToken: "SENTINEL"}},
		wx.Authorizer{AppID: "wxa", RefreshToken: "SENTINEL"},
	}
	var logs jsonlogtest.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	for _, v := range vals {
		j, _ := json.Marshal(v)
		log.Info("v", "v", v)
		for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
			if s := fmt.Sprintf(f, v) + string(j); strings.Contains(s, "SENTINEL") {
				t.Errorf("%T formatted with %s leaks: %s", v, f, s)
			}
		}
	}
	if strings.Contains(logs.String(), "SENTINEL") {
		t.Errorf("logs leak: %s", logs.String())
	}
}

// TestRedactComponentTokens guards what the component calls rely on: the
// shared redaction scrubs component_access_token and
// authorizer_access_token in URLs and in JSON.
func TestRedactComponentTokens(t *testing.T) {
	for _, s := range []string{
		"https://api.weixin.qq.com/cgi-bin/component/api_query_auth?component_access_token=SENTINEL&x=1",
		"https://api.weixin.qq.com/cgi-bin/template/get_industry?authorizer_access_token=SENTINEL",
		"Post \"http://127.0.0.1/cgi-bin/component/api_authorizer_token?component_access_token=SENTINEL\": EOF",
		`{"authorizer_access_token":"SENTINEL","expires_in":7200}`,
	} {
		if got := redact.String(s); strings.Contains(got, "SENTINEL") {
			t.Errorf("redact.String(%q) = %q; want the token REDACTED", s, got)
		}
	}
}
