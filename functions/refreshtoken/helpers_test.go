package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/wxindustry/getindustry/internal/clocktest"
	"github.com/wxindustry/getindustry/internal/jsonlog"
	"github.com/wxindustry/getindustry/internal/jsonlog/jsonlogtest"
	"github.com/wxindustry/getindustry/internal/token"
	"github.com/wxindustry/getindustry/internal/token/smtest"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// Test fixtures. The appsecret is a sentinel: it must show up nowhere.
const (
	appID       = "wx0123456789abcdef"
	appSecret   = "SENTINEL-APPSECRET-5f3c"
	credsID     = "wx/app"
	tokenID     = "wx/token"
	placeholder = "generated-placeholder-0000" // what CloudFormation's GenerateSecretString leaves
	credsJSON   = `{"appid":"` + appID + `","appsecret":"` + appSecret + `"}`
)

// env is the WeChat simulator and the Secrets Manager fake, on loopback,
// with a refresher (r) wired to them as run wires it, on a fake clock.
type env struct {
	sim   *wxtest.Simulator
	sm    *smtest.Fake
	wxURL string
	smURL string
	clock *clocktest.Clock
	logs  *jsonlogtest.Buffer
	r     *refresher
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	e := &env{sim: wxtest.NewSimulator(), sm: smtest.NewFake(), logs: &jsonlogtest.Buffer{},
		clock: clocktest.New(time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC))} // noon in Shanghai
	e.sim.SetApp(appID, appSecret)
	e.sim.SetNow(e.clock.Now)
	wxSrv, smSrv := wxtest.NewServer(e.sim), smtest.NewServer(e.sm)
	tb.Cleanup(wxSrv.Close)
	tb.Cleanup(smSrv.Close)
	e.wxURL, e.smURL = wxSrv.URL, smSrv.URL
	e.sm.SetSecret(credsID, credsJSON)
	e.sm.SetSecret(tokenID, placeholder)
	e.r = e.newRefresher(tb, e.smURL)
	return e
}

// newRefresher builds another refresher (another Lambda instance) that
// reaches Secrets Manager at smURL.
func (e *env) newRefresher(tb testing.TB, smURL string) *refresher {
	tb.Helper()
	opts := wx.Options{AttemptTimeout: time.Second, Backoff: func(int) time.Duration { return time.Millisecond },
		MinuteQuotaPause: time.Millisecond, Logger: jsonlog.New(e.logs, slog.LevelDebug)}
	client, err := wx.NewClient(e.wxURL, nil, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return newRefresher(smtest.NewClient(smURL), client, credsID, tokenID, e.clock.Now, jsonlog.New(e.logs, slog.LevelDebug))
}

// invoke calls r's handler as the runtime loop does, with a Lambda context
// and deadline, and returns the answer or the Lambda error.
func (e *env) invoke(tb testing.TB, r *refresher, payload string) (answer, *messages.InvokeResponse_Error) {
	tb.Helper()
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-test"})
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := r.Invoke(ctx, []byte(payload))
	if err != nil {
		var ie messages.InvokeResponse_Error
		if !errors.As(err, &ie) {
			tb.Fatalf("Invoke(%s) err = %T %v; want messages.InvokeResponse_Error", payload, err, err)
		}
		if out != nil {
			tb.Errorf("Invoke(%s) = %s with an error; want no answer", payload, out)
		}
		return answer{}, &ie
	}
	var a answer
	if err := json.Unmarshal(out, &a); err != nil {
		tb.Fatalf("Invoke(%s) answer %s: %v", payload, out, err)
	}
	return a, nil
}

// mustRefresh invokes r and fails the test on an error.
func (e *env) mustRefresh(tb testing.TB, r *refresher, payload string) answer {
	tb.Helper()
	a, ie := e.invoke(tb, r, payload)
	if ie != nil {
		tb.Fatalf("Invoke(%s) = %s: %s; want success\nlogs:\n%s", payload, ie.Type, ie.Message, e.logs.String())
	}
	return a
}

// secret reads the token secret through the real SDK client.
func (e *env) secret(tb testing.TB) token.Secret {
	tb.Helper()
	return readTokenSecret(tb, e.smURL)
}

// readTokenSecret reads the token secret from the fake at smURL.
func readTokenSecret(tb testing.TB, smURL string) token.Secret {
	tb.Helper()
	out, err := smtest.NewClient(smURL).GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: new(tokenID)})
	if err != nil {
		tb.Fatalf("read token secret: %v", err)
	}
	st, err := token.DecodeSecret(*out.SecretString, "")
	if err != nil {
		tb.Fatalf("token secret %q: %v", *out.SecretString, err)
	}
	return st
}

// wantCurrent fails unless the token secret holds the simulator's current
// token and expiry, and get_industry accepts that token.
func (e *env) wantCurrent(tb testing.TB) token.Secret {
	tb.Helper()
	st := e.secret(tb)
	tok, exp, ok := e.sim.AppToken(appID)
	if !ok || st.AccessToken != tok || !st.ExpiresAt.Equal(exp) {
		tb.Fatalf("token secret holds the current token: %v, expires_at %v; want true, %v", st.AccessToken == tok, st.ExpiresAt, exp)
	}
	if code := e.industryCode(tb, st.AccessToken); code != 0 {
		tb.Fatalf("get_industry with the secret's token = errcode %d; want 0", code)
	}
	return st
}

// industryCode calls get_industry with tok and returns the errcode (0: the
// industry).
func (e *env) industryCode(tb testing.TB, tok string) int {
	tb.Helper()
	resp, err := http.Get(e.wxURL + wxtest.PathGetIndustry + "?access_token=" + tok)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct{ Errcode int }
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		tb.Fatal(err)
	}
	return r.Errcode
}

// noSecretIn fails if s holds the appsecret, a sentinel, or any of tokens.
func noSecretIn(tb testing.TB, what, s string, tokens ...string) {
	tb.Helper()
	if strings.Contains(s, "SENTINEL") || strings.Contains(s, appSecret) {
		tb.Errorf("%s leaks a secret:\n%s", what, s)
	}
	for _, tok := range tokens {
		if tok != "" && strings.Contains(s, tok) {
			tb.Errorf("%s leaks an access token:\n%s", what, s)
		}
	}
}

// shortTimeout returns a WeChat client for e's simulator whose attempts
// time out after 100 ms.
func shortTimeout(tb testing.TB, e *env) *wx.Client {
	tb.Helper()
	c, err := wx.NewClient(e.wxURL, nil, wx.Options{AttemptTimeout: 100 * time.Millisecond,
		Backoff: func(int) time.Duration { return time.Millisecond }, Logger: jsonlog.New(e.logs, slog.LevelDebug)})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
