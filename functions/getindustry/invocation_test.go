package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/wxindustry/getindustry/internal/industry"
	"github.com/wxindustry/getindustry/internal/lambdahttp"
)

// answersFunc is an answerGetter made of a function.
type answersFunc func(ctx context.Context) (*industry.Answer, error)

func (f answersFunc) Get(ctx context.Context) (*industry.Answer, error) { return f(ctx) }

// TestInstrumentedRecordsAdapterOutcomes checks that what lambdahttp answers on its own is
// logged and counted: an event it rejects as invalid_request with its status, and a panic
// in the endpoint (recovered only by lambdahttp) as internal, answered 500 or as an
// Internal error, logged once with its value redacted, and counted as an error.
func TestInstrumentedRecordsAdapterOutcomes(t *testing.T) {
	panics := answersFunc(func(context.Context) (*industry.Answer, error) {
		panic("wx: get failed: access_token=" + sentinelToken)
	})
	tests := map[string]struct {
		payload  []byte
		status   int    // HTTP status answered, or 0 for a direct invoke
		errType  string // direct invoke: Lambda errorType
		code     string // error_code in the summary and metrics
		level    string
		panicked bool
	}{
		"http panic":   {readEvent(t, "apigw-http.json"), 500, "", "internal", "ERROR", true},
		"alb panic":    {readEvent(t, "alb.json"), 500, "", "internal", "ERROR", true},
		"direct panic": {[]byte(`{}`), 0, "Internal", "internal", "ERROR", true},
		"bad event":    {bytes.Replace(readEvent(t, "function-url.json"), []byte(`"isBase64Encoded": false`), []byte(`"isBase64Encoded": 5`), 1), 400, "", "invalid_request", "WARN", false},
		"huge body": {bytes.Replace(readEvent(t, "apigw-rest.json"), []byte(`"body": null`),
			[]byte(`"body": "`+strings.Repeat("x", lambdahttp.MaxBodyBytes+1)+`"`), 1), 413, "", "invalid_request", "WARN", false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			ep := &endpoint{answers: panics, now: testNowFunc}
			h := &instrumented{next: lambdahttp.Wrap(ep, ep.direct), log: slog.New(slog.NewJSONHandler(&logs, nil)),
				metrics: &metricsWriter{w: &logs, namespace: "GetIndustry", service: "getindustry"}}
			ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
			out, err := h.Invoke(ctx, tt.payload)
			var ie messages.InvokeResponse_Error
			switch {
			case tt.status == 0 && (!errors.As(err, &ie) || ie.Type != tt.errType):
				t.Errorf("Invoke() err = %v; want errorType %s", err, tt.errType)
			case tt.status != 0:
				a, body := decodeHTTPAnswer(t, out)
				var eb errorBody
				if err != nil || a.StatusCode != tt.status || json.Unmarshal(body, &eb) != nil || eb.Error.Code != tt.code {
					t.Errorf("Invoke() = %s, %v; want %d %s", out, err, tt.status, tt.code)
				}
			}
			var summary map[string]any
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				var rec map[string]any
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("log line %q: %v", line, err)
				}
				switch {
				case rec["msg"] == "invocation":
					summary = rec
				case strings.Contains(line, "panic"):
					t.Errorf("log line %s mentions the panic; want it in the summary only", line)
				case rec["_aws"] != nil && (rec["Errors"] != 1.0 || rec["ErrorCode"] != tt.code):
					t.Errorf("metrics Errors %v ErrorCode %v; want 1 %s", rec["Errors"], rec["ErrorCode"], tt.code)
				}
			}
			wantStatus := float64(tt.status)
			if tt.status == 0 {
				wantStatus = 500 // a failed direct invoke is logged with its HTTP equivalent
			}
			if summary == nil || summary["error_code"] != tt.code || summary["status"] != wantStatus || summary["level"] != tt.level {
				t.Errorf("summary = %v; want error_code %s, status %v, level %s", summary, tt.code, wantStatus, tt.level)
			}
			if cause, _ := summary["cause"].(string); tt.panicked != strings.HasPrefix(cause, "panic: wx: get failed") {
				t.Errorf("summary cause = %q; want the panic value: %v", cause, tt.panicked)
			}
			noSecretIn(t, "logs", logs.String())
		})
	}
}

// testNowFunc is a clock stopped at testNow.
func testNowFunc() time.Time { return testNow }

// TestInvokeRoutesRESTResourceAndCountsEveryIfNoneMatchLine runs events through the whole
// function: a REST API behind a custom domain with a base path mapping (path /v1/industry,
// resource /industry) answers the industry, and an ETag sent on a later If-None-Match line
// of REST or ALB multiValueHeaders answers 304.
func TestInvokeRoutesRESTResourceAndCountsEveryIfNoneMatchLine(t *testing.T) {
	s := newStack(t, nil)
	edit := func(name string, f func(ev map[string]any)) []byte {
		t.Helper()
		var ev map[string]any
		if err := json.Unmarshal(readEvent(t, name), &ev); err != nil {
			t.Fatal(err)
		}
		f(ev)
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	out, err := s.invoke(t, edit("apigw-rest.json", func(ev map[string]any) { ev["path"] = "/v1/industry" }))
	if err != nil {
		t.Fatalf("Invoke() err = %v", err)
	}
	a, body := decodeHTTPAnswer(t, out)
	etag := a.header("ETag")
	if a.StatusCode != 200 || etag == "" {
		t.Fatalf("REST /v1/industry on resource /industry = %d ETag %q %s; want 200 with an ETag", a.StatusCode, etag, body)
	}
	tests := map[string][]byte{
		"rest": edit("apigw-rest.json", func(ev map[string]any) {
			ev["headers"].(map[string]any)["If-None-Match"] = etag
			ev["multiValueHeaders"].(map[string]any)["If-None-Match"] = []any{`"other"`, etag}
		}),
		"alb": edit("alb.json", func(ev map[string]any) {
			ev["multiValueHeaders"].(map[string]any)["if-none-match"] = []any{`"other"`, "W/" + etag}
		}),
	}
	for name, payload := range tests {
		t.Run(name, func(t *testing.T) {
			out, err := s.invoke(t, payload)
			if err != nil {
				t.Fatalf("Invoke() err = %v", err)
			}
			if a, body := decodeHTTPAnswer(t, out); a.StatusCode != 304 || len(body) != 0 {
				t.Errorf("answer = %d %s; want 304 without a body", a.StatusCode, body)
			}
		})
	}
}
