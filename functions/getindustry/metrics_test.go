package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/wxindustry/getindustry/internal/emf"
	"github.com/wxindustry/getindustry/internal/industry"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// emfRecords returns the Embedded Metric Format records among log lines.
func emfRecords(tb testing.TB, logs string) []map[string]any {
	tb.Helper()
	var out []map[string]any
	for _, line := range strings.Split(logs, "\n") {
		if !strings.Contains(line, `"_aws"`) {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			tb.Fatalf("EMF line is not JSON: %q", line)
		}
		out = append(out, rec)
	}
	return out
}

// cloudWatchUnits are the units CloudWatch accepts (MetricDatum reference).
var cloudWatchUnits = map[string]bool{
	"Seconds": true, "Microseconds": true, "Milliseconds": true, "Bytes": true, "Kilobytes": true,
	"Megabytes": true, "Gigabytes": true, "Terabytes": true, "Bits": true, "Kilobits": true,
	"Megabits": true, "Gigabits": true, "Terabits": true, "Percent": true, "Count": true,
	"Bytes/Second": true, "Kilobytes/Second": true, "Megabytes/Second": true, "Gigabytes/Second": true,
	"Terabytes/Second": true, "Bits/Second": true, "Kilobits/Second": true, "Megabits/Second": true,
	"Gigabits/Second": true, "Terabits/Second": true, "Count/Second": true, "None": true,
}

// namespacePattern is the namespace charset of the CloudWatch concepts page:
// alphanumerics, period, hyphen, underscore, slash, hash, colon and space.
var namespacePattern = regexp.MustCompile(`^[0-9A-Za-z._/#: -]{1,255}$`)

// checkEMF checks one record against the EMF specification's structure and
// the CloudWatch limits that matter to it: an _aws object with an integer
// millisecond Timestamp; directives with a valid namespace, at most 30
// dimensions per set, each a top-level string of 1 to 1024 printable ASCII
// characters; 1 to 100 metrics, each a top-level number with a name of 1 to
// 255 characters and a CloudWatch unit; and every top-level number declared
// as a metric.
func checkEMF(tb testing.TB, rec map[string]any, namespace string) {
	tb.Helper()
	aws, ok := rec["_aws"].(map[string]any)
	if !ok {
		tb.Fatalf("record has no _aws object: %v", rec)
	}
	ts, ok := aws["Timestamp"].(float64)
	if !ok || ts != float64(int64(ts)) || time.UnixMilli(int64(ts)).Year() < 2020 {
		tb.Errorf("_aws.Timestamp = %v; want epoch milliseconds", aws["Timestamp"])
	}
	directives, ok := aws["CloudWatchMetrics"].([]any)
	if !ok || len(directives) == 0 {
		tb.Fatalf("_aws.CloudWatchMetrics = %v; want a non-empty array", aws["CloudWatchMetrics"])
	}
	declared := map[string]bool{}
	for _, d := range directives {
		dir := d.(map[string]any)
		ns, _ := dir["Namespace"].(string)
		if ns != namespace || !namespacePattern.MatchString(ns) || strings.HasPrefix(ns, "AWS/") || emf.CheckNamespace(ns) != nil {
			tb.Errorf("Namespace = %q; want %q, 1 to 255 allowed characters, not AWS/", ns, namespace)
		}
		sets, ok := dir["Dimensions"].([]any)
		if !ok {
			tb.Fatalf("Dimensions = %v; want an array of arrays", dir["Dimensions"])
		}
		for _, set := range sets {
			names := set.([]any)
			if len(names) > 30 {
				tb.Errorf("dimension set %v has more than 30 names", names)
			}
			for _, n := range names {
				v, ok := rec[n.(string)].(string)
				if !ok || v == "" || len(v) > 1024 || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
					tb.Errorf("dimension %v = %q; want a top-level string of 1 to 1024 printable ASCII characters", n, v)
				}
			}
		}
		metrics, ok := dir["Metrics"].([]any)
		if !ok || len(metrics) == 0 || len(metrics) > 100 {
			tb.Fatalf("Metrics = %v; want 1 to 100 definitions", dir["Metrics"])
		}
		for _, m := range metrics {
			def := m.(map[string]any)
			name, _ := def["Name"].(string)
			declared[name] = true
			if _, ok := rec[name].(float64); !ok || len(name) > 255 {
				tb.Errorf("metric %q is not a top-level number with a name of 1 to 255 characters", name)
			}
			if u, _ := def["Unit"].(string); !cloudWatchUnits[u] {
				tb.Errorf("metric %q unit %q is not a CloudWatch unit", name, u)
			}
		}
	}
	for k, v := range rec {
		if _, isNumber := v.(float64); isNumber && !declared[k] {
			tb.Errorf("top-level number %q is not declared as a metric", k)
		}
	}
}

