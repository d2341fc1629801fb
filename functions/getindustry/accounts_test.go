package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/wxindustry/getindustry/internal/lambdaenv"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// Each account answers its own industry, from every event source, with one
// read of its item and one WeChat call; summaries name the appid, metrics
// do not, and no token is printed.
func TestMultiAccountsAnswerTheirOwnIndustry(t *testing.T) {
	s := newMultiStack(t, nil)
	for _, id := range []string{appA, appB, appC} {
		payloads := map[string][]byte{
			"function URL": urlEvent(t, "GET", "/accounts/"+id+"/industry"),
			"REST":         restEvent(t, id),
			"HTTP API":     httpAPIEvent(t, "/accounts/"+id+"/industry"),
			"direct":       []byte(`{"appid":"` + id + `"}`),
		}
		for name, p := range payloads {
			out, err := s.invoke(t, p)
			if err != nil {
				t.Fatalf("%s %s: Invoke() err = %v", id, name, err)
			}
			body := out
			if name != "direct" {
				var a httpAnswer
				if a, body = decodeHTTPAnswer(t, out); a.StatusCode != 200 {
					t.Fatalf("%s %s: answer = %s; want 200", id, name, out)
				}
			}
			wantIndustry(t, body, wxtest.AccountIndustry(id))
		}
		if n := s.reads.Reads(id); n != 1 {
			t.Errorf("%d GetItem calls for %s; want 1", n, id)
		}
	}
	if n := s.sim.Calls(); n != 3 {
		t.Errorf("%d get_industry calls; want 3, one per account", n)
	}
	summaries := 0
	for _, line := range strings.Split(strings.TrimSpace(s.logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		switch rec["msg"] {
		case "invocation":
			summaries++
			if id, _ := rec["appid"].(string); !strings.HasPrefix(id, "wx") {
				t.Errorf("summary %s has no appid", line)
			}
		case "metrics":
			if strings.Contains(line, "wx00") || strings.Contains(strings.ToLower(line), "appid") {
				t.Errorf("metrics line names an account: %s", line)
			}
		}
	}
	if summaries != 12 {
		t.Errorf("%d summaries; want 12", summaries)
	}
	noSecretIn(t, "logs", s.logs.String())
}

// multiCase is one request of TestMultiAccountFailures, as a Function URL
// event and, when direct is set, as a direct invoke.
type multiCase struct {
	name     string
	prepare  func(t *testing.T, s *multiStack)
	method   string // default GET
	path     string
	direct   string // direct payload; "" for none
	status   int
	code     string
	wantType string
	appid    string // the appid the error body names; "" for none
	allow    bool   // Allow: GET, HEAD expected
	noAWS    bool   // no GetItem call, no WeChat call
}

func TestMultiAccountFailures(t *testing.T) {
	tests := []multiCase{
		{name: "unknown appid", path: "/accounts/" + appUnknown + "/industry", direct: `{"appid":"` + appUnknown + `"}`,
			status: 404, code: "account_not_found", wantType: "AccountNotFound", appid: appUnknown},
		{name: "upper-case appid", path: "/accounts/WX00000000000000AA/industry", direct: `{"appid":"WX00000000000000AA"}`,
			status: 400, code: "invalid_request", wantType: "InvalidRequest", noAWS: true},
		{name: "short appid", path: "/accounts/wx0123/industry", direct: `{"appid":"wx0123"}`,
			status: 400, code: "invalid_request", wantType: "InvalidRequest", noAWS: true},
		{name: "appid not hex", path: "/accounts/wx0123456789abcdeg/industry", direct: `{"appid":"wx0123456789abcdeg"}`,
			status: 400, code: "invalid_request", wantType: "InvalidRequest", noAWS: true},
		{name: "appid not a string", direct: `{"appid":123}`, wantType: "InvalidRequest", noAWS: true},
		{name: "no appid in the payload", direct: `{}`, wantType: "InvalidRequest", noAWS: true},
		{name: "null appid", direct: `{"appid":null}`, wantType: "InvalidRequest", noAWS: true},
		{name: "single-account path", path: "/industry", status: 404, code: "invalid_request", noAWS: true},
		{name: "path with more segments", path: "/accounts/" + appA + "/x/industry", status: 404, code: "invalid_request", noAWS: true},
		{name: "another prefix", path: "/account/" + appA + "/industry", status: 404, code: "invalid_request", noAWS: true},
		{name: "no appid", path: "/accounts//industry", status: 404, code: "invalid_request", noAWS: true},
		{name: "account without /industry", path: "/accounts/" + appA, status: 404, code: "invalid_request", noAWS: true},
		{name: "POST", method: "POST", path: "/accounts/" + appA + "/industry", status: 405, code: "invalid_request", allow: true, noAWS: true},
		{name: "item without access_token", prepare: func(t *testing.T, s *multiStack) {
			s.putItem(t, appA, map[string]string{"expires_at": "2999-01-01T00:00:00Z"})
		}, path: "/accounts/" + appA + "/industry", direct: `{"appid":"` + appA + `"}`,
			status: 503, code: "token_unavailable", wantType: "TokenUnavailable", appid: appA},
		{name: "expired item", prepare: func(t *testing.T, s *multiStack) {
			s.putItem(t, appA, map[string]string{"access_token": accountToken(appA), "expires_at": "2020-01-01T00:00:00Z"})
		}, path: "/accounts/" + appA + "/industry", direct: `{"appid":"` + appA + `"}`,
			status: 503, code: "token_unavailable", wantType: "TokenUnavailable", appid: appA},
		{name: "WeChat rejects the item's token", prepare: func(t *testing.T, s *multiStack) {
			s.sim.SetAccountToken(appA, "another", s.sim.Now().Add(1e12))
		}, path: "/accounts/" + appA + "/industry", direct: `{"appid":"` + appA + `"}`,
			status: 502, code: "wechat_token_invalid", wantType: "WeChatTokenInvalid", appid: appA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.path != "" {
				s := newMultiStack(t, nil)
				if tt.prepare != nil {
					tt.prepare(t, s)
				}
				method := tt.method
				if method == "" {
					method = "GET"
				}
				out, err := s.invoke(t, urlEvent(t, method, tt.path))
				if err != nil {
					t.Fatalf("Invoke() err = %v", err)
				}
				a, body := decodeHTTPAnswer(t, out)
				var eb errorBody
				if a.StatusCode != tt.status || json.Unmarshal(body, &eb) != nil || eb.Error.Code != tt.code || eb.Error.AppID != tt.appid {
					t.Errorf("answer = %d %s; want %d %s naming appid %q", a.StatusCode, body, tt.status, tt.code, tt.appid)
				}
				if got := a.header("Allow"); tt.allow != (got == "GET, HEAD") {
					t.Errorf("Allow = %q; want it set: %v", got, tt.allow)
				}
				checkNoAWS(t, s, tt)
				noSecretIn(t, "answer", string(out))
				noSecretIn(t, "logs", s.logs.String())
			}
			if tt.direct != "" {
				s := newMultiStack(t, nil)
				if tt.prepare != nil {
					tt.prepare(t, s)
				}
				out, err := s.invoke(t, []byte(tt.direct))
				var ie messages.InvokeResponse_Error
				if !errors.As(err, &ie) || ie.Type != tt.wantType || ie.Message == "" {
					t.Errorf("Invoke(%s) = %s, %#v; want errorType %s", tt.direct, out, err, tt.wantType)
				}
				checkNoAWS(t, s, tt)
				noSecretIn(t, "error", ie.Message)
				noSecretIn(t, "logs", s.logs.String())
			}
		})
	}
}

