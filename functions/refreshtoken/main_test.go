package main

import (
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

// runStack runs the composition root with a map-backed environment pointed
// at the fakes (real clocks) and returns the handler it would start.
func runStack(tb testing.TB, env map[string]string) (lambda.Handler, *wxtest.Simulator, *smtest.Fake, *jsonlogtest.Buffer, error) {
	tb.Helper()
	sim, sm, logs := wxtest.NewSimulator(), smtest.NewFake(), &jsonlogtest.Buffer{}
	sim.SetApp(appID, appSecret)
	wxSrv, smSrv := wxtest.NewServer(sim), smtest.NewServer(sm)
	tb.Cleanup(wxSrv.Close)
	tb.Cleanup(smSrv.Close)
	sm.SetSecret(credsID, credsJSON)
	sm.SetSecret(tokenID, placeholder)
	vars := smtest.Env(smSrv.URL)
	vars["WX_APP_SECRET_ID"], vars["WX_TOKEN_SECRET_ID"], vars["WX_API_BASE_URL"] = credsID, tokenID, wxSrv.URL
	for k, v := range env {
		vars[k] = v
	}
	var h lambda.Handler
	err := lambdaenv.Run(context.Background(), func(k string) string { return vars[k] }, logs, func(s lambda.Handler) { h = s }, build)
	return h, sim, sm, logs, err
}

func TestRunRefreshes(t *testing.T) {
	h, sim, sm, logs, err := runStack(t, nil)
	if err != nil || h == nil {
		t.Fatalf("run() = %v; want a started handler", err)
	}
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for i, wantChanged := range []bool{true, false} {
		out, err := h.Invoke(ctx, []byte(`{}`))
		var a answer
		if err != nil || json.Unmarshal(out, &a) != nil || a.Changed != wantChanged {
			t.Fatalf("invoke %d = %s, %v; want changed %v", i+1, out, err, wantChanged)
		}
		if exp, err := time.Parse(time.RFC3339, a.ExpiresAt); err != nil || time.Until(exp) < 7190*time.Second {
			t.Errorf("expires_at = %q; want about two hours from now", a.ExpiresAt)
		}
	}
	if sm.Puts(tokenID) != 1 || sim.StableTokenCalls() != 2 {
		t.Errorf("Puts = %d, stable_token calls = %d; want 1, 2", sm.Puts(tokenID), sim.StableTokenCalls())
	}
	_, err = h.Invoke(ctx, []byte(`[]`))
	var ie messages.InvokeResponse_Error
	if !errors.As(err, &ie) || ie.Type != "InvalidRequest" {
		t.Errorf("invoke with [] err = %v; want InvalidRequest", err)
	}
	tok, _, _ := sim.AppToken(appID)
	noSecretIn(t, "logs", logs.String(), tok)
	if !strings.Contains(logs.String(), `"requestId":"req-1"`) {
		t.Errorf("summary lines lack the request id:\n%s", logs)
	}
}

func TestRunRejectsBadSettings(t *testing.T) {
	tests := []struct {
		name, variable string
		env            map[string]string
	}{
		{"no credentials secret", "WX_APP_SECRET_ID", map[string]string{"WX_APP_SECRET_ID": ""}},
		{"bad timeout", "WX_HTTP_TIMEOUT", map[string]string{"WX_HTTP_TIMEOUT": "soon"}},
		{"no region", "AWS_REGION", map[string]string{"AWS_REGION": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _, _, logs, err := runStack(t, tt.env)
			if err == nil || h != nil || !strings.Contains(err.Error(), tt.variable) {
				t.Fatalf("run() = %v (handler %v); want an error naming %s and no handler", err, h != nil, tt.variable)
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], "cold start failed") || !strings.Contains(lines[0], tt.variable) {
				t.Errorf("logs = %q; want one line naming %s", logs, tt.variable)
			}
		})
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
			h, _, _, logs, err := runStack(t, map[string]string{"WX_API_BASE_URL": u})
			if err == nil || h != nil || !strings.Contains(logs.String(), "WX_API_BASE_URL") {
				t.Fatalf("run() = %v (handler %v), logs %q; want a cold start failure naming WX_API_BASE_URL", err, h != nil, logs)
			}
			if strings.Contains(err.Error()+logs.String(), "S3CRET") {
				t.Errorf("the password was printed: %v\n%s", err, logs)
			}
		})
	}
}