func TestMetricsPerInvoke(t *testing.T) {
	s := newStack(t, map[string]string{"WX_METRICS_NAMESPACE": "Test/GetIndustry", "AWS_LAMBDA_FUNCTION_NAME": "getindustry-fn"})
	s.invoke(t, []byte(`{}`))                  // cold, miss
	s.invoke(t, []byte(`{}`))                  // hit
	s.invoke(t, []byte(`[]`))                  // invalid request
	s.sim.Script(wxtest.Fault{Errcode: 45009}) // not reached: the answer is cached
	s.invoke(t, loadFixtures(t)[0].payload)    // HTTP, hit

	recs := emfRecords(t, s.logs.String())
	if len(recs) != 4 {
		t.Fatalf("%d EMF records for 4 invokes; want one each", len(recs))
	}
	for _, rec := range recs {
		checkEMF(t, rec, "Test/GetIndustry")
		for _, k := range []string{"time", "level", "msg", "requestId"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("EMF record lacks the log field %q", k)
			}
		}
		if rec["Service"] != "getindustry-fn" {
			t.Errorf("Service = %v; want the function name", rec["Service"])
		}
	}
	want := []map[string]float64{
		{"Invocations": 1, "Errors": 0, "ColdStarts": 1, "CacheHits": 0, "WeChatCalls": 1, "WeChatErrors": 0},
		{"Invocations": 1, "Errors": 0, "ColdStarts": 0, "CacheHits": 1, "WeChatCalls": 0},
		{"Invocations": 1, "Errors": 1, "ColdStarts": 0, "CacheHits": 0, "WeChatCalls": 0},
		{"Invocations": 1, "Errors": 0, "CacheHits": 1, "WeChatCalls": 0},
	}
	for i, w := range want {
		for k, v := range w {
			if recs[i][k] != v {
				t.Errorf("record %d: %s = %v; want %v", i, k, recs[i][k], v)
			}
		}
	}
	if recs[2]["ErrorCode"] != "invalid_request" {
		t.Errorf("record 2 ErrorCode = %v; want invalid_request", recs[2]["ErrorCode"])
	}
	if _, ok := recs[0]["WeChatLatency"].(float64); !ok {
		t.Errorf("record 0 has no WeChatLatency though WeChat was called")
	}
}

func TestMetricsForWeChatErrors(t *testing.T) {
	s := newStack(t, nil)
	s.sim.Script(wxtest.Fault{Errcode: -1}, wxtest.Fault{Errcode: -1}, wxtest.Fault{Errcode: -1})
	s.invoke(t, []byte(`{}`))
	recs := emfRecords(t, s.logs.String())
	if len(recs) != 1 {
		t.Fatalf("%d EMF records; want 1", len(recs))
	}
	rec := recs[0]
	checkEMF(t, rec, "GetIndustry")
	if rec["ErrorCode"] != "wechat_busy" || rec["WeChatErrcode"] != "-1" || rec["Errors"] != 1.0 || rec["WeChatErrors"] != rec["WeChatCalls"] {
		t.Errorf("record = %v; want wechat_busy, errcode -1, every WeChat call counted as an error", rec)
	}
	noSecretIn(t, "logs", s.logs.String())
}

// goldenInvocations are the invokes whose lines TestMetricsGoldenLines pins:
// a cold miss, a warm hit, a failure without WeChat, and WeChat busy.
var goldenInvocations = []*invocation{
	{shape: "direct", coldStart: true, cache: industry.OutcomeMiss, trace: wx.Trace{Attempts: 1, Duration: 12345 * time.Microsecond}},
	{shape: "apigw-v2", cache: industry.OutcomeHit},
	{shape: "direct", err: &apiError{Code: "invalid_request"}},
	{shape: "direct", err: &apiError{Code: "wechat_busy", WeChatCode: -1}, trace: wx.Trace{Attempts: 3, Duration: 250 * time.Millisecond, TokenRetried: true}},
}

