package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/wxindustry/getindustry/internal/rie"
	"github.com/wxindustry/getindustry/internal/token/smtest"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// faultTimeout is the function timeout of every fault row, in process as
// under the emulator. It leaves room for token.Source's 5 s fetch timeout
// to end a hung Secrets Manager call before the invoke's own deadline.
const faultTimeout = 8 * time.Second

// rotatedToken is the token the secret holds after a rotation. It contains
// sentinelToken, so noSecretIn catches it too.
const rotatedToken = sentinelToken + "-rotated"

// faultEnv is the environment of every row: a short WeChat attempt timeout
// keeps the timeout rows fast; debug logs put more lines under the secret check.
var faultEnv = map[string]string{"WX_HTTP_TIMEOUT": "300ms", "AWS_LAMBDA_LOG_LEVEL": "DEBUG"}

// untilMidnight as faultRow.retryAfter means "the seconds until the next
// 00:00 Asia/Shanghai".
const untilMidnight = -1

// faultRow is one fault and what the caller and the upstreams must see.
type faultRow struct {
	name       string
	env        map[string]string                            // on top of faultEnv
	warm       bool                                         // one good invoke before setup (calls are counted after it)
	setup      func(sim *wxtest.Simulator, sm *smtest.Fake) // the fault
	event      func(tb testing.TB) []byte
	status     int               // HTTP status; 0 for a direct invoke
	code       string            // HTTP error code; "" for a success
	errType    string            // direct invoke: Lambda errorType; "" for a success
	errcode    int               // wechat_errcode in the error body (then a wechat_rid too); 0: none
	retryAfter int               // Retry-After seconds, untilMidnight, or 0: not checked
	header     map[string]string // other response headers to check
	industry   *wx.Industry      // the industry of a success; nil: wxtest.DefaultIndustry()
	retried    bool              // the WeChat client made more than one attempt
	wx, sm     int               // exact get_industry and GetSecretValue requests (all rows are deterministic)
}

func wxScript(faults ...wxtest.Fault) func(*wxtest.Simulator, *smtest.Fake) {
	return func(sim *wxtest.Simulator, _ *smtest.Fake) { sim.Script(faults...) }
}

func wxRepeat(n int, f wxtest.Fault) func(*wxtest.Simulator, *smtest.Fake) {
	faults := make([]wxtest.Fault, n)
	for i := range faults {
		faults[i] = f
	}
	return wxScript(faults...)
}

func smFail(faults ...smtest.Fault) func(*wxtest.Simulator, *smtest.Fake) {
	return func(_ *wxtest.Simulator, sm *smtest.Fake) { sm.Fail("wx/token", faults...) }
}

func smSecret(v string) func(*wxtest.Simulator, *smtest.Fake) {
	return func(_ *wxtest.Simulator, sm *smtest.Fake) { sm.SetSecret("wx/token", v) }
}

// rotate makes the secret hold rotatedToken and WeChat accept only it.
func rotate(sim *wxtest.Simulator, sm *smtest.Fake) {
	sm.SetSecret("wx/token", jsonSecret(rotatedToken))
	sim.SetTokens(rotatedToken)
}

func jsonSecret(tok string) string {
	return `{"access_token":"` + tok + `","expires_at":"2999-01-01T00:00:00Z"}`
}

var (
	direct     = rawEvent(`{}`)
	expiring   = map[string]string{"WX_INDUSTRY_CACHE_TTL": "1ns"}
	busyAlways = wxRepeat(5, wxtest.Fault{Errcode: wx.CodeBusy})
	oversize   = `{"primary_industry":{"first_class":"IT科技","second_class":"` + strings.Repeat("x", 70<<10) + `"}}`
)

