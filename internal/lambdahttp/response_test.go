package lambdahttp

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// checkEchoHeaders checks that the echo handler's response headers (two X-Echo values, two
// cookies, a JSON Content-Type) arrived in the format's own way.
func checkEchoHeaders(tb testing.TB, shape Shape, w wire, albMulti bool) {
	tb.Helper()
	cookies := []string{"a=1", "b=2"}
	switch {
	case shape == ShapeAPIGatewayREST:
		if w.Headers["Content-Type"] != "application/json" || w.Headers["X-Echo"] != "a" {
			tb.Errorf("headers = %v; want first values", w.Headers)
		}
		if !slices.Equal(w.MultiValueHeaders["X-Echo"], []string{"a", "b"}) || !slices.Equal(w.MultiValueHeaders["Set-Cookie"], cookies) {
			tb.Errorf("multiValueHeaders = %v; want every value", w.MultiValueHeaders)
		}
	case shape == ShapeALB && albMulti:
		if !slices.Equal(w.MultiValueHeaders["X-Echo"], []string{"a", "b"}) || !slices.Equal(w.MultiValueHeaders["Set-Cookie"], cookies) ||
			!slices.Equal(w.MultiValueHeaders["Content-Type"], []string{"application/json"}) {
			tb.Errorf("multiValueHeaders = %v; want every value", w.MultiValueHeaders)
		}
	case shape == ShapeALB:
		if w.Headers["X-Echo"] != "a,b" || w.Headers["Set-Cookie"] != "a=1" || w.Headers["Content-Type"] != "application/json" {
			tb.Errorf("headers = %v; want joined values and the first cookie", w.Headers)
		}
	default: // payload 2.0
		if w.Headers["X-Echo"] != "a,b" || w.Headers["Content-Type"] != "application/json" {
			tb.Errorf("headers = %v; want joined values", w.Headers)
		}
		if _, ok := w.Headers["Set-Cookie"]; ok {
			tb.Errorf("headers carry Set-Cookie; want it in cookies")
		}
		if !slices.Equal(w.Cookies, cookies) {
			tb.Errorf("cookies = %q; want %q", w.Cookies, cookies)
		}
	}
}

