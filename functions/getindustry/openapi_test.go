package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"gopkg.in/yaml.v3"

	"github.com/wxindustry/getindustry/internal/industry"
	"github.com/wxindustry/getindustry/internal/lambdahttp"
	"github.com/wxindustry/getindustry/internal/token"
	"github.com/wxindustry/getindustry/internal/wx"
)

// openAPI is openapi.yaml, decoded generically.
type openAPI map[string]any

func loadOpenAPI(tb testing.TB) openAPI {
	tb.Helper()
	b, err := os.ReadFile("../../openapi.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	var doc map[string]any // not openAPI: yaml.v3 would give nested mappings that type too
	if err := yaml.Unmarshal(b, &doc); err != nil {
		tb.Fatalf("openapi.yaml: %v", err)
	}
	if doc["openapi"] != "3.0.3" {
		tb.Fatalf("openapi.yaml declares openapi %v; want 3.0.3", doc["openapi"])
	}
	return openAPI(doc)
}

// resolve returns node as a mapping, following local $refs ("#/components/...").
func (s openAPI) resolve(tb testing.TB, node any) map[string]any {
	tb.Helper()
	for range 8 {
		m, ok := node.(map[string]any)
		if !ok {
			tb.Fatalf("openapi.yaml: %.80v is not a mapping", node)
		}
		ref, isRef := m["$ref"].(string)
		if !isRef {
			return m
		}
		path, ok := strings.CutPrefix(ref, "#/")
		if !ok {
			tb.Fatalf("openapi.yaml: $ref %q is not local", ref)
		}
		node = map[string]any(s)
		for _, key := range strings.Split(path, "/") {
			parent, _ := node.(map[string]any)
			if node, ok = parent[key]; !ok {
				tb.Fatalf("openapi.yaml: unresolved $ref %q", ref)
			}
		}
	}
	tb.Fatal("openapi.yaml: $ref chain too long")
	return nil
}

// responseAt returns what openapi.yaml documents for method on path (as
// openapi.yaml names it, e.g. "/accounts/{appid}/industry") answering
// status, or nil.
func (s openAPI) responseAt(tb testing.TB, path, method string, status int) map[string]any {
	tb.Helper()
	item := s.resolve(tb, s.resolve(tb, s["paths"])[path])
	op, ok := item[strings.ToLower(method)]
	if !ok {
		return nil
	}
	r, ok := s.resolve(tb, s.resolve(tb, op)["responses"])[strconv.Itoa(status)]
	if !ok {
		return nil
	}
	return s.resolve(tb, r)
}

// schemaKeywords are the schema keywords validate understands; any other
// (description and example aside) fails the test rather than being ignored.
var schemaKeywords = []string{"type", "required", "properties", "additionalProperties", "enum", "pattern",
	"minimum", "description", "example"}

// validate checks v (decoded with json.Number) against schema and returns
// the problems found.
func (s openAPI) validate(tb testing.TB, schema, v any, at string) []string {
	tb.Helper()
	sc := s.resolve(tb, schema)
	for k := range sc {
		if !slices.Contains(schemaKeywords, k) {
			tb.Fatalf("openapi.yaml: %s: schema keyword %q is not supported by this test's validator", at, k)
		}
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, at+": "+fmt.Sprintf(format, args...)) }
	if enum, ok := sc["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
		bad("%v is not one of %v", v, enum)
	}
	switch sc["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			bad("%v is not an object", v)
			break
		}
		for _, r := range asSlice(sc["required"]) {
			if _, ok := m[r.(string)]; !ok {
				bad("required property %q is missing", r)
			}
		}
		props, _ := sc["properties"].(map[string]any)
		for k, pv := range m {
			if ps, ok := props[k]; ok {
				problems = append(problems, s.validate(tb, ps, pv, at+"."+k)...)
			} else if sc["additionalProperties"] == false {
				bad("property %q is not documented", k)
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			bad("%v is not a string", v)
		} else if p, ok := sc["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(str) {
			bad("%q does not match %s", str, p)
		}
	case "integer":
		num, _ := v.(json.Number)
		n, err := num.Int64()
		if err != nil {
			bad("%v is not an integer", v)
		} else if minimum, ok := sc["minimum"].(int); ok && n < int64(minimum) {
			bad("%d is below the minimum %d", n, minimum)
		}
	default:
		tb.Fatalf("openapi.yaml: %s: schema type %v is not supported by this test's validator", at, sc["type"])
	}
	return problems
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

// checkAnswer checks one real answer against openapi.yaml: the status is
// documented for the method, the body validates against the documented
// schema (and is absent for HEAD and for responses without content), and
// every documented header is present when required and valid when present.
func checkAnswer(t *testing.T, spec openAPI, method string, status int, header http.Header, body []byte) {
	t.Helper()
	checkAnswerAt(t, spec, industryPath, method, status, header, body)
}

// checkAnswerAt is checkAnswer for an answer on path, as openapi.yaml names
// it ("/accounts/{appid}/industry").
func checkAnswerAt(t *testing.T, spec openAPI, path, method string, status int, header http.Header, body []byte) {
	t.Helper()
	resp := spec.responseAt(t, path, method, status)
	if resp == nil {
		t.Fatalf("%s answered %d, which openapi.yaml does not document for %s (body %s)", method, status, method, body)
	}
	content, hasContent := resp["content"]
	switch {
	case method == http.MethodHead && hasContent:
		t.Errorf("openapi.yaml documents a body for HEAD %d", status)
	case !hasContent && len(body) > 0:
		t.Errorf("%s %d: body %q; openapi.yaml documents none", method, status, body)
	case hasContent:
		media, ok := spec.resolve(t, content)["application/json"]
		if ct := header.Get("Content-Type"); !ok || ct != "application/json" {
			t.Errorf("Content-Type = %q; openapi.yaml documents %v", ct, content)
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("body %q is not JSON: %v", body, err)
		}
		for _, p := range spec.validate(t, spec.resolve(t, media)["schema"], v, "body") {
			t.Error(p)
		}
	}
	headers := spec.resolve(t, orEmpty(resp["headers"]))
	for name, h := range headers {
		doc := spec.resolve(t, h)
		got := header.Values(name)
		if len(got) == 0 {
			if doc["required"] == true {
				t.Errorf("%s %d: required header %s is missing", method, status, name)
			}
			continue
		}
		var v any = got[0]
		if spec.resolve(t, doc["schema"])["type"] == "integer" {
			v = json.Number(got[0])
		}
		for _, p := range spec.validate(t, doc["schema"], v, "header "+name) {
			t.Error(p)
		}
	}
}

func orEmpty(v any) any {
	if v == nil {
		return map[string]any{}
	}
	return v
}

// newCacheEndpoint is newTestEndpoint with cache options of its own and a
// clock that moves one second each time it is read. Its upstream answers
// the industry the first time and errcode -1 after that.
func newCacheEndpoint(opts industry.Options) *endpoint {
	var calls, tick atomic.Int64
	upstream := industryFunc(func(context.Context) (*wx.Industry, error) {
		if calls.Add(1) == 1 {
			return docIndustry, nil
		}
		return nil, &wx.Error{Op: "get_industry", Code: wx.CodeBusy, Message: "system error rid: s-1", RID: "s-1"}
	})
	opts.Now = func() time.Time { return testNow.Add(time.Duration(tick.Add(1)) * time.Second) }
	return &endpoint{answers: industry.NewCache(upstream, opts), now: opts.Now}
}

func TestOpenAPIHandlerAnswers(t *testing.T) {
	spec := loadOpenAPI(t)
	// Causes carry the sentinel token, which must reach no answer.
	wxErr := func(code int) error {
		return fmt.Errorf("get industry ?access_token=%s: %w", sentinelToken,
			&wx.Error{Op: "get_industry", Code: code, Status: 200, Message: "m " + sentinelToken + " rid: r-1", RID: "r-1"})
	}
	stale := func() *endpoint {
		return newCacheEndpoint(industry.Options{TTL: time.Nanosecond, StaleTTL: time.Hour, StaleOK: func(error) bool { return true }})
	}
	tests := []struct {
		name        string
		method      string
		path        string
		err         error            // upstream failure, for newTestEndpoint
		endpoint    func() *endpoint // instead of newTestEndpoint(err)
		prime       bool             // GET once first, on the same endpoint
		ifNoneMatch string           // "current": the ETag the priming GET answered
		status      int
		cacheState  string // X-Industry-Cache expected, when set
	}{
		{name: "GET", method: "GET", status: 200, cacheState: "miss"},
		{name: "HEAD", method: "HEAD", status: 200, cacheState: "miss"},
		{name: "GET from the cache", method: "GET", prime: true, status: 200, cacheState: "hit"},
		{name: "GET with caching off", method: "GET", endpoint: func() *endpoint { return newCacheEndpoint(industry.Options{}) }, status: 200, cacheState: "bypass"},
		{name: "GET stale while WeChat is busy", method: "GET", endpoint: stale, prime: true, status: 200, cacheState: "stale"},
		{name: "GET If-None-Match current", method: "GET", prime: true, ifNoneMatch: "current", status: 304},
		{name: "HEAD If-None-Match current", method: "HEAD", prime: true, ifNoneMatch: "current", status: 304},
		{name: "GET If-None-Match *", method: "GET", ifNoneMatch: "*", status: 304},
		{name: "GET If-None-Match other", method: "GET", ifNoneMatch: `"other"`, status: 200},
		{name: "GET unknown path", method: "GET", path: "/industries", status: 404},
		{name: "HEAD root", method: "HEAD", path: "/", status: 404},
		{name: "POST", method: "POST", status: 405},
		{name: "PUT", method: "PUT", status: 405},
		{name: "PATCH", method: "PATCH", status: 405},
		{name: "DELETE", method: "DELETE", status: 405},
		{name: "OPTIONS", method: "OPTIONS", status: 405},
		{name: "secret not found", method: "GET", err: &token.Error{Reason: "secret not found"}, status: 500},
		{name: "secrets manager throttled", method: "GET", err: fmt.Errorf("wx: %w", &token.Error{Reason: "throttled", Transient: true}), status: 503},
		{name: "token rejected 40001", method: "GET", err: wxErr(40001), status: 502},
		{name: "token expired 42001", method: "GET", err: wxErr(42001), status: 502},
		{name: "token missing 41001", method: "GET", err: wxErr(41001), status: 502},
		{name: "busy -1", method: "GET", err: wxErr(wx.CodeBusy), status: 503},
		{name: "HEAD busy -1", method: "HEAD", err: wxErr(wx.CodeBusy), status: 503},
		{name: "minute quota 45011", method: "GET", err: wxErr(wx.CodeMinuteQuota), status: 503},
		{name: "daily quota 45009", method: "GET", err: wxErr(wx.CodeDailyQuota), status: 503},
		{name: "unauthorized 48001", method: "GET", err: wxErr(48001), status: 502},
		{name: "IP not allowed 40164", method: "GET", err: wxErr(40164), status: 502},
		{name: "other errcode", method: "GET", err: wxErr(47001), status: 502},
		{name: "HTTP 502 from WeChat", method: "GET", err: &wx.Error{Op: "get_industry", Status: 502}, status: 503},
		{name: "HTTP 404 from WeChat", method: "GET", err: &wx.Error{Op: "get_industry", Status: 404}, status: 502},
		{name: "attempts timed out", method: "GET", err: fmt.Errorf("wx: %w", wx.ErrTimeout), status: 504},
		{name: "deadline", method: "GET", err: context.DeadlineExceeded, status: 504},
		{name: "HEAD timed out", method: "HEAD", err: wx.ErrTimeout, status: 504},
		{name: "connection errors", method: "GET", err: fmt.Errorf("wx: %w", wx.ErrUnavailable), status: 503},
		{name: "bad reply", method: "GET", err: fmt.Errorf("wx: %w", wx.ErrBadResponse), status: 502},
		{name: "anything else", method: "GET", err: errors.New("boom access_token=" + sentinelToken), status: 500},
		{name: "HEAD anything else", method: "HEAD", err: errors.New("boom"), status: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := newTestEndpoint(tt.err)
			if tt.endpoint != nil {
				ep = tt.endpoint()
			}
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-oa"})
			serve := func(method, path string, h http.Header) *httptest.ResponseRecorder {
				req := httptest.NewRequest(method, path, nil).WithContext(ctx)
				for k, v := range h {
					req.Header[k] = v
				}
				rec := httptest.NewRecorder()
				ep.ServeHTTP(rec, req)
				return rec
			}
			var etag string
			if tt.prime {
				etag = serve("GET", industryPath, nil).Result().Header.Get("ETag")
			}
			h := http.Header{}
			switch {
			case tt.ifNoneMatch == "current" && etag == "":
				t.Fatal("the priming GET has no ETag")
			case tt.ifNoneMatch == "current":
				h.Set("If-None-Match", etag)
			case tt.ifNoneMatch != "":
				h.Set("If-None-Match", tt.ifNoneMatch)
			}
			path := tt.path
			if path == "" {
				path = industryPath
			}
			rec := serve(tt.method, path, h)
			res := rec.Result()
			if res.StatusCode != tt.status {
				t.Fatalf("status = %d; want %d (body %s)", res.StatusCode, tt.status, rec.Body)
			}
			if got := res.Header.Get(cacheHeader); tt.cacheState != "" && got != tt.cacheState && res.Header.Get("ETag") != "" {
				t.Errorf("%s = %q; want %q", cacheHeader, got, tt.cacheState)
			}
			if dump := fmt.Sprint(res.Header, rec.Body); strings.Contains(dump, sentinelToken) {
				t.Errorf("the answer carries the access token: %s", dump)
			}
			checkAnswer(t, spec, tt.method, res.StatusCode, res.Header, rec.Body.Bytes())
		})
	}
}