// faultRows is the fault matrix of issue 6: every row runs in process and
// under the emulator with the same expectations.
func faultRows() []faultRow {
	partial := wx.Industry{PrimaryIndustry: wx.Class{FirstClass: "IT科技"}}
	return []faultRow{
		// WeChat errcodes.
		{name: "busy once then recovered", setup: wxScript(wxtest.Fault{Errcode: wx.CodeBusy}), event: fixtureEvent("apigw-rest.json"),
			status: 200, header: map[string]string{"X-Industry-Cache": "miss"}, retried: true, wx: 2, sm: 1},
		{name: "busy persistent", setup: busyAlways, event: fixtureEvent("apigw-http.json"),
			status: 503, code: "wechat_busy", errcode: -1, retryAfter: 2, retried: true, wx: 3, sm: 1},
		{name: "minute quota persistent", setup: wxRepeat(5, wxtest.Fault{Errcode: wx.CodeMinuteQuota}), event: fixtureEvent("function-url.json"),
			status: 503, code: "wechat_busy", errcode: 45011, retryAfter: 60, retried: true, wx: 3, sm: 1},
		{name: "daily quota", setup: wxScript(wxtest.Fault{Errcode: wx.CodeDailyQuota}), event: fixtureEvent("alb.json"),
			status: 503, code: "wechat_quota_exceeded", errcode: 45009, retryAfter: untilMidnight, wx: 1, sm: 1},
		{name: "daily quota direct", setup: wxScript(wxtest.Fault{Errcode: wx.CodeDailyQuota}), event: direct,
			errType: "WeChatQuotaExceeded", wx: 1, sm: 1},
		{name: "40001 after the secret was rotated", env: map[string]string{"WX_INDUSTRY_CACHE_TTL": "0"}, warm: true,
			setup: rotate, event: fixtureEvent("apigw-http.json"), status: 200, retried: true, wx: 2, sm: 1},
		{name: "40001 with the secret unrotated", setup: func(sim *wxtest.Simulator, _ *smtest.Fake) { sim.SetTokens("another-token") },
			event: fixtureEvent("function-url.json"), status: 502, code: "wechat_token_invalid", errcode: 40001, wx: 1, sm: 2},
		{name: "42001 token expired", setup: wxScript(wxtest.Fault{Errcode: wx.CodeTokenExpired}), event: direct,
			errType: "WeChatTokenInvalid", wx: 1, sm: 2},
		{name: "40014 token malformed", setup: wxScript(wxtest.Fault{Errcode: wx.CodeInvalidToken}), event: fixtureEvent("apigw-rest.json"),
			status: 502, code: "wechat_token_invalid", errcode: 40014, wx: 1, sm: 2},
		{name: "41001 token missing", setup: wxScript(wxtest.Fault{Errcode: wx.CodeTokenMissing}), event: fixtureEvent("alb.json"),
			status: 502, code: "wechat_error", errcode: 41001, wx: 1, sm: 1},
		{name: "41001 token missing direct", setup: wxScript(wxtest.Fault{Errcode: wx.CodeTokenMissing}), event: direct,
			errType: "WeChatError", wx: 1, sm: 1},
		{name: "48001 api unauthorized", setup: wxScript(wxtest.Fault{Errcode: wx.CodeAPIUnauthorized}), event: direct,
			errType: "WeChatUnauthorized", wx: 1, sm: 1},
		{name: "40164 ip not whitelisted", setup: wxScript(wxtest.Fault{Errcode: wx.CodeIPNotAllowed}), event: fixtureEvent("apigw-http.json"),
			status: 502, code: "wechat_unauthorized", errcode: 40164, wx: 1, sm: 1},
		{name: "unknown errcode 99999", setup: wxScript(wxtest.Fault{Errcode: 99999}), event: fixtureEvent("function-url.json"),
			status: 502, code: "wechat_error", errcode: 99999, wx: 1, sm: 1},

		// WeChat transport and replies.
		{name: "slow headers", setup: wxRepeat(5, wxtest.Fault{Delay: 2 * time.Second}), event: fixtureEvent("apigw-http.json"),
			status: 504, code: "upstream_timeout", retried: true, wx: 3, sm: 1},
		{name: "slow body", setup: wxRepeat(5, wxtest.Fault{BodyDelay: 2 * time.Second}), event: direct,
			errType: "UpstreamTimeout", retried: true, wx: 3, sm: 1},
		{name: "connection reset", setup: wxRepeat(5, wxtest.Fault{Reset: true}), event: fixtureEvent("alb.json"),
			status: 503, code: "wechat_busy", retryAfter: 2, retried: true, wx: 3, sm: 1},
		{name: "connection reset direct", setup: wxRepeat(5, wxtest.Fault{Reset: true}), event: direct,
			errType: "WeChatBusy", retried: true, wx: 3, sm: 1},
		{name: "http 500", setup: wxRepeat(5, wxtest.Fault{Status: 500}), event: fixtureEvent("apigw-rest.json"),
			status: 503, code: "wechat_busy", retryAfter: 2, retried: true, wx: 3, sm: 1},
		{name: "http 502 once then recovered", setup: wxScript(wxtest.Fault{Status: 502}), event: fixtureEvent("alb.json"),
			status: 200, retried: true, wx: 2, sm: 1},
		{name: "http 502", setup: wxRepeat(5, wxtest.Fault{Status: 502}), event: fixtureEvent("function-url.json"),
			status: 503, code: "wechat_busy", retryAfter: 2, retried: true, wx: 3, sm: 1},
		{name: "html error page with 200", setup: wxScript(wxtest.Fault{Body: "<html><body><h1>502 Bad Gateway</h1></body></html>"}),
			event: fixtureEvent("apigw-http.json"), status: 502, code: "upstream_bad_response", wx: 1, sm: 1},
		{name: "empty body", setup: wxScript(wxtest.Fault{Status: 200}), event: fixtureEvent("apigw-rest.json"),
			status: 502, code: "upstream_bad_response", wx: 1, sm: 1},
		{name: "truncated json", setup: wxScript(wxtest.Fault{Body: `{"primary_industry":{"first_class":"运输与仓储","sec`}), event: direct,
			errType: "UpstreamBadResponse", wx: 1, sm: 1},
		{name: "oversized body", setup: wxScript(wxtest.Fault{Body: oversize}), event: fixtureEvent("alb.json"),
			status: 502, code: "upstream_bad_response", wx: 1, sm: 1},
		{name: "success without industry", setup: wxScript(wxtest.Fault{Body: `{}`}), event: fixtureEvent("function-url.json"),
			status: 502, code: "upstream_bad_response", wx: 1, sm: 1},
		{name: "success without primary_industry", setup: wxScript(wxtest.Fault{Body: `{"secondary_industry":{"first_class":"IT科技","second_class":"互联网|电子商务"}}`}),
			event: fixtureEvent("apigw-http.json"), status: 502, code: "upstream_bad_response", wx: 1, sm: 1},
		{name: "success with partial classes", setup: wxScript(wxtest.Fault{Body: `{"primary_industry":{"first_class":"IT科技"},"secondary_industry":{}}`}),
			event: fixtureEvent("apigw-rest.json"), status: 200, industry: &partial, wx: 1, sm: 1},

		// The industry cache: a kept answer hides WeChat being busy or slow,
		// never a spent quota (WX_INDUSTRY_CACHE_TTL=1ns: expired at once).
		{name: "busy while the cached answer is fresh", warm: true, setup: busyAlways, event: fixtureEvent("alb.json"),
			status: 200, header: map[string]string{"X-Industry-Cache": "hit"}, wx: 0, sm: 0},
		{name: "busy after the cached answer expired", env: expiring, warm: true, setup: busyAlways, event: fixtureEvent("apigw-http.json"),
			status: 200, header: map[string]string{"X-Industry-Cache": "stale"}, retried: true, wx: 3, sm: 0},
		{name: "slow headers after the cached answer expired", env: expiring, warm: true, setup: wxRepeat(5, wxtest.Fault{Delay: 2 * time.Second}),
			event: fixtureEvent("function-url.json"), status: 200, header: map[string]string{"X-Industry-Cache": "stale"}, retried: true, wx: 3, sm: 0},
		{name: "daily quota after the cached answer expired", env: expiring, warm: true, setup: wxScript(wxtest.Fault{Errcode: wx.CodeDailyQuota}),
			event: fixtureEvent("apigw-rest.json"), status: 503, code: "wechat_quota_exceeded", errcode: 45009, retryAfter: untilMidnight, wx: 1, sm: 0},
		{name: "busy after expiry with stale serving off", env: map[string]string{"WX_INDUSTRY_CACHE_TTL": "1ns", "WX_INDUSTRY_STALE_TTL": "0"}, warm: true,
			setup: busyAlways, event: direct, errType: "WeChatBusy", retried: true, wx: 3, sm: 0},

		// Secrets Manager.
		{name: "secret not found", setup: func(_ *wxtest.Simulator, sm *smtest.Fake) { sm.DeleteSecret("wx/token") },
			event: fixtureEvent("apigw-http.json"), status: 500, code: "token_unavailable", wx: 0, sm: 1},
		{name: "access denied", setup: smFail(smtest.Fault{Type: "AccessDeniedException"}), event: direct,
			errType: "TokenUnavailable", wx: 0, sm: 1},
		{name: "throttled then recovered", setup: smFail(smtest.Fault{Type: "ThrottlingException"}), event: fixtureEvent("alb.json"),
			status: 200, wx: 1, sm: 2},
		{name: "secrets manager 500 persistent", setup: smFail(smRepeat(5, smtest.Fault{Type: "InternalServiceError"})...),
			event: fixtureEvent("function-url.json"), status: 503, code: "token_unavailable", wx: 0, sm: 3},
		// token.Source gives up on the read after 5 s, before the deadline.
		{name: "secrets manager timeout", setup: smFail(smtest.Fault{Delay: 7 * time.Second}), event: fixtureEvent("apigw-rest.json"),
			status: 503, code: "token_unavailable", wx: 0, sm: 1},
		{name: "secret is broken json", setup: smSecret(`{"access_token":"` + sentinelToken + `",`), event: fixtureEvent("apigw-http.json"),
			status: 500, code: "token_unavailable", wx: 0, sm: 1},
		{name: "secret lacks the field", setup: smSecret(`{"token":"` + sentinelToken + `"}`), event: direct,
			errType: "TokenUnavailable", wx: 0, sm: 1},
		{name: "secret is empty", setup: smSecret(""), event: fixtureEvent("alb.json"),
			status: 500, code: "token_unavailable", wx: 0, sm: 1},
		{name: "token rotated mid-run", env: map[string]string{"WX_INDUSTRY_CACHE_TTL": "0", "WX_TOKEN_CACHE_TTL": "0"}, warm: true,
			setup: rotate, event: fixtureEvent("function-url.json"), status: 200, wx: 1, sm: 1},

		// Bad and unexpected events.
		{name: "payload not json", event: rawEvent(`industry please`), errType: "InvalidRequest", wx: 0, sm: 0},
		{name: "payload a json array", event: rawEvent(`[{}]`), errType: "InvalidRequest", wx: 0, sm: 0},
		{name: "sqs event answers the industry", event: fileEvent("../../internal/lambdahttp/testdata/aws-lambda-go/sqs-event.json"),
			wx: 1, sm: 1},
		{name: "wrong method", event: v2Event("function-url.json", "POST", "/industry", ""),
			status: 405, code: "invalid_request", header: map[string]string{"Allow": "GET, HEAD"}, wx: 0, sm: 0},
		{name: "unknown path", event: v2Event("apigw-http.json", "GET", "/industries", ""),
			status: 404, code: "invalid_request", wx: 0, sm: 0},
		{name: "huge body", event: v2Event("function-url.json", "GET", "/industry", strings.Repeat("x", 1<<20+1)),
			status: 413, code: "invalid_request", wx: 0, sm: 0},
	}
}

