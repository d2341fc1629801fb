package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/wxindustry/getindustry/internal/ddbtest"
	"github.com/wxindustry/getindustry/internal/jsonlog/jsonlogtest"
	"github.com/wxindustry/getindustry/internal/lambdaenv"
	"github.com/wxindustry/getindustry/internal/token/smtest"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

func TestParseConfig(t *testing.T) {
	base := map[string]string{"WX_COMPONENT_SECRET_ID": secretID, "WX_TOKEN_TABLE": table}
	for _, tc := range []struct {
		name  string
		set   map[string]string
		wants []string // each must appear in the error; none: no error
	}{
		{"defaults", nil, nil},
		{"missing both", map[string]string{"WX_COMPONENT_SECRET_ID": "", "WX_TOKEN_TABLE": ""}, []string{"WX_COMPONENT_SECRET_ID: required", "WX_TOKEN_TABLE: required"}},
		{"http base", map[string]string{"WX_API_BASE_URL": "http://api.weixin.qq.com"}, []string{"WX_API_BASE_URL"}},
		{"loopback base", map[string]string{"WX_API_BASE_URL": "http://127.0.0.1:8080"}, nil},
		{"base with a password", map[string]string{"WX_API_BASE_URL": "https://svc:S3CRET@api.weixin.qq.com"}, []string{`WX_API_BASE_URL "https://svc:xxxxx@api.weixin.qq.com"`}},
		{"bad timeout", map[string]string{"WX_HTTP_TIMEOUT": "3"}, []string{`WX_HTTP_TIMEOUT "3"`}},
		{"zero workers", map[string]string{"WX_REFRESH_CONCURRENCY": "0"}, []string{`WX_REFRESH_CONCURRENCY "0"`}},
		{"too many workers", map[string]string{"WX_REFRESH_CONCURRENCY": "1000"}, []string{"WX_REFRESH_CONCURRENCY"}},
		{"bad namespace", map[string]string{"WX_METRICS_NAMESPACE": "AWS/Lambda"}, []string{"WX_METRICS_NAMESPACE"}},
		{"public base", map[string]string{"WX_PUBLIC_BASE_URL": "https://onboard.example.com/"}, nil},
		{"loopback pages", map[string]string{"WX_PUBLIC_BASE_URL": "http://127.0.0.1:3000", "WX_AUTH_PAGE_BASE_URL": "http://localhost:9", "WX_AUTH_H5_BASE_URL": "http://[::1]:9"}, nil},
		{"http public base", map[string]string{"WX_PUBLIC_BASE_URL": "http://onboard.example.com"}, []string{`WX_PUBLIC_BASE_URL "http://onboard.example.com"`}},
		{"http page bases", map[string]string{"WX_AUTH_PAGE_BASE_URL": "http://mp.weixin.qq.com", "WX_AUTH_H5_BASE_URL": "ftp://x"}, []string{"WX_AUTH_PAGE_BASE_URL", "WX_AUTH_H5_BASE_URL"}},
		{"public base with a query", map[string]string{"WX_PUBLIC_BASE_URL": "https://onboard.example.com/?a=1"}, []string{"WX_PUBLIC_BASE_URL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tc.set {
				env[k] = v
			}
			c, err := parseConfig(func(k string) string { return env[k] })
			if len(tc.wants) == 0 {
				if err != nil || c.Workers != defaultWorkers || c.HTTPTimeout != defaultHTTPTimeout {
					t.Fatalf("parseConfig = %+v, %v; want defaults", c, err)
				}
				if tc.name == "defaults" && (c.PublicBaseURL != "" || c.AuthPageBaseURL != "https://mp.weixin.qq.com" || c.H5BaseURL != "https://open.weixin.qq.com") {
					t.Errorf("parseConfig = %+v; want no public base and WeChat's pages", c)
				}
				if tc.name == "public base" && c.PublicBaseURL != "https://onboard.example.com" {
					t.Errorf("PublicBaseURL = %q; want it without the trailing slash", c.PublicBaseURL)
				}
				return
			}
			for _, w := range tc.wants {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("parseConfig err = %v; want it to name %q", err, w)
				}
			}
			if err != nil && strings.Contains(err.Error(), "S3CRET") {
				t.Errorf("parseConfig err = %v; want no password", err)
			}
		})
	}
}

// TestRun builds the function through run, as main does, against the
// fakes and dynalite, and serves a push and a run through it.
func TestRun(t *testing.T) {
	ddb := ddbtest.Start(t)
	ddb.CreateTable(t, table)
	sim, sm, logs := wxtest.NewSimulator(), smtest.NewFake(), &jsonlogtest.Buffer{}
	if err := sim.SetComponent(wxtest.Component{AppID: componentAppID, AppSecret: appSecret, Token: msgToken, EncodingAESKey: aesKey}); err != nil {
		t.Fatal(err)
	}
	wxSrv, smSrv := wxtest.NewServer(sim), smtest.NewServer(sm)
	t.Cleanup(wxSrv.Close)
	t.Cleanup(smSrv.Close)
	sm.SetSecret(secretID, credsJSON)
	vars := map[string]string{
		"WX_COMPONENT_SECRET_ID": secretID, "WX_TOKEN_TABLE": table, "WX_API_BASE_URL": wxSrv.URL,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": smSrv.URL, "AWS_ENDPOINT_URL_DYNAMODB": ddb.URL, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "test-secret", "AWS_LAMBDA_FUNCTION_NAME": "platform-fn",
	}
	if err := lambdaenv.Run(context.Background(), func(k string) string { return "" }, logs, func(lambda.Handler) {}, build); err == nil ||
		!strings.Contains(logs.String(), "WX_COMPONENT_SECRET_ID") {
		t.Fatalf("run with no settings = %v; want an error naming WX_COMPONENT_SECRET_ID, logged:\n%s", err, logs.String())
	}
	var h lambda.Handler
	if err := lambdaenv.Run(context.Background(), func(k string) string { return vars[k] }, logs, func(s lambda.Handler) { h = s }, build); err != nil || h == nil {
		t.Fatalf("run = %v; want a started handler", err)
	}
	url := newFront(t, h.Invoke).URL + "/component/events"
	if _, res, err := sim.PushTicket(context.Background(), url); err != nil || res.Status != 200 || res.Body != "success" {
		t.Fatalf("PushTicket = %+v, %v; want success\n%s", res, err, logs.String())
	}
	out, err := h.Invoke(lambdaCtx(t), []byte(`{"action":"refresh"}`))
	var r runReport
	if err != nil || json.Unmarshal(out, &r) != nil || r.ComponentToken != "refreshed" || r.TicketAge == nil {
		t.Fatalf("refresh = %s, %v; want the component token refreshed\n%s", out, err, logs.String())
	}
	var sawPush, sawRun bool
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if _, ok := rec["_aws"]; ok && rec["Service"] != "platform-fn" {
			t.Errorf("metrics record Service = %v; want the function's name", rec["Service"])
		}
		sawPush = sawPush || rec["_aws"] != nil && rec["Pushes"] == 1.0
		sawRun = sawRun || rec["_aws"] != nil && rec["TicketAge"] != nil
	}
	if !sawPush || !sawRun {
		t.Errorf("metrics for the push %v, the run with ticket age %v; want both:\n%s", sawPush, sawRun, logs.String())
	}
	if strings.Contains(logs.String(), sim.Ticket()) || strings.Contains(logs.String(), appSecret) || strings.Contains(logs.String(), msgToken) {
		t.Errorf("logs leak a secret:\n%s", logs.String())
	}
}
