package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/jsonlog/jsonlogtest"
)

// TestMetricsRecords checks each record against the EMF structure: every
// declared metric is a top-level number, every top-level number is
// declared, every dimension a top-level string; and the counts.
func TestMetricsRecords(t *testing.T) {
	age := int64(120)
	for _, tc := range []struct {
		name    string
		inv     *invocation
		records int
		want    map[string]float64
	}{
		{"push", &invocation{status: 200}, 1, map[string]float64{"Pushes": 1, "Errors": 0}},
		{"refused push", &invocation{status: 401}, 1, map[string]float64{"PushesRefused": 1}},
		{"push failing", &invocation{status: 503}, 1, map[string]float64{"Errors": 1}},
		{"run", &invocation{report: &runReport{Action: "refresh", ComponentToken: "refresh_failed", TicketAge: &age, Refreshed: 5,
			Failed: 3, NeedsReauth: 1, AwaitingReauth: 4, FailedByErrcode: map[string]int{"-1": 2, "timeout": 1}}}, 3,
			map[string]float64{"Refreshed": 5, "RefreshFailed": 3, "NeedsReauth": 1, "AwaitingReauth": 4, "TicketAge": 120, "ComponentTokenFailures": 1}},
		{"run failing", &invocation{report: &runReport{Action: "refresh", ComponentToken: "unavailable"}, err: fail(typeTicketUnavailable, "m", nil)}, 1,
			map[string]float64{"Errors": 1, "ComponentTokenFailures": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf jsonlogtest.Buffer
			(&metricsWriter{w: &buf, namespace: "NS", service: "svc"}).write(context.Background(), tc.inv, time.Now())
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if len(lines) != tc.records {
				t.Fatalf("records = %d; want %d:\n%s", len(lines), tc.records, buf.String())
			}
			got := map[string]float64{}
			for _, line := range lines {
				var rec map[string]any
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("record is not JSON: %q", line)
				}
				checkEMF(t, rec)
				if _, ok := rec["WeChatErrcode"]; ok {
					continue
				}
				for k, v := range rec {
					if f, ok := v.(float64); ok {
						got[k] = f
					}
				}
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %v; want %v (record %v)", k, got[k], v, got)
				}
			}
		})
	}
}

func checkEMF(tb testing.TB, rec map[string]any) {
	tb.Helper()
	aws := rec["_aws"].(map[string]any)
	declared := map[string]bool{}
	for _, d := range aws["CloudWatchMetrics"].([]any) {
		dir := d.(map[string]any)
		for _, set := range dir["Dimensions"].([]any) {
			for _, name := range set.([]any) {
				if _, ok := rec[name.(string)].(string); !ok {
					tb.Errorf("dimension %v is not a top-level string: %v", name, rec)
				}
			}
		}
		for _, m := range dir["Metrics"].([]any) {
			name := m.(map[string]any)["Name"].(string)
			declared[name] = true
			if _, ok := rec[name].(float64); !ok {
				tb.Errorf("declared metric %s is not a top-level number: %v", name, rec)
			}
		}
	}
	for k, v := range rec {
		if _, ok := v.(float64); ok && !declared[k] {
			tb.Errorf("top-level number %s is not declared: %v", k, rec)
		}
	}
}