// TestOpenAPIAdapterAnswers drives whole Function URL invocations through
// lambdahttp.Wrap, as main does, so that the answers the adapter makes
// itself (400, 413) and the headers as they leave the function are checked too.
func TestOpenAPIAdapterAnswers(t *testing.T) {
	spec := loadOpenAPI(t)
	fixture, err := os.ReadFile("../../events/function-url.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		method string
		body   string
		base64 bool
		status int
	}{
		{name: "GET", method: "GET", status: 200},
		{name: "HEAD", method: "HEAD", status: 200},
		{name: "POST", method: "POST", body: "{}", status: 405},
		{name: "body not base64", method: "GET", body: "%%%", base64: true, status: 400},
		{name: "body too large", method: "POST", body: strings.Repeat("x", lambdahttp.MaxBodyBytes+1), status: 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ev map[string]any
			if err := json.Unmarshal(fixture, &ev); err != nil {
				t.Fatal(err)
			}
			ev["requestContext"].(map[string]any)["http"].(map[string]any)["method"] = tt.method
			ev["body"], ev["isBase64Encoded"] = tt.body, tt.base64
			payload, _ := json.Marshal(ev)
			ep := newTestEndpoint(nil)
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-oa"})
			out, err := lambdahttp.Wrap(ep, ep.direct).Invoke(ctx, payload)
			if err != nil {
				t.Fatalf("Invoke() err = %v", err)
			}
			ans, body := decodeHTTPAnswer(t, out)
			if ans.StatusCode != tt.status {
				t.Fatalf("status = %d; want %d (body %s)", ans.StatusCode, tt.status, body)
			}
			header := http.Header{}
			for k, v := range ans.Headers {
				header.Set(k, v)
			}
			checkAnswer(t, spec, tt.method, ans.StatusCode, header, body)
		})
	}
}

