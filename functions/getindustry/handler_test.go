package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/wxindustry/getindustry/internal/industry"
	"github.com/wxindustry/getindustry/internal/wx"
)

// industryFunc adapts a function to industryGetter for handler tests.
type industryFunc func(ctx context.Context) (*wx.Industry, error)

func (f industryFunc) GetIndustry(ctx context.Context) (*wx.Industry, error) { return f(ctx) }

var docIndustry = &wx.Industry{
	PrimaryIndustry:   wx.Class{FirstClass: "运输与仓储", SecondClass: "快递"},
	SecondaryIndustry: wx.Class{FirstClass: "IT科技", SecondClass: "互联网|电子商务"},
}

// testNow is the endpoint's clock in handler tests.
var testNow = time.Date(2026, 11, 25, 4, 0, 0, 0, time.UTC)

func newTestEndpoint(err error) *endpoint {
	upstream := industryFunc(func(context.Context) (*wx.Industry, error) {
		if err != nil {
			return nil, err
		}
		return docIndustry, nil
	})
	now := func() time.Time { return testNow }
	return &endpoint{
		answers: industry.NewCache(upstream, industry.Options{TTL: 5 * time.Minute, Now: now}),
		now:     now,
	}
}

func TestEndpointServeHTTP(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		path       string
		err        error
		status     int
		code       string
		header     map[string]string
		emptyBody  bool
		wantWeChat bool
	}{
		{name: "get", method: "GET", path: "/industry", status: 200},
		{name: "head", method: "HEAD", path: "/industry", status: 200, emptyBody: true},
		{name: "post", method: "POST", path: "/industry", status: 405, code: "invalid_request", header: map[string]string{"Allow": "GET, HEAD"}},
		{name: "delete", method: "DELETE", path: "/industry", status: 405, code: "invalid_request"},
		{name: "unknown path", method: "GET", path: "/industries", status: 404, code: "invalid_request"},
		{name: "root", method: "GET", path: "/", status: 404, code: "invalid_request"},
		{name: "busy", method: "GET", path: "/industry", err: &wx.Error{Op: "get_industry", Code: -1, Message: "system error rid: a1", RID: "a1"},
			status: 503, code: "wechat_busy", header: map[string]string{"Retry-After": "2"}, wantWeChat: true},
		{name: "daily quota", method: "GET", path: "/industry", err: &wx.Error{Op: "get_industry", Code: 45009, RID: "q"},
			status: 503, code: "wechat_quota_exceeded", header: map[string]string{"Retry-After": "43200"}, wantWeChat: true},
		{name: "timeout", method: "GET", path: "/industry", err: wx.ErrTimeout, status: 504, code: "upstream_timeout"},
		{name: "head error has no body", method: "HEAD", path: "/industry", err: wx.ErrBadResponse, status: 502, code: "upstream_bad_response", emptyBody: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-123"})
			req := httptest.NewRequest(tt.method, tt.path, nil).WithContext(ctx)
			rec := httptest.NewRecorder()
			newTestEndpoint(tt.err).ServeHTTP(rec, req)
			res := rec.Result()

			if res.StatusCode != tt.status {
				t.Fatalf("status = %d; want %d (body %s)", res.StatusCode, tt.status, rec.Body)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q; want application/json", ct)
			}
			for k, v := range tt.header {
				if got := res.Header.Get(k); got != v {
					t.Errorf("header %s = %q; want %q", k, got, v)
				}
			}
			if tt.emptyBody {
				if rec.Body.Len() != 0 {
					t.Errorf("body = %q; want none", rec.Body)
				}
				return
			}
			if tt.code == "" {
				var got wx.Industry
				if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got != *docIndustry {
					t.Errorf("body = %s (%v); want the industry in WeChat's shape", rec.Body, err)
				}
				return
			}
			var body errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("error body %s: %v", rec.Body, err)
			}
			if body.Error.Code != tt.code || body.Error.RequestID != "req-123" || body.Error.Message == "" {
				t.Errorf("error = %+v; want code %s, request_id req-123 and a message", body.Error, tt.code)
			}
			if tt.wantWeChat != (body.Error.WeChatErrcode != 0 && body.Error.WeChatRID != "") {
				t.Errorf("error = %+v; wechat fields present = %v, want %v", body.Error, !tt.wantWeChat, tt.wantWeChat)
			}
		})
	}
}

func TestEndpointDirect(t *testing.T) {
	tests := []struct {
		name     string
		payload  string
		err      error
		wantType string
	}{
		{name: "empty object", payload: `{}`},
		{name: "object with fields", payload: ` {"source":"step-functions"} `},
		{name: "string", payload: `"industry"`, wantType: "InvalidRequest"},
		{name: "array", payload: `[]`, wantType: "InvalidRequest"},
		{name: "number", payload: `42`, wantType: "InvalidRequest"},
		{name: "null", payload: `null`, wantType: "InvalidRequest"},
		{name: "not json", payload: `{industry`, wantType: "InvalidRequest"},
		{name: "empty", payload: ``, wantType: "InvalidRequest"},
		{name: "token rejected", payload: `{}`, err: &wx.Error{Code: 40001}, wantType: "WeChatTokenInvalid"},
		{name: "internal", payload: `{}`, err: errors.New("boom"), wantType: "Internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := newTestEndpoint(tt.err).direct(context.Background(), []byte(tt.payload))
			if tt.wantType == "" {
				var got wx.Industry
				if err != nil || json.Unmarshal(out, &got) != nil || got != *docIndustry {
					t.Fatalf("direct() = %s, %v; want the industry", out, err)
				}
				return
			}
			var ie messages.InvokeResponse_Error
			if !errors.As(err, &ie) || ie.Type != tt.wantType || ie.Message == "" {
				t.Fatalf("direct() err = %#v; want an InvokeResponse_Error of type %s", err, tt.wantType)
			}
		})
	}
}

