package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/jsonlog"
	"github.com/wxindustry/getindustry/internal/jsonlog/jsonlogtest"
	"github.com/wxindustry/getindustry/internal/token/smtest"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// sentinelToken is the token the secret holds before each run.
const sentinelToken = "SENTINEL-TOKEN-5f3c"

// issuerFunc adapts a function to tokenIssuer.
type issuerFunc func(ctx context.Context, appID, appSecret string, force bool) (*wx.StableToken, error)

func (f issuerFunc) StableToken(ctx context.Context, appID, appSecret string, force bool) (*wx.StableToken, error) {
	return f(ctx, appID, appSecret, force)
}

// TestSecretsNeverLeak drives success and failure paths with a sentinel
// appsecret and a sentinel token in the token secret, and checks answers,
// Lambda error messages and the log lines for them and for every token the
// simulator issued.
func TestSecretsNeverLeak(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		prepare func(e *env)
		issuer  func(e *env) tokenIssuer
	}{
		{name: "renewal", prepare: func(e *env) {}},
		{name: "force", payload: `{"force_refresh":true}`},
		{name: "force refused", payload: `{"force_refresh":true}`, prepare: func(e *env) {
			e.sm.SetSecret(tokenID, `{"access_token":"`+sentinelToken+`","forced_at":["`+e.clock.Now().Format(time.RFC3339)+`"]}`)
		}},
		{name: "errmsg echoes the appsecret", prepare: scriptWx(wxtest.Fault{Body: `{"errcode":40125,"errmsg":"invalid appsecret ` + appSecret + ` rid: 1a2b"}`})},
		{name: "reply with a token but no expiry", prepare: scriptWx(wxtest.Fault{Body: `{"access_token":"SENTINEL-TOKEN-new"}`})},
		{name: "reply truncated in the token", prepare: scriptWx(wxtest.Fault{Body: `{"access_token":"SENTINEL-TOKEN-new`})},
		{name: "credentials malformed", prepare: func(e *env) { e.sm.SetSecret(credsID, `{"appid":"x","appsecret":`+appSecret+`}`) }},
		{name: "token secret unwritable", prepare: func(e *env) { e.sm.Fail(tokenID, smtest.Fault{Type: "AccessDeniedException", Op: "PutSecretValue"}) }},
		{name: "token secret malformed", prepare: func(e *env) { e.sm.SetSecret(tokenID, `{"access_token":"`+sentinelToken+`",`) }},
		{name: "panic quoting the secrets", issuer: func(e *env) tokenIssuer {
			return issuerFunc(func(_ context.Context, _, secret string, _ bool) (*wx.StableToken, error) {
				panic(fmt.Sprintf("boom with %s and %s", secret, sentinelToken))
			})
		}},
		{name: "error quoting the secrets", issuer: func(e *env) tokenIssuer {
			return issuerFunc(func(_ context.Context, _, secret string, _ bool) (*wx.StableToken, error) {
				return nil, fmt.Errorf("odd failure: %s %s access_token=%s", secret, sentinelToken, "SENTINEL-3")
			})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.sm.SetSecret(tokenID, `{"access_token":"`+sentinelToken+`","expires_at":"`+e.clock.Now().Add(time.Minute).Format(time.RFC3339)+`"}`)
			if tt.prepare != nil {
				tt.prepare(e)
			}
			if tt.issuer != nil {
				e.r.wechat = tt.issuer(e)
			}
			payload := tt.payload
			if payload == "" {
				payload = `{}`
			}
			a, ie := e.invoke(t, e.r, payload)
			issued, _, _ := e.sim.AppToken(appID)
			b, _ := json.Marshal(a)
			noSecretIn(t, "answer", string(b), issued)
			if ie != nil {
				noSecretIn(t, "error message", ie.Message, issued)
			}
			logs := e.logs.String()
			noSecretIn(t, "logs", logs, issued)
			if n := strings.Count(logs, `"msg":"refresh"`); n != 1 {
				t.Errorf("%d summary lines; want 1:\n%s", n, logs)
			}
		})
	}
}

func TestCredentialsNeverPrintTheSecret(t *testing.T) {
	c := appCredentials{AppID: appID, AppSecret: appSecret}
	var logs jsonlogtest.Buffer
	jsonlog.New(&logs, 0).Info("creds", "creds", c, "ptr", &c)
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", &c), logs.String()} {
		if strings.Contains(s, appSecret) || !strings.Contains(s, appID) {
			t.Errorf("printed credentials = %s; want the appid and not the appsecret", s)
		}
	}
}