func smRepeat(n int, f smtest.Fault) []smtest.Fault {
	faults := make([]smtest.Fault, n)
	for i := range faults {
		faults[i] = f
	}
	return faults
}

func rawEvent(s string) func(testing.TB) []byte {
	return func(testing.TB) []byte { return []byte(s) }
}

func fileEvent(path string) func(testing.TB) []byte {
	return func(tb testing.TB) []byte {
		tb.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
}

func fixtureEvent(name string) func(testing.TB) []byte {
	return fileEvent("../../events/" + name)
}

// v2Event is a payload 2.0 fixture (HTTP API, Function URL) with another
// method, path and plain-text body.
func v2Event(name, method, path, body string) func(testing.TB) []byte {
	return func(tb testing.TB) []byte {
		tb.Helper()
		var ev map[string]any
		if err := json.Unmarshal(fixtureEvent(name)(tb), &ev); err != nil {
			tb.Fatal(err)
		}
		h := ev["requestContext"].(map[string]any)["http"].(map[string]any)
		h["method"], h["path"], ev["rawPath"] = method, path, path
		ev["routeKey"] = "$default"
		if body != "" {
			ev["body"], ev["isBase64Encoded"] = body, false
		}
		b, err := json.Marshal(ev)
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
}

// faultTarget is the function under test with its fakes, in process or
// under the emulator.
type faultTarget struct {
	sim    *wxtest.Simulator
	sm     *smtest.Fake
	invoke func(tb testing.TB, payload []byte) invokeResult
	output func() string // everything the function has logged so far
}

// invokeResult is an invoke's answer, or its function error.
type invokeResult struct {
	out     []byte // the answer, or the error's text
	errType string // Lambda errorType of a function error; "" if none
	errMsg  string
}

func inProcessTarget(tb testing.TB, env map[string]string) *faultTarget {
	tb.Helper()
	return inProcessTargetTimeout(tb, env, faultTimeout)
}

// inProcessTargetTimeout is inProcessTarget with another function timeout.
func inProcessTargetTimeout(tb testing.TB, env map[string]string, timeout time.Duration) *faultTarget {
	tb.Helper()
	s := newStack(tb, env)
	var n atomic.Int64
	invoke := func(tb testing.TB, payload []byte) invokeResult {
		lc := &lambdacontext.LambdaContext{AwsRequestID: fmt.Sprintf("req-fault-%d", n.Add(1))}
		ctx, cancel := context.WithTimeout(lambdacontext.NewContext(context.Background(), lc), timeout)
		defer cancel()
		out, err := s.handler.Invoke(ctx, payload)
		if err == nil {
			return invokeResult{out: out}
		}
		var ie messages.InvokeResponse_Error
		if !errors.As(err, &ie) {
			ie = messages.InvokeResponse_Error{Type: fmt.Sprintf("%T", err), Message: err.Error()}
		}
		return invokeResult{out: append(out, err.Error()...), errType: ie.Type, errMsg: ie.Message}
	}
	return &faultTarget{sim: s.sim, sm: s.sm, invoke: invoke, output: s.logs.String}
}

// emulatorTarget runs the built bootstrap under the emulator like
// newEmulatorStack, but with the function timeout of the fault rows.
func emulatorTarget(tb testing.TB, env map[string]string) *faultTarget {
	tb.Helper()
	return emulatorTargetTimeout(tb, env, faultTimeout)
}

// emulatorTargetTimeout is emulatorTarget with another function timeout
// (AWS_LAMBDA_FUNCTION_TIMEOUT).
func emulatorTargetTimeout(tb testing.TB, env map[string]string, timeout time.Duration) *faultTarget {
	tb.Helper()
	bin, err := rie.Find()
	if err != nil {
		tb.Skip(err)
	}
	boot, err := buildBootstrap()
	if err != nil {
		tb.Fatal(err)
	}
	sim, sm := wxtest.NewSimulator(sentinelToken), smtest.NewFake()
	wxSrv, smSrv := wxtest.NewServer(sim), smtest.NewServer(sm)
	tb.Cleanup(wxSrv.Close)
	tb.Cleanup(smSrv.Close)
	sm.SetSecret("wx/token", sentinelToken)
	kv := environ(smtest.Env(smSrv.URL), map[string]string{"WX_TOKEN_SECRET_ID": "wx/token", "WX_API_BASE_URL": wxSrv.URL}, env)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	emu, err := rie.Start(ctx, rie.Options{Binary: bin, Bootstrap: boot, Env: kv, Timeout: timeout})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(emu.Close)
	invoke := func(tb testing.TB, payload []byte) invokeResult {
		tb.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*timeout)
		defer cancel()
		status, out, err := emu.Invoke(ctx, payload)
		if err != nil || status != 200 {
			tb.Fatalf("emulator Invoke() = %d %s, %v; want HTTP 200\n%s", status, out, err, emu.Log.Tail(20))
		}
		var fe struct{ ErrorType, ErrorMessage string }
		if json.Unmarshal(out, &fe) == nil && fe.ErrorType != "" {
			return invokeResult{out: out, errType: fe.ErrorType, errMsg: fe.ErrorMessage}
		}
		return invokeResult{out: out}
	}
	return &faultTarget{sim: sim, sm: sm, invoke: invoke, output: emu.Log.String}
}

func TestFaultMatrix(t *testing.T) {
	for _, r := range faultRows() {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			r.run(t, inProcessTarget(t, r.environ()))
		})
	}
}

