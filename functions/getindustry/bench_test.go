package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/wxindustry/getindustry/internal/lambdaenv"
	"github.com/wxindustry/getindustry/internal/token/smtest"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// The warm path in process, through lambdaenv.Run with the fakes on loopback. Each
// iteration builds the invoke context as the runtime loop does (request id
// and deadline) and keeps the summary log line, written to io.Discard.
// wxcalls/op and smcalls/op count upstream calls per invoke after warm-up.
// cmd/bench measures the same function under the emulator.

// BenchmarkInvokeDirectCacheHit is a direct invoke ({}) answered from the
// industry cache.
func BenchmarkInvokeDirectCacheHit(b *testing.B) {
	benchmarkInvoke(b, nil, readEvent(b, "direct.json"), wantDirectIndustry)
}

// BenchmarkInvokeHTTPCacheHit is an API Gateway HTTP API event answered from
// the industry cache.
func BenchmarkInvokeHTTPCacheHit(b *testing.B) {
	benchmarkInvoke(b, nil, readEvent(b, "apigw-http.json"), wantHTTPIndustry)
}

// BenchmarkInvokeCacheMiss is a direct invoke with the industry cache off
// (WX_INDUSTRY_CACHE_TTL=0): every invoke asks the WeChat simulator over
// loopback HTTP; the token stays cached.
func BenchmarkInvokeCacheMiss(b *testing.B) {
	benchmarkInvoke(b, map[string]string{"WX_INDUSTRY_CACHE_TTL": "0"}, readEvent(b, "direct.json"), wantDirectIndustry)
}

// BenchmarkInvokeAccountsCacheHit is a direct invoke in multi-account mode
// ({"appid":...}) answered from the account's industry cache, cycling over
// 20 accounts: more tokens than the logger's mask remembers, so that every
// string it writes is checked against a full set.
func BenchmarkInvokeAccountsCacheHit(b *testing.B) {
	s := multiEnv(b)
	s.env["AWS_LAMBDA_LOG_LEVEL"] = "INFO"
	if err := lambdaenv.Run(context.Background(), func(k string) string { return s.env[k] }, io.Discard,
		func(h lambda.Handler) { s.handler = h }, build); err != nil {
		b.Fatalf("run() = %v", err)
	}
	var appids []string
	for i := range 20 {
		appids = append(appids, fmt.Sprintf("wx%016x", i+1))
		s.authorize(b, appids[i], accountToken(appids[i]))
	}
	invoke := func(appid string) []byte {
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-bench"})
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		out, err := s.handler.Invoke(ctx, []byte(`{"appid":"`+appid+`"}`))
		if err != nil {
			b.Fatalf("Invoke(%s) err = %v", appid, err)
		}
		return out
	}
	for _, appid := range appids { // the first invokes fill the caches
		wantIndustry(b, invoke(appid), wxtest.AccountIndustry(appid))
	}
	wx0, i := s.sim.Calls(), 0
	b.ReportAllocs()
	for b.Loop() {
		invoke(appids[i%len(appids)])
		i++
	}
	b.ReportMetric(float64(s.sim.Calls()-wx0)/float64(b.N), "wxcalls/op")
}

func benchmarkInvoke(b *testing.B, env map[string]string, payload []byte, check func(testing.TB, []byte)) {
	s := newBenchStack(b, env)
	invoke := func() ([]byte, error) {
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-bench"})
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return s.handler.Invoke(ctx, payload)
	}
	out, err := invoke() // the cold invoke fills the caches
	if err != nil {
		b.Fatalf("Invoke() err = %v", err)
	}
	check(b, out)
	wx0, sm0 := s.sim.Calls(), s.sm.Calls("")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := invoke(); err != nil {
			b.Fatalf("Invoke() err = %v", err)
		}
	}
	b.ReportMetric(float64(s.sim.Calls()-wx0)/float64(b.N), "wxcalls/op")
	b.ReportMetric(float64(s.sm.Calls("")-sm0)/float64(b.N), "smcalls/op")
	if out, err := invoke(); err != nil {
		b.Fatalf("Invoke() after the loop err = %v", err)
	} else {
		check(b, out)
	}
}

// newBenchStack is newStack with the function's logs going to io.Discard
// rather than to a buffer that would grow with b.N and add its own copying.
func newBenchStack(tb testing.TB, env map[string]string) *stack {
	tb.Helper()
	s := &stack{sim: wxtest.NewSimulator(sentinelToken), sm: smtest.NewFake()}
	wxSrv, smSrv := wxtest.NewServer(s.sim), smtest.NewServer(s.sm)
	tb.Cleanup(wxSrv.Close)
	tb.Cleanup(smSrv.Close)
	s.sm.SetSecret("wx/token", `{"access_token":"`+sentinelToken+`","expires_at":"2999-01-01T00:00:00Z"}`)
	vars := smtest.Env(smSrv.URL)
	vars["WX_TOKEN_SECRET_ID"], vars["WX_API_BASE_URL"], vars["AWS_LAMBDA_LOG_LEVEL"] = "wx/token", wxSrv.URL, "INFO"
	for k, v := range env {
		vars[k] = v
	}
	err := lambdaenv.Run(context.Background(), func(k string) string { return vars[k] }, io.Discard,
		func(h lambda.Handler) { s.handler = h }, build)
	if err != nil || s.handler == nil {
		tb.Fatalf("run() = %v, started %v; want a handler", err, s.handler != nil)
	}
	return s
}

func readEvent(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("../../events/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func wantDirectIndustry(tb testing.TB, out []byte) {
	tb.Helper()
	wantIndustry(tb, out, wxtest.DefaultIndustry())
}

func wantHTTPIndustry(tb testing.TB, out []byte) {
	tb.Helper()
	a, body := decodeHTTPAnswer(tb, out)
	if a.StatusCode != 200 {
		tb.Fatalf("answer = %s; want statusCode 200", out)
	}
	wantIndustry(tb, body, wxtest.DefaultIndustry())
}