// TestOpenAPIErrorCodes checks that the documented error codes are exactly
// those of the README's error table.
func TestOpenAPIErrorCodes(t *testing.T) {
	spec := loadOpenAPI(t)
	errSchema := spec.resolve(t, spec.resolve(t, spec["components"])["schemas"])["Error"]
	detail := spec.resolve(t, spec.resolve(t, errSchema)["properties"])["error"]
	code := spec.resolve(t, spec.resolve(t, detail)["properties"])["code"]
	var got []string
	for _, c := range asSlice(spec.resolve(t, code)["enum"]) {
		got = append(got, c.(string))
	}
	want := []string{"invalid_request", "token_unavailable", "wechat_token_invalid", "wechat_busy", "wechat_quota_exceeded",
		"wechat_unauthorized", "wechat_error", "upstream_timeout", "upstream_bad_response", "internal", "account_not_found"}
	if !slices.Equal(got, want) {
		t.Errorf("Error.code enum = %q; want the README's %q", got, want)
	}
}

// TestOpenAPIValidatorRejects shows that checkAnswer's schema validation
// catches bodies that break the documented schemas.
func TestOpenAPIValidatorRejects(t *testing.T) {
	spec := loadOpenAPI(t)
	schemas := spec.resolve(t, spec.resolve(t, spec["components"])["schemas"])
	tests := []struct{ name, schema, body string }{
		{"industry missing a class", "Industry", `{"primary_industry":{"first_class":"a","second_class":"b"}}`},
		{"industry with an extra field", "Industry", `{"primary_industry":{"first_class":"a","second_class":"b"},"secondary_industry":{"first_class":"a","second_class":"b"},"x":1}`},
		{"class not a string", "Industry", `{"primary_industry":{"first_class":1,"second_class":"b"},"secondary_industry":{"first_class":"a","second_class":"b"}}`},
		{"unknown error code", "Error", `{"error":{"code":"oops","message":"m","request_id":"r"}}`},
		{"errcode not an integer", "Error", `{"error":{"code":"wechat_error","message":"m","request_id":"r","wechat_errcode":1.5}}`},
		{"no request id", "Error", `{"error":{"code":"internal","message":"m"}}`},
		{"leaked cause", "Error", `{"error":{"code":"internal","message":"m","request_id":"r","cause":"x"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dec := json.NewDecoder(strings.NewReader(tt.body))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			if problems := spec.validate(t, schemas[tt.schema], v, "body"); len(problems) == 0 {
				t.Errorf("validate(%s) found no problem in %s", tt.schema, tt.body)
			}
		})
	}
}