func TestFaultMatrixEmulator(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end emulator test skipped in -short mode")
	}
	for _, r := range faultRows() {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			r.run(t, emulatorTarget(t, r.environ()))
		})
	}
}

// environ merges maps of variables, later ones winning, into KEY=VALUE
// pairs as os/exec and the emulator take them.
func environ(maps ...map[string]string) []string {
	merged := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			merged[k] = v
		}
	}
	kv := make([]string, 0, len(merged))
	for k, v := range merged {
		kv = append(kv, k+"="+v)
	}
	return kv
}

func (r faultRow) environ() map[string]string {
	env := map[string]string{}
	for _, m := range []map[string]string{faultEnv, r.env} {
		for k, v := range m {
			env[k] = v
		}
	}
	return env
}

// run plays the row against tg, then checks that the function serves again
// once the fault is gone, and that no byte answered or logged holds the token.
func (r faultRow) run(t *testing.T, tg *faultTarget) {
	var answers strings.Builder
	logFrom := 0
	if r.warm {
		res := tg.invoke(t, direct(t))
		answers.Write(res.out)
		if res.errType != "" {
			t.Fatalf("warm-up invoke = %s %s; want the industry", res.errType, res.out)
		}
		_, logFrom = waitSummary(t, tg.output, 0)
	}
	wx0, sm0 := tg.sim.Calls(), tg.sm.Calls("")
	if r.setup != nil {
		r.setup(tg.sim, tg.sm)
	}
	res := tg.invoke(t, r.event(t))
	answers.Write(res.out)
	r.checkAnswer(t, res)
	if got := tg.sim.Calls() - wx0; got != r.wx {
		t.Errorf("WeChat calls = %d; want %d", got, r.wx)
	}
	if got := tg.sm.Calls("") - sm0; got != r.sm {
		t.Errorf("Secrets Manager calls = %d; want %d", got, r.sm)
	}
	if sum, _ := waitSummary(t, tg.output, logFrom); sum != nil {
		if attempts, _ := sum["attempts"].(float64); (attempts > 1) != r.retried {
			t.Errorf("summary attempts = %v; want a retry: %v", sum["attempts"], r.retried)
		}
	}

	// The function keeps serving once the fault is gone (a success of the
	// row may still be cached).
	clearFaults(tg.sim, tg.sm)
	good := tg.invoke(t, direct(t))
	answers.Write(good.out)
	if good.errType != "" {
		t.Errorf("after the fault: invoke = %s %s; want the industry", good.errType, good.out)
	} else {
		wantIndustry(t, good.out, r.want())
	}
	noSecretIn(t, "answers", answers.String())
	noSecretIn(t, "logs", tg.output())
	checkFunctionLogLines(t, tg.output())
}