func checkNoAWS(t *testing.T, s *multiStack, tt multiCase) {
	t.Helper()
	if !tt.noAWS {
		return
	}
	if n, _ := s.reads.Total(); n != 0 || s.sim.Calls() != 0 {
		t.Errorf("%d GetItem and %d WeChat calls; want none", n, s.sim.Calls())
	}
}

// A caller cycling through unknown appids costs one read per appid per
// WX_ACCOUNT_MISS_TTL, not one per request.
func TestMultiUnknownAppidIsRemembered(t *testing.T) {
	s := newMultiStack(t, nil) // WX_ACCOUNT_MISS_TTL 30s
	for range 5 {
		out, _ := s.invoke(t, urlEvent(t, "GET", "/accounts/"+appUnknown+"/industry"))
		if a, body := decodeHTTPAnswer(t, out); a.StatusCode != 404 {
			t.Fatalf("answer = %d %s; want 404", a.StatusCode, body)
		}
	}
	if n := s.reads.Reads(appUnknown); n != 1 {
		t.Errorf("%d GetItem calls for 5 requests of an unknown appid; want 1", n)
	}
}

// A token rotated by the writer: WeChat's 40001 makes the function re-read
// that account's item and retry once; another account is not read again.
func TestMultiTokenRotation(t *testing.T) {
	s := newMultiStack(t, map[string]string{"WX_INDUSTRY_CACHE_TTL": "0"})
	for _, id := range []string{appA, appB} {
		out, err := s.invoke(t, []byte(`{"appid":"`+id+`"}`))
		if err != nil {
			t.Fatalf("Invoke(%s) err = %v", id, err)
		}
		wantIndustry(t, out, wxtest.AccountIndustry(id))
	}
	s.authorize(t, appA, accountToken(appA)+"-rotated")
	before := len(s.logs.String())
	out, err := s.invoke(t, []byte(`{"appid":"`+appA+`"}`))
	if err != nil {
		t.Fatalf("Invoke(a) after the rotation err = %v", err)
	}
	wantIndustry(t, out, wxtest.AccountIndustry(appA))
	if !strings.Contains(s.logs.String()[before:], `"token_retried":true`) {
		t.Errorf("the summary does not show the token retry:\n%s", s.logs)
	}
	out, err = s.invoke(t, []byte(`{"appid":"`+appB+`"}`))
	if err != nil {
		t.Fatalf("Invoke(b) err = %v", err)
	}
	wantIndustry(t, out, wxtest.AccountIndustry(appB))
	if a, b := s.reads.Reads(appA), s.reads.Reads(appB); a != 2 || b != 1 {
		t.Errorf("GetItem calls: a %d, b %d; want a 2 (re-read after 40001), b 1", a, b)
	}
	noSecretIn(t, "logs", s.logs.String())
}

