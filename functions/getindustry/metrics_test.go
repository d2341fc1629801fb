package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

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

// checkEMF checks one record against the EMF specification's structure:
// an _aws object with an integer millisecond Timestamp and CloudWatchMetrics
// directives whose dimensions are top-level string members and whose
// metrics are top-level numbers with a valid unit.
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
	units := map[string]bool{"Count": true, "Milliseconds": true, "Seconds": true, "None": true}
	for _, d := range directives {
		dir := d.(map[string]any)
		if dir["Namespace"] != namespace {
			tb.Errorf("Namespace = %v; want %s", dir["Namespace"], namespace)
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
				if v, ok := rec[n.(string)].(string); !ok || v == "" {
					tb.Errorf("dimension %v is not a top-level string member", n)
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
			if _, ok := rec[name].(float64); !ok {
				tb.Errorf("metric %q is not a top-level number member", name)
			}
			if u, _ := def["Unit"].(string); !units[u] {
				tb.Errorf("metric %q unit %q is not one this function uses", name, u)
			}
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