// want is the industry of a success: r.industry, or the simulator's default.
func (r faultRow) want() wx.Industry {
	if r.industry != nil {
		return *r.industry
	}
	return wxtest.DefaultIndustry()
}

func (r faultRow) checkAnswer(tb testing.TB, res invokeResult) {
	tb.Helper()
	want := r.want()
	if r.status == 0 {
		switch {
		case res.errType != r.errType:
			tb.Errorf("direct invoke = errorType %q, %s; want errorType %q", res.errType, res.out, r.errType)
		case r.errType == "":
			wantIndustry(tb, res.out, want)
		case res.errMsg == "":
			tb.Errorf("direct invoke error %s has no message", res.errType)
		}
		return
	}
	if res.errType != "" {
		tb.Fatalf("HTTP event = function error %s %s; want an HTTP answer", res.errType, res.out)
	}
	a, body := decodeHTTPAnswer(tb, res.out)
	if a.StatusCode != r.status || !strings.HasPrefix(a.header("Content-Type"), "application/json") {
		tb.Errorf("answer = %d %v %s; want %d application/json", a.StatusCode, a.Headers, body, r.status)
	}
	for k, v := range r.header {
		if got := a.header(k); got != v {
			tb.Errorf("header %s = %q; want %q", k, got, v)
		}
	}
	checkRetryAfter(tb, a.header("Retry-After"), r.retryAfter)
	if r.status == 200 {
		wantIndustry(tb, body, want)
		return
	}
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err != nil {
		tb.Fatalf("error body %s: %v", body, err)
	}
	e := eb.Error
	if e.Code != r.code || e.Message == "" || e.RequestID == "" {
		tb.Errorf("error body = %s; want code %q with a message and a request_id", body, r.code)
	}
	if e.WeChatErrcode != r.errcode || (r.errcode != 0) != (e.WeChatRID != "") {
		tb.Errorf("error body = %s; want wechat_errcode %d, and a wechat_rid with it", body, r.errcode)
	}
}