// WX_MAX_ACCOUNTS bounds the accounts kept: the least recently used one is
// read again when it comes back.
func TestMultiAccountsAreBounded(t *testing.T) {
	s := newMultiStack(t, map[string]string{"WX_MAX_ACCOUNTS": "2"})
	for _, id := range []string{appA, appB, appC, appA} {
		out, err := s.invoke(t, []byte(`{"appid":"`+id+`"}`))
		if err != nil {
			t.Fatalf("Invoke(%s) err = %v", id, err)
		}
		wantIndustry(t, out, wxtest.AccountIndustry(id))
	}
	if a, c := s.reads.Reads(appA), s.reads.Reads(appC); a != 2 || c != 1 {
		t.Errorf("GetItem calls: a %d, c %d; want a 2 (evicted by c), c 1", a, c)
	}
}

func TestModeConfiguration(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string // each in the one log line
	}{
		{name: "neither", env: map[string]string{}, want: []string{"WX_TOKEN_SECRET_ID", "WX_TOKEN_TABLE"}},
		{name: "both", env: map[string]string{"WX_TOKEN_SECRET_ID": "wx/token", "WX_TOKEN_TABLE": "t"},
			want: []string{"WX_TOKEN_SECRET_ID, WX_TOKEN_TABLE: set only one"}},
		{name: "zero accounts", env: map[string]string{"WX_TOKEN_TABLE": "t", "WX_MAX_ACCOUNTS": "0"},
			want: []string{`WX_MAX_ACCOUNTS "0": must be at least 1`}},
		{name: "accounts not a number", env: map[string]string{"WX_TOKEN_TABLE": "t", "WX_MAX_ACCOUNTS": "lots"},
			want: []string{`WX_MAX_ACCOUNTS "lots": invalid integer`}},
		{name: "zero miss ttl", env: map[string]string{"WX_TOKEN_TABLE": "t", "WX_ACCOUNT_MISS_TTL": "0s"},
			want: []string{`WX_ACCOUNT_MISS_TTL "0s": must be greater than zero`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			started := false
			err := lambdaenv.Run(context.Background(), func(k string) string { return tt.env[k] }, &logs, func(lambda.Handler) { started = true }, build)
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if err == nil || started || len(lines) != 1 {
				t.Fatalf("run() = %v, started %v, logs %q; want one failure line", err, started, logs.String())
			}
			var rec struct{ Level, Msg, Error string }
			if json.Unmarshal([]byte(lines[0]), &rec) != nil || rec.Level != "ERROR" {
				t.Fatalf("log line %q is not a JSON error record", lines[0])
			}
			for _, w := range tt.want {
				if !strings.Contains(rec.Error, w) {
					t.Errorf("cold start error %q; want it to contain %q", rec.Error, w)
				}
			}
		})
	}
	c, err := parseConfig(func(k string) string { return map[string]string{"WX_TOKEN_TABLE": "t"}[k] })
	if err != nil || !c.multi() || c.MaxAccounts != 10000 || c.MissTTL.String() != "30s" {
		t.Errorf("parseConfig(WX_TOKEN_TABLE only) = %+v, %v; want multi-account mode with the defaults", c, err)
	}
}

// HEAD answers as GET, without a body.
func TestMultiAccountHead(t *testing.T) {
	s := newMultiStack(t, nil)
	out, err := s.invoke(t, urlEvent(t, "HEAD", "/accounts/"+appA+"/industry"))
	if err != nil {
		t.Fatalf("Invoke() err = %v", err)
	}
	if a, body := decodeHTTPAnswer(t, out); a.StatusCode != 200 || len(body) != 0 || a.header("ETag") == "" {
		t.Errorf("HEAD answer = %d %v %q; want 200 with an ETag and no body", a.StatusCode, a.Headers, body)
	}
}