// TestWrapResponse checks how handler answers and adapter errors become responses.
func TestWrapResponse(t *testing.T) {
	panics := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Partial", "1")
		w.WriteHeader(http.StatusAccepted)
		panic("boom")
	})
	binary := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write([]byte{0, 1, 2, 0xff})
	})
	silent := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	sniffed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("\x89PNG\r\n\x1a\n\x00\x00"))
	})
	late := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusTeapot)
		w.Header().Set("X-Late", "ignored")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("héllo"))
	})
	noContent := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
		if _, err := w.Write([]byte("x")); err != http.ErrBodyNotAllowed {
			t.Errorf("Write after 204 err = %v; want ErrBodyNotAllowed", err)
		}
	})
	earlyHints := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</a.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("final"))
	})
	huge := base64.StdEncoding.EncodeToString(make([]byte, MaxBodyBytes+1))
	type want struct {
		status   int
		body     string // exact decoded body, when not echo
		isBase64 bool
		handler  bool // the handler must have been called
	}
	tests := map[string]struct {
		fixture string
		edit    func(ev map[string]any)
		h       http.Handler
		want    want
	}{
		"rest head has no body":      {"apigw-rest.json", method("HEAD"), nil, want{status: 200, handler: true}},
		"http head has no body":      {"apigw-http.json", v2Method(t, "HEAD"), nil, want{status: 200, handler: true}},
		"url head has no body":       {"function-url.json", v2Method(t, "HEAD"), nil, want{status: 200, handler: true}},
		"alb head has no body":       {"alb.json", method("HEAD"), nil, want{status: 200, handler: true}},
		"rest binary body base64":    {"apigw-rest.json", nil, binary, want{200, "\x00\x01\x02\xff", true, true}},
		"http binary body base64":    {"apigw-http.json", nil, binary, want{200, "\x00\x01\x02\xff", true, true}},
		"url binary body base64":     {"function-url.json", nil, binary, want{200, "\x00\x01\x02\xff", true, true}},
		"alb binary body base64":     {"alb.json", nil, binary, want{200, "\x00\x01\x02\xff", true, true}},
		"sniffed binary base64":      {"apigw-rest.json", nil, sniffed, want{200, "\x89PNG\r\n\x1a\n\x00\x00", true, true}},
		"default status 200":         {"apigw-http.json", nil, silent, want{200, "", false, true}},
		"first WriteHeader wins":     {"apigw-rest.json", nil, late, want{http.StatusTeapot, "héllo", false, true}},
		"1xx is not the answer":      {"apigw-http.json", nil, earlyHints, want{200, "final", false, true}},
		"204 refuses body":           {"alb.json", nil, noContent, want{204, "", false, true}},
		"rest 413 huge body":         {"apigw-rest.json", body(strings.Repeat("x", MaxBodyBytes+1), false), nil, want{413, errorJSON("invalid_request", "request body too large"), false, false}},
		"http 413 huge base64 body":  {"apigw-http.json", body(huge, true), nil, want{413, errorJSON("invalid_request", "request body too large"), false, false}},
		"url 413 huge body":          {"function-url.json", body(huge, true), nil, want{413, errorJSON("invalid_request", "request body too large"), false, false}},
		"alb 413 huge body":          {"alb.json", body(huge, true), nil, want{413, errorJSON("invalid_request", "request body too large"), false, false}},
		"rest head 413 has no body":  {"apigw-rest.json", both(method("HEAD"), body(huge, true)), nil, want{413, "", false, false}},
		"rest bad base64":            {"apigw-rest.json", body("not base64!", true), nil, want{400, errorJSON("invalid_request", "request body is not valid base64"), false, false}},
		"http bad base64":            {"apigw-http.json", body("%%%", true), nil, want{400, errorJSON("invalid_request", "request body is not valid base64"), false, false}},
		"url bad base64":             {"function-url.json", body("abc", true), nil, want{400, errorJSON("invalid_request", "request body is not valid base64"), false, false}},
		"alb bad base64":             {"alb.json", body("@@", true), nil, want{400, errorJSON("invalid_request", "request body is not valid base64"), false, false}},
		"alb empty method":           {"alb.json", method(""), nil, want{400, errorJSON("invalid_request", "invalid request method"), false, false}},
		"rest invalid method":        {"apigw-rest.json", method("GET /x"), nil, want{400, errorJSON("invalid_request", "invalid request method"), false, false}},
		"http invalid method":        {"apigw-http.json", v2Method(t, "G{}"), nil, want{400, errorJSON("invalid_request", "invalid request method"), false, false}},
		"url empty method":           {"function-url.json", v2Method(t, ""), nil, want{400, errorJSON("invalid_request", "invalid request method"), false, false}},
		"rest relative path":         {"apigw-rest.json", pathOnly("industry"), nil, want{400, errorJSON("invalid_request", "invalid request path"), false, false}},
		"alb empty path":             {"alb.json", set("path", ""), nil, want{400, errorJSON("invalid_request", "invalid request path"), false, false}},
		"url control char in path":   {"function-url.json", set("rawPath", "/a\x7fb"), nil, want{400, errorJSON("invalid_request", "invalid request path"), false, false}},
		"rest wrongly typed headers": {"apigw-rest.json", set("headers", map[string]any{"a": 5}), nil, want{400, errorJSON("invalid_request", "invalid event"), false, false}},
		"http wrongly typed body":    {"apigw-http.json", set("body", 5), nil, want{400, errorJSON("invalid_request", "invalid event"), false, false}},
		"url wrongly typed cookies":  {"function-url.json", set("cookies", "a=1"), nil, want{400, errorJSON("invalid_request", "invalid event"), false, false}},
		"alb missing method":         {"alb.json", set("httpMethod", 5), nil, want{400, errorJSON("invalid_request", "invalid event"), false, false}},
		"rest panic 500":             {"apigw-rest.json", nil, panics, want{500, errorJSON("internal", "internal error"), false, true}},
		"http panic 500":             {"apigw-http.json", nil, panics, want{500, errorJSON("internal", "internal error"), false, true}},
		"url panic 500":              {"function-url.json", nil, panics, want{500, errorJSON("internal", "internal error"), false, true}},
		"alb panic 500":              {"alb.json", nil, panics, want{500, errorJSON("internal", "internal error"), false, true}},
		"alb single panic 500":       {"alb.json", albSingle(t), panics, want{500, errorJSON("internal", "internal error"), false, true}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			payload := editFixture(t, tt.fixture, tt.edit)
			var called atomic.Bool
			h := tt.h
			if h == nil {
				h = echoHandler()
			}
			spy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called.Store(true)
				h.ServeHTTP(w, r)
			})
			w := invoke(t, t.Context(), spy, payload)
			if called.Load() != tt.want.handler {
				t.Errorf("handler called = %v; want %v", called.Load(), tt.want.handler)
			}
			if w.StatusCode != tt.want.status {
				t.Errorf("statusCode = %d; want %d", w.StatusCode, tt.want.status)
			}
			if w.IsBase64Encoded != tt.want.isBase64 {
				t.Errorf("isBase64Encoded = %v; want %v", w.IsBase64Encoded, tt.want.isBase64)
			}
			if got := string(w.body(t)); got != tt.want.body {
				t.Errorf("body = %q; want %q", got, tt.want.body)
			}
			ct := w.Headers["Content-Type"]
			if mv := w.MultiValueHeaders["Content-Type"]; len(mv) > 0 {
				ct = mv[0]
			}
			if !tt.want.handler && ct != "application/json" {
				t.Errorf("error Content-Type = %q; want application/json", ct)
			}
			if w.Headers["X-Partial"] != "" || w.Headers["X-Late"] != "" {
				t.Errorf("headers = %v; want no partial or late headers", w.Headers)
			}
		})
	}
}