// TestMetricsGoldenLines pins the lines byte for byte: these are the lines
// that the hand-written EMF writer produced for the same invokes, so the
// switch to encoding/json changed nothing a user sees.
func TestMetricsGoldenLines(t *testing.T) {
	aws := `{"_aws":{"Timestamp":1796284800123,"CloudWatchMetrics":[{"Namespace":"GetIndustry","Dimensions":`
	counts := `{"Name":"Invocations","Unit":"Count"},{"Name":"Errors","Unit":"Count"},{"Name":"WeChatCalls","Unit":"Count"},{"Name":"WeChatErrors","Unit":"Count"},{"Name":"CacheHits","Unit":"Count"},{"Name":"StaleAnswers","Unit":"Count"},{"Name":"TokenRefreshes","Unit":"Count"},{"Name":"ColdStarts","Unit":"Count"}`
	latency := `,{"Name":"WeChatLatency","Unit":"Milliseconds"}`
	log := `"time":"2026-12-03T08:00:00.123456789Z","level":"INFO","msg":"metrics","requestId":"req-1",`
	want := []string{
		aws + `[["Service"]],"Metrics":[` + counts + latency + `]}]},` + log + `"event_shape":"direct","Service":"getindustry","Invocations":1,"Errors":0,"WeChatCalls":1,"WeChatErrors":0,"CacheHits":0,"StaleAnswers":0,"TokenRefreshes":0,"ColdStarts":1,"WeChatLatency":12.345}`,
		aws + `[["Service"]],"Metrics":[` + counts + `]}]},` + log + `"event_shape":"apigw-v2","Service":"getindustry","Invocations":1,"Errors":0,"WeChatCalls":0,"WeChatErrors":0,"CacheHits":1,"StaleAnswers":0,"TokenRefreshes":0,"ColdStarts":0}`,
		aws + `[["Service"],["Service","ErrorCode"]],"Metrics":[` + counts + `]}]},` + log + `"event_shape":"direct","Service":"getindustry","ErrorCode":"invalid_request","Invocations":1,"Errors":1,"WeChatCalls":0,"WeChatErrors":0,"CacheHits":0,"StaleAnswers":0,"TokenRefreshes":0,"ColdStarts":0}`,
		aws + `[["Service"],["Service","ErrorCode"],["Service","WeChatErrcode"]],"Metrics":[` + counts + latency + `]}]},` + log + `"event_shape":"direct","Service":"getindustry","ErrorCode":"wechat_busy","WeChatErrcode":"-1","Invocations":1,"Errors":1,"WeChatCalls":3,"WeChatErrors":3,"CacheHits":0,"StaleAnswers":0,"TokenRefreshes":1,"ColdStarts":0,"WeChatLatency":250}`,
	}
	now := time.Date(2026, 12, 3, 8, 0, 0, 123456789, time.UTC)
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	for i, inv := range goldenInvocations {
		var b bytes.Buffer
		m := &metricsWriter{w: &b, namespace: "GetIndustry", service: "getindustry"}
		m.write(ctx, inv, now)
		if got := b.String(); got != want[i]+"\n" {
			t.Errorf("line %d:\ngot  %s\nwant %s", i, got, want[i])
		}
		checkEMF(t, emfRecords(t, b.String())[0], "GetIndustry")
	}
}

// TestMetricsLimitsAtTheEdges checks the record within CloudWatch's limits
// for the longest values configuration and Lambda allow: a 255-character
// namespace and a 64-character function name.
func TestMetricsLimitsAtTheEdges(t *testing.T) {
	ns := strings.Repeat("N", 255)
	var b bytes.Buffer
	m := &metricsWriter{w: &b, namespace: ns, service: strings.Repeat("f", 64)}
	m.write(context.Background(), goldenInvocations[3], time.Now())
	recs := emfRecords(t, b.String())
	if len(recs) != 1 {
		t.Fatalf("%d records; want 1", len(recs))
	}
	checkEMF(t, recs[0], ns)
}

func BenchmarkMetricsWrite(b *testing.B) {
	m := &metricsWriter{w: io.Discard, namespace: "GetIndustry", service: "getindustry"}
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	b.ReportAllocs()
	for b.Loop() {
		m.write(ctx, goldenInvocations[3], time.Now())
	}
}
