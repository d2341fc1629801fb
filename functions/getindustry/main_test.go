package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/wxindustry/getindustry/internal/jsonlog/jsonlogtest"
	"github.com/wxindustry/getindustry/internal/lambdaenv"
	"github.com/wxindustry/getindustry/internal/token/smtest"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// sentinelToken must never appear in any output.
const sentinelToken = "SENTINEL-TOKEN-5f3c9a"

// stack is the function built by run against in-process fakes.
type stack struct {
	handler lambda.Handler
	sim     *wxtest.Simulator
	sm      *smtest.Fake
	logs    *jsonlogtest.Buffer
}

// newStack runs the composition root with a map-backed environment pointed
// at the WeChat simulator and the Secrets Manager fake, and captures the
// handler it would give lambda.Start.
func newStack(tb testing.TB, env map[string]string) *stack {
	tb.Helper()
	s := &stack{sim: wxtest.NewSimulator(sentinelToken), sm: smtest.NewFake(), logs: &jsonlogtest.Buffer{}}
	wxSrv, smSrv := wxtest.NewServer(s.sim), smtest.NewServer(s.sm)
	tb.Cleanup(wxSrv.Close)
	tb.Cleanup(smSrv.Close)
	s.sm.SetSecret("wx/token", `{"access_token":"`+sentinelToken+`","expires_at":"2999-01-01T00:00:00Z"}`)
	vars := smtest.Env(smSrv.URL)
	vars["WX_TOKEN_SECRET_ID"], vars["WX_API_BASE_URL"] = "wx/token", wxSrv.URL
	for k, v := range env {
		vars[k] = v
	}
	err := lambdaenv.Run(context.Background(), func(k string) string { return vars[k] }, s.logs,
		func(h lambda.Handler) { s.handler = h }, build)
	if err != nil {
		tb.Fatalf("run() = %v", err)
	}
	if s.handler == nil {
		tb.Fatal("run() did not start a handler")
	}
	return s
}

// invoke calls the handler the way the aws-lambda-go runtime loop does.
func (s *stack) invoke(tb testing.TB, payload []byte) ([]byte, error) {
	tb.Helper()
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-test"})
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return s.handler.Invoke(ctx, payload)
}

func TestRunServesEveryEvent(t *testing.T) {
	s := newStack(t, nil)
	want := wxtest.DefaultIndustry()
	for _, f := range loadFixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			out, err := s.invoke(t, f.payload)
			if err != nil {
				t.Fatalf("Invoke() err = %v", err)
			}
			if !f.http {
				wantIndustry(t, out, want)
				return
			}
			a, body := decodeHTTPAnswer(t, out)
			if a.StatusCode != 200 || !strings.HasPrefix(a.header("Content-Type"), "application/json") {
				t.Fatalf("answer = %d %v; want 200 application/json", a.StatusCode, a.Headers)
			}
			wantIndustry(t, body, want)
		})
	}
	noSecretIn(t, "logs", s.logs.String())
}

func TestRunFailures(t *testing.T) {
	tests := []struct {
		name     string
		prepare  func(s *stack)
		env      map[string]string
		status   int
		code     string
		wantType string
	}{
		{name: "secret not found", env: map[string]string{"WX_TOKEN_SECRET_ID": "wx/missing"},
			status: 500, code: "token_unavailable", wantType: "TokenUnavailable"},
		{name: "secret holds a token WeChat rejects", prepare: func(s *stack) { s.sim.SetTokens("another-token") },
			status: 502, code: "wechat_token_invalid", wantType: "WeChatTokenInvalid"},
		{name: "json secret without the field", env: map[string]string{"WX_TOKEN_SECRET_FIELD": "token"},
			status: 500, code: "token_unavailable", wantType: "TokenUnavailable"},
		{name: "daily quota", prepare: func(s *stack) { s.sim.Script(wxtest.Fault{Errcode: 45009}) },
			status: 503, code: "wechat_quota_exceeded", wantType: "WeChatQuotaExceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range loadFixtures(t) {
				s := newStack(t, tt.env)
				if tt.prepare != nil {
					tt.prepare(s)
				}
				out, err := s.invoke(t, f.payload)
				if !f.http {
					var ie messages.InvokeResponse_Error
					if !errors.As(err, &ie) || ie.Type != tt.wantType {
						t.Errorf("%s: Invoke() = %s, %#v; want errorType %s", f.name, out, err, tt.wantType)
					}
				} else {
					if err != nil {
						t.Fatalf("%s: Invoke() err = %v; HTTP events always get a response", f.name, err)
					}
					a, body := decodeHTTPAnswer(t, out)
					var eb errorBody
					if a.StatusCode != tt.status || json.Unmarshal(body, &eb) != nil || eb.Error.Code != tt.code || eb.Error.RequestID != "req-test" {
						t.Errorf("%s: answer = %d %s; want %d with code %s", f.name, a.StatusCode, body, tt.status, tt.code)
					}
				}
				noSecretIn(t, "answer", string(out))
				noSecretIn(t, "logs", s.logs.String())
			}
		})
	}
}