// TestWrapHeaderModes checks the response header fields of each format, ALB with and
// without multi-value headers included.
func TestWrapHeaderModes(t *testing.T) {
	tests := map[string]struct {
		fixture  string
		edit     func(map[string]any)
		albMulti bool
	}{
		"rest":             {"apigw-rest.json", nil, false},
		"http":             {"apigw-http.json", nil, false},
		"function url":     {"function-url.json", nil, false},
		"alb multi-value":  {"alb.json", nil, true},
		"alb single-value": {"alb.json", albSingle(t), false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			payload := editFixture(t, tt.fixture, tt.edit)
			w := invoke(t, t.Context(), echoHandler(), payload)
			shape, _ := detect(payload)
			checkEchoHeaders(t, shape, w, tt.albMulti)
		})
	}
}

// TestResponseFormats pins the JSON each event source gets for an answer: the header rules
// of each format, the cookies, names without values left out, base64 for binary bodies,
// and ALB's status description and omitted empty members.
func TestResponseFormats(t *testing.T) {
	cookies := answer{status: 200, body: []byte(`{"a":"<é>"}`), header: http.Header{"Content-Type": {"application/json"},
		"Set-Cookie": {"a=1", "b=2"}, "X-Multi": {"1", "2"}, "X-None": {}}}
	empty := answer{status: 204, header: http.Header{}}
	binary := answer{status: 599, body: []byte{0, 0xff}, header: http.Header{"Content-Type": {"image/png"}}}
	tests := map[string]struct {
		shape      Shape
		multiValue bool
		a          answer
		want       string
	}{
		"rest": {ShapeAPIGatewayREST, false, cookies, `{"statusCode":200,"headers":{"Content-Type":"application/json","Set-Cookie":"a=1","X-Multi":"1"},` +
			`"multiValueHeaders":{"Content-Type":["application/json"],"Set-Cookie":["a=1","b=2"],"X-Multi":["1","2"]},"body":"{\"a\":\"\u003cé\u003e\"}"}`},
		"http api": {ShapeAPIGatewayHTTP, false, cookies, `{"statusCode":200,"headers":{"Content-Type":"application/json","X-Multi":"1,2"},` +
			`"multiValueHeaders":null,"body":"{\"a\":\"\u003cé\u003e\"}","cookies":["a=1","b=2"]}`},
		"function url": {ShapeFunctionURL, false, cookies, `{"statusCode":200,"headers":{"Content-Type":"application/json","X-Multi":"1,2"},` +
			`"body":"{\"a\":\"\u003cé\u003e\"}","isBase64Encoded":false,"cookies":["a=1","b=2"]}`},
		"alb single": {ShapeALB, false, cookies, `{"statusCode":200,"statusDescription":"200 OK",` +
			`"headers":{"Content-Type":"application/json","Set-Cookie":"a=1","X-Multi":"1,2"},"body":"{\"a\":\"\u003cé\u003e\"}","isBase64Encoded":false}`},
		"alb multi": {ShapeALB, true, cookies, `{"statusCode":200,"statusDescription":"200 OK",` +
			`"multiValueHeaders":{"Content-Type":["application/json"],"Set-Cookie":["a=1","b=2"],"X-Multi":["1","2"]},"body":"{\"a\":\"\u003cé\u003e\"}","isBase64Encoded":false}`},
		"rest empty":         {ShapeAPIGatewayREST, false, empty, `{"statusCode":204,"headers":{},"multiValueHeaders":{},"body":""}`},
		"http api empty":     {ShapeAPIGatewayHTTP, false, empty, `{"statusCode":204,"headers":{},"multiValueHeaders":null,"body":"","cookies":[]}`},
		"function url empty": {ShapeFunctionURL, false, empty, `{"statusCode":204,"headers":{},"body":"","isBase64Encoded":false,"cookies":[]}`},
		"alb empty":          {ShapeALB, true, empty, `{"statusCode":204,"statusDescription":"204 No Content","isBase64Encoded":false}`},
		"rest binary":        {ShapeAPIGatewayREST, false, binary, `{"statusCode":599,"headers":{"Content-Type":"image/png"},"multiValueHeaders":{"Content-Type":["image/png"]},"body":"AP8=","isBase64Encoded":true}`},
		"alb binary":         {ShapeALB, false, binary, `{"statusCode":599,"statusDescription":"599","headers":{"Content-Type":"image/png"},"body":"AP8=","isBase64Encoded":true}`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := json.Marshal(shapes[tt.shape].encode(tt.a, tt.multiValue))
			if err != nil || string(got) != tt.want {
				t.Errorf("response = %s, %v\nwant %s", got, err, tt.want)
			}
			if tt.shape == ShapeALB { // albWire must read as the events type
				var ev events.ALBTargetGroupResponse
				if err := json.Unmarshal(got, &ev); err != nil || ev.StatusCode != tt.a.status {
					t.Errorf("ALB response does not decode as events.ALBTargetGroupResponse: %v", err)
				}
			}
		})
	}
}

// TestIsText checks which media types a response body is sent as text for.
func TestIsText(t *testing.T) {
	tests := map[string]bool{
		"application/json": true, "application/json; charset=utf-8": true, "text/plain; charset=utf-8": true,
		"text/html": true, "application/problem+json": true, "application/atom+xml": true, "application/xml": true,
		"application/javascript": true, "application/x-www-form-urlencoded": true,
		"application/octet-stream": false, "image/png": false, "": false, "application/json; charset": false,
	}
	for ct, want := range tests {
		if got := isText(ct); got != want {
			t.Errorf("isText(%q) = %v; want %v", ct, got, want)
		}
	}
}