// checkRetryAfter checks a Retry-After header against want: seconds, or
// untilMidnight (a few seconds of slack); 0 checks nothing.
func checkRetryAfter(tb testing.TB, got string, want int) {
	tb.Helper()
	if want == 0 {
		return
	}
	secs, err := strconv.Atoi(got)
	if want == untilMidnight {
		now := time.Now().In(time.FixedZone("CST", 8*60*60))
		midnight := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, now.Location())
		if left := int(midnight.Sub(now).Seconds()); err != nil || secs < left-5 || secs > left+5 {
			tb.Errorf("Retry-After = %q; want about %d (seconds to 00:00 Asia/Shanghai)", got, left)
		}
		return
	}
	if err != nil || secs != want {
		tb.Errorf("Retry-After = %q; want %d", got, want)
	}
}

// waitSummary returns the first "invocation" summary the function logged
// after byte from of its output, and the offset after it. The emulator's
// output comes through a pipe, so it may trail the answer a little.
func waitSummary(tb testing.TB, output func() string, from int) (map[string]any, int) {
	tb.Helper()
	for deadline := time.Now().Add(3 * time.Second); ; {
		out := output()
		for off := from; off < len(out); {
			n := strings.IndexByte(out[off:], '\n')
			if n < 0 {
				break
			}
			var rec map[string]any
			if json.Unmarshal([]byte(out[off:off+n]), &rec) == nil && rec["msg"] == "invocation" {
				return rec, off + n + 1
			}
			off += n + 1
		}
		if time.Now().After(deadline) {
			tb.Errorf("no invocation summary in the function's output after byte %d:\n%s", from, out[from:])
			return nil, from
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// clearFaults ends every fault: no script, both tokens valid, a good secret,
// and no Secrets Manager fault left queued (taken by direct calls).
func clearFaults(sim *wxtest.Simulator, sm *smtest.Fake) {
	sim.Reset()
	sim.SetTokens(sentinelToken, rotatedToken)
	sm.SetSecret("wx/token", jsonSecret(sentinelToken))
	for range 10 {
		req := httptest.NewRequest("POST", "/", strings.NewReader(`{"SecretId":"wx/token"}`))
		req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 test")
		rec := httptest.NewRecorder()
		sm.ServeHTTP(rec, req)
		if rec.Code == 200 {
			return
		}
	}
}
