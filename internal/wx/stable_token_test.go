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
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/jsonlog/jsonlogtest"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

const (
	testAppID     = "wx0123456789abcdef"
	appSecretSent = "SENTINEL-APPSECRET-9d1e"
)

// setupApp starts a simulator with the test app and a fixed clock, and a
// stable_token-only client (no TokenSource) for it.
func setupApp(tb testing.TB, opts wx.Options) (*wxtest.Simulator, *wx.Client) {
	tb.Helper()
	sim := wxtest.NewSimulator()
	sim.SetApp(testAppID, appSecretSent)
	start := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	sim.SetNow(func() time.Time { return start }) // moved only by Advance
	srv := newServer(tb, sim)
	return sim, newClient(tb, srv.URL, nil, opts)
}

func TestStableToken(t *testing.T) {
	sim, c := setupApp(t, fast())
	ctx := context.Background()
	first, err := c.StableToken(ctx, testAppID, appSecretSent, false)
	if err != nil {
		t.Fatalf("StableToken(normal) err = %v", err)
	}
	if tok, _, _ := sim.AppToken(testAppID); first.AccessToken != tok || first.ExpiresIn != 7200 {
		t.Fatalf("StableToken(normal) = %v; want the simulator's token with 7200 s", first)
	}
	sim.Advance(10 * time.Minute)
	again, err := c.StableToken(ctx, testAppID, appSecretSent, false)
	if err != nil || again.AccessToken != first.AccessToken || again.ExpiresIn != 6600 {
		t.Fatalf("StableToken(normal) 10 min later = %v, %v; want the same token with 6600 s", again, err)
	}
	forced, err := c.StableToken(ctx, testAppID, appSecretSent, true)
	if err != nil || forced.AccessToken == first.AccessToken || forced.ExpiresIn != 7200 || sim.Forces(testAppID) != 1 {
		t.Fatalf("StableToken(force) = %v, %v (forces %d); want a new token with 7200 s", forced, err, sim.Forces(testAppID))
	}
}

func TestStableTokenWireFormat(t *testing.T) {
	var got struct {
		method, query, contentType string
		body                       map[string]any
	}
	srv := newHTTPTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.method, got.query, got.contentType = r.Method, r.URL.RawQuery, r.Header.Get("Content-Type")
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &got.body)
		if r.URL.Path != wxtest.PathStableToken {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, `{"access_token":"`+sentinel+`","expires_in":7000}`)
	}))
	c := newClient(t, srv.URL, nil, fast())
	for _, force := range []bool{false, true} {
		tok, err := c.StableToken(context.Background(), testAppID, appSecretSent, force)
		if err != nil || tok.AccessToken != sentinel || tok.ExpiresIn != 7000 {
			t.Fatalf("StableToken(force %v) = %v, %v; want the served token", force, tok, err)
		}
		want := map[string]any{"grant_type": "client_credential", "appid": testAppID, "secret": appSecretSent, "force_refresh": force}
		if got.method != http.MethodPost || got.query != "" || got.contentType != "application/json" || fmt.Sprint(got.body) != fmt.Sprint(want) {
			t.Errorf("request = %s ?%s %q %v; want POST, no query, application/json, %v", got.method, got.query, got.contentType, got.body, want)
		}
	}
}