func TestEndpointConditionalRequests(t *testing.T) {
	ep := newTestEndpoint(nil)
	get := func(method string, ifNoneMatch ...string) *http.Response {
		t.Helper()
		req := httptest.NewRequest(method, "/industry", nil)
		for _, v := range ifNoneMatch { // one header line each
			req.Header.Add("If-None-Match", v)
		}
		rec := httptest.NewRecorder()
		ep.ServeHTTP(rec, req)
		return rec.Result()
	}
	first := get("GET")
	etag := first.Header.Get("ETag")
	if first.StatusCode != 200 || !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 10 {
		t.Fatalf("first GET = %d ETag %q; want 200 with a strong ETag", first.StatusCode, etag)
	}
	if cc := first.Header.Get("Cache-Control"); cc != "private, max-age=300" {
		t.Errorf("Cache-Control = %q; want private, max-age=300", cc)
	}
	if c := first.Header.Get(cacheHeader); c != "miss" {
		t.Errorf("%s = %q on the first GET; want miss", cacheHeader, c)
	}

	tests := []struct {
		name        string
		method      string
		ifNoneMatch []string
		status      int
	}{
		{"same etag", "GET", []string{etag}, 304},
		{"weak form of the same etag", "GET", []string{"W/" + etag}, 304},
		{"in a list", "GET", []string{`"other", ` + etag}, 304},
		{"on a later line", "GET", []string{`"other"`, `"another", W/` + etag}, 304},
		{"any on a later line", "HEAD", []string{`"other"`, "*"}, 304},
		{"any", "GET", []string{"*"}, 304},
		{"other etag", "GET", []string{`"other"`}, 200},
		{"other etags on several lines", "GET", []string{`"other"`, `"another"`}, 200},
		{"head with same etag", "HEAD", []string{etag}, 304},
		{"no condition", "GET", []string{""}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := get(tt.method, tt.ifNoneMatch...)
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.status {
				t.Fatalf("status = %d; want %d", res.StatusCode, tt.status)
			}
			if res.Header.Get("ETag") != etag || res.Header.Get(cacheHeader) != "hit" {
				t.Errorf("ETag %q cache %q; want %q and hit", res.Header.Get("ETag"), res.Header.Get(cacheHeader), etag)
			}
			if (tt.status == 304 || tt.method == "HEAD") != (len(body) == 0) {
				t.Errorf("body = %q; want one only for a 200 GET", body)
			}
		})
	}
}

func TestEndpointServesStaleWhenWeChatFails(t *testing.T) {
	now := testNow
	var upstreamErr error
	upstream := industryFunc(func(context.Context) (*wx.Industry, error) {
		if upstreamErr != nil {
			return nil, upstreamErr
		}
		return docIndustry, nil
	})
	clock := func() time.Time { return now }
	ep := &endpoint{now: clock, answers: industry.NewCache(upstream, industry.Options{
		TTL: 5 * time.Minute, StaleTTL: time.Hour, StaleOK: wx.Transient, Now: clock,
	})}
	serve := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		ep.ServeHTTP(rec, httptest.NewRequest("GET", "/industry", nil))
		return rec
	}
	if rec := serve(); rec.Code != 200 {
		t.Fatalf("first GET = %d", rec.Code)
	}
	tests := []struct {
		name   string
		after  time.Duration
		err    error
		status int
		cache  string
	}{
		{"busy within the stale window", 10 * time.Minute, &wx.Error{Code: wx.CodeBusy}, 200, "stale"},
		{"timeout within the stale window", 30 * time.Minute, wx.ErrTimeout, 200, "stale"},
		{"quota is answered, not hidden", 30 * time.Minute, &wx.Error{Code: wx.CodeDailyQuota}, 503, ""},
		{"token rejection is answered", 30 * time.Minute, &wx.Error{Code: wx.CodeInvalidCredential}, 502, ""},
		{"busy past the stale window", 2 * time.Hour, &wx.Error{Code: wx.CodeBusy}, 503, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now, upstreamErr = testNow.Add(tt.after), tt.err
			rec := serve()
			if rec.Code != tt.status || rec.Header().Get(cacheHeader) != tt.cache {
				t.Fatalf("GET = %d cache %q; want %d %q (body %s)", rec.Code, rec.Header().Get(cacheHeader), tt.status, tt.cache, rec.Body)
			}
			if tt.cache == "stale" {
				wantIndustry(t, rec.Body.Bytes(), *docIndustry)
				if cc := rec.Header().Get("Cache-Control"); cc != "private, max-age=0" {
					t.Errorf("Cache-Control = %q on a stale answer; want max-age=0", cc)
				}
			}
		})
	}
}