func TestRunRejectsBadConfiguration(t *testing.T) {
	var logs bytes.Buffer
	started := false
	err := lambdaenv.Run(context.Background(), func(k string) string {
		return map[string]string{"WX_HTTP_TIMEOUT": "fast"}[k]
	}, &logs, func(lambda.Handler) { started = true }, build)
	if err == nil || started {
		t.Fatalf("run() = %v, started %v; want an error and no handler", err, started)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "WX_TOKEN_SECRET_ID") || !strings.Contains(lines[0], "WX_HTTP_TIMEOUT") {
		t.Errorf("logs = %q; want one line naming each bad variable", logs.String())
	}
	var rec map[string]any
	if json.Unmarshal([]byte(lines[0]), &rec) != nil || rec["level"] != "ERROR" {
		t.Errorf("log line %q is not a JSON error record", lines[0])
	}
}

func TestRunLogsOneSummaryPerInvoke(t *testing.T) {
	s := newStack(t, nil)
	fixtures := loadFixtures(t)
	for _, f := range fixtures {
		s.invoke(t, f.payload)
	}
	var summaries int
	for _, line := range strings.Split(strings.TrimSpace(s.logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		for _, k := range []string{"time", "level", "msg", "requestId"} {
			if _, ok := rec[k]; !ok && rec["msg"] == "invocation" {
				t.Errorf("summary %q lacks %q", line, k)
			}
		}
		if rec["msg"] == "invocation" {
			summaries++
			if shape, _ := rec["event_shape"].(string); shape == "" {
				t.Errorf("summary %q has no event_shape", line)
			}
		}
	}
	if summaries != len(fixtures) {
		t.Errorf("%d summary lines for %d invokes; want one each", summaries, len(fixtures))
	}
}

func noSecretIn(tb testing.TB, what, s string) {
	tb.Helper()
	if strings.Contains(s, sentinelToken) {
		tb.Errorf("%s contain the access token:\n%s", what, s)
	}
}

// badBaseURLs are WX_API_BASE_URL values a cold start must reject without
// printing their password (issue 10, item 3).
var badBaseURLs = []string{
	"https://svc:S3CRET@api.weixin.qq.com",
	"https://svc:S3CRET@api.weixin.qq.com/%zz",
	"https://svc:S3CRET@api.weixin.qq.com:70000",
	"https://:443",
	"https://api.weixin.qq.com:0",
}

func TestRunRejectsBaseURLWithoutPrintingItsPassword(t *testing.T) {
	for _, u := range badBaseURLs {
		t.Run(u, func(t *testing.T) {
			var logs bytes.Buffer
			env := map[string]string{"WX_TOKEN_SECRET_ID": "wx/token", "WX_API_BASE_URL": u}
			err := lambdaenv.Run(context.Background(), func(k string) string { return env[k] }, &logs, func(lambda.Handler) {}, build)
			if err == nil || !strings.Contains(logs.String(), "WX_API_BASE_URL") {
				t.Fatalf("run() = %v, logs %q; want a cold start failure naming WX_API_BASE_URL", err, logs.String())
			}
			if strings.Contains(err.Error()+logs.String(), "S3CRET") {
				t.Errorf("the password was printed: %v\n%s", err, logs.String())
			}
		})
	}
}