func TestStableTokenErrors(t *testing.T) {
	tests := []struct {
		name      string
		force     bool
		faults    []wxtest.Fault
		appID     string // "" = the test app
		secret    string // "" = its secret
		wantCode  int    // *wx.Error errcode; 0: see wantIs
		wantIs    error
		wantCalls int
	}{
		{name: "unknown appid", appID: "wxffffffffffffffff", wantCode: 40013, wantCalls: 1},
		{name: "wrong secret", secret: appSecretSent + "-old", wantCode: 40125, wantCalls: 1},
		{name: "ip not allowed", faults: []wxtest.Fault{{Errcode: 40164}}, wantCode: 40164, wantCalls: 1},
		{name: "daily quota", faults: []wxtest.Fault{{Errcode: 45009}}, wantCode: 45009, wantCalls: 1},
		{name: "busy, normal: retried", faults: []wxtest.Fault{{Errcode: -1}, {Errcode: -1}, {Errcode: -1}}, wantCode: -1, wantCalls: 3},
		{name: "busy, force: never retried", force: true, faults: []wxtest.Fault{{Errcode: -1}}, wantCode: -1, wantCalls: 1},
		{name: "minute quota, force: never retried", force: true, faults: []wxtest.Fault{{Errcode: 45011}}, wantCode: 45011, wantCalls: 1},
		{name: "http 503, normal: retried", faults: []wxtest.Fault{{Status: 503}, {Status: 503}, {Status: 503}}, wantIs: nil, wantCalls: 3},
		{name: "timeout, force: one attempt", force: true, faults: []wxtest.Fault{{Delay: time.Second}}, wantIs: wx.ErrTimeout, wantCalls: 1},
		{name: "not json", faults: []wxtest.Fault{{Body: "<html>" + sentinel}}, wantIs: wx.ErrBadResponse, wantCalls: 1},
		{name: "empty object", faults: []wxtest.Fault{{Body: `{}`}}, wantIs: wx.ErrBadResponse, wantCalls: 1},
		{name: "no expires_in", faults: []wxtest.Fault{{Body: `{"access_token":"` + sentinel + `"}`}}, wantIs: wx.ErrBadResponse, wantCalls: 1},
		{name: "zero expires_in", faults: []wxtest.Fault{{Body: `{"access_token":"` + sentinel + `","expires_in":0}`}}, wantIs: wx.ErrBadResponse, wantCalls: 1},
		{name: "expires_in a string", faults: []wxtest.Fault{{Body: `{"access_token":"` + sentinel + `","expires_in":"7200"}`}}, wantIs: wx.ErrBadResponse, wantCalls: 1},
		{name: "empty token", faults: []wxtest.Fault{{Body: `{"access_token":"","expires_in":7200}`}}, wantIs: wx.ErrBadResponse, wantCalls: 1},
		{name: "token not a string", faults: []wxtest.Fault{{Body: `{"access_token":7,"expires_in":7200}`}}, wantIs: wx.ErrBadResponse, wantCalls: 1},
		{name: "truncated", faults: []wxtest.Fault{{Body: `{"access_token":"` + sentinel}}, wantIs: wx.ErrBadResponse, wantCalls: 1},
		{name: "errmsg echoes the secret", faults: []wxtest.Fault{{Body: `{"errcode":40125,"errmsg":"invalid appsecret ` + appSecretSent + ` rid: 1a2b"}`}}, wantCode: 40125, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs jsonlogtest.Buffer
			opts := fast()
			opts.AttemptTimeout = 200 * time.Millisecond
			opts.Logger = debugLogger(&logs)
			sim, c := setupApp(t, opts)
			sim.ScriptStableToken(tt.faults...)
			id, secret := or(tt.appID, testAppID), or(tt.secret, appSecretSent)
			tok, err := c.StableToken(context.Background(), id, secret, tt.force)
			if err == nil {
				t.Fatalf("StableToken() = %v, nil; want an error", tok)
			}
			var we *wx.Error
			switch {
			case tt.wantCode != 0:
				if !errors.As(err, &we) || we.Code != tt.wantCode || we.Op != "stable_token" {
					t.Errorf("StableToken() err = %v; want *wx.Error op stable_token errcode %d", err, tt.wantCode)
				}
			case tt.wantIs != nil:
				if !errors.Is(err, tt.wantIs) {
					t.Errorf("StableToken() err = %v; want errors.Is %v", err, tt.wantIs)
				}
			default:
				if !errors.As(err, &we) || we.Status != 503 {
					t.Errorf("StableToken() err = %v; want *wx.Error with HTTP status 503", err)
				}
			}
			if !strings.HasPrefix(err.Error(), "wx: stable_token: ") {
				t.Errorf("StableToken() err = %q; want the wx: stable_token: prefix", err)
			}
			if n := sim.StableTokenCalls(); n != tt.wantCalls {
				t.Errorf("stable_token calls = %d; want %d", n, tt.wantCalls)
			}
			assertNoSecret(t, err, logs.String())
		})
	}
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func TestStableTokenRejectsEmptyCredentials(t *testing.T) {
	sim, c := setupApp(t, fast())
	for _, cred := range [][2]string{{"", appSecretSent}, {testAppID, ""}} {
		if _, err := c.StableToken(context.Background(), cred[0], cred[1], false); err == nil || strings.Contains(err.Error(), "SENTINEL") {
			t.Errorf("StableToken(%q, <secret %d bytes>) err = %v; want an error without the secret", cred[0], len(cred[1]), err)
		}
	}
	if sim.StableTokenCalls() != 0 {
		t.Errorf("stable_token calls = %d; want none", sim.StableTokenCalls())
	}
}

func TestStableTokenNeverPrintsTheToken(t *testing.T) {
	tok := &wx.StableToken{AccessToken: sentinel, ExpiresIn: 7200}
	var out []string
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		out = append(out, fmt.Sprintf(format, tok), fmt.Sprintf(format, *tok))
	}
	b, err := json.Marshal(map[string]any{"ptr": tok, "val": *tok})
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, string(b))
	var logs jsonlogtest.Buffer
	debugLogger(&logs).Info("token", "tok", tok, "val", *tok)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("token", "tok", tok)
	out = append(out, logs.String())
	for _, s := range out {
		if strings.Contains(s, "SENTINEL") || !strings.Contains(s, "REDACTED") || !strings.Contains(s, "7200") {
			t.Errorf("printed StableToken = %s; want REDACTED and 7200, never the token", s)
		}
	}
}

func TestGetIndustryWithoutTokenSource(t *testing.T) {
	sim, c := setupApp(t, fast())
	_, err := c.GetIndustry(context.Background())
	if err == nil || err.Error() != "wx: get_industry: access token: client has no TokenSource" {
		t.Errorf("GetIndustry() err = %v; want the missing TokenSource named", err)
	}
	if sim.Calls() != 0 {
		t.Errorf("get_industry calls = %d; want none", sim.Calls())
	}
}

func ExampleClient_StableToken() {
	sim := wxtest.NewSimulator()
	sim.SetApp("wx0123456789abcdef", "APPSECRET")
	srv := wxtest.NewServer(sim)
	defer srv.Close()

	// A refresher's client needs no TokenSource.
	c, err := wx.NewClient(srv.URL, nil, wx.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	tok, err := c.StableToken(context.Background(), "wx0123456789abcdef", "APPSECRET", false)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tok) // the token itself prints as REDACTED
	fmt.Println(len(tok.AccessToken) > 100)

	_, err = c.StableToken(context.Background(), "wx0123456789abcdef", "WRONG", false)
	var we *wx.Error
	fmt.Println(errors.As(err, &we) && we.Code == wx.CodeInvalidAppSecret)
	// Output:
	// wx.StableToken{AccessToken:REDACTED, ExpiresIn:7200}
	// true
	// true
}
