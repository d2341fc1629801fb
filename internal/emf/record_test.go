package emf_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/emf"
)

// testTime is the timestamp of every test record: 2026-11-25T04:00:00Z.
var testTime = time.Date(2026, 11, 25, 4, 0, 0, 0, time.UTC)

// newRecord returns a record in namespace "Test" stamped with testTime.
func newRecord() *emf.Record {
	r := emf.New("Test")
	r.Time = testTime
	return r
}

// decoded is what a test reads back from a marshalled record.
type decoded struct {
	Timestamp int64
	Namespace string
	Sets      [][]string
	Metrics   []string // "Name Unit"
	Members   map[string]string
}

func decode(tb testing.TB, line []byte) decoded {
	tb.Helper()
	var doc struct {
		AWS struct {
			Timestamp         int64
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(line, &doc); err != nil {
		tb.Fatalf("decode %s: %v", line, err)
	}
	if err := json.Unmarshal(line, &members); err != nil {
		tb.Fatalf("decode %s: %v", line, err)
	}
	if n := len(doc.AWS.CloudWatchMetrics); n != 1 {
		tb.Fatalf("%d metric directives in %s; want 1", n, line)
	}
	d := doc.AWS.CloudWatchMetrics[0]
	got := decoded{Timestamp: doc.AWS.Timestamp, Namespace: d.Namespace, Sets: d.Dimensions, Members: map[string]string{}}
	for _, m := range d.Metrics {
		got.Metrics = append(got.Metrics, strings.TrimSpace(m.Name+" "+m.Unit))
	}
	for k, v := range members {
		if k != "_aws" {
			got.Members[k] = string(v)
		}
	}
	return got
}

func TestRecordValid(t *testing.T) {
	tests := []struct {
		name    string
		build   func(r *emf.Record)
		sets    [][]string
		metrics []string
		members map[string]string
	}{
		{
			name:    "no dimensions publishes under the empty set",
			build:   func(r *emf.Record) { r.Metric("Invocations", 1, emf.Count) },
			sets:    [][]string{{}},
			metrics: []string{"Invocations Count"},
			members: map[string]string{"Invocations": "1"},
		},
		{
			name: "without DimensionSet every dimension forms one set",
			build: func(r *emf.Record) {
				r.Dimension("Service", "getindustry").Dimension("Stage", "prod").Metric("Errors", 0, emf.Count)
			},
			sets:    [][]string{{"Service", "Stage"}},
			metrics: []string{"Errors Count"},
			members: map[string]string{"Service": `"getindustry"`, "Stage": `"prod"`, "Errors": "0"},
		},
		{
			name: "declared sets replace the default, duplicates in any order dropped",
			build: func(r *emf.Record) {
				r.DimensionSet("Service").Dimension("Service", "s").Dimension("ErrorCode", "wechat_busy").
					DimensionSet("Service", "ErrorCode").DimensionSet("ErrorCode", "Service").DimensionSet("Service").
					Metric("Errors", 1, emf.Count)
			},
			sets:    [][]string{{"Service"}, {"Service", "ErrorCode"}},
			metrics: []string{"Errors Count"},
			members: map[string]string{"Service": `"s"`, "ErrorCode": `"wechat_busy"`, "Errors": "1"},
		},
		{
			name:    "repeated dimension replaces its value",
			build:   func(r *emf.Record) { r.Dimension("Service", "a").Dimension("Service", "b").Metric("M", 1, emf.Count) },
			sets:    [][]string{{"Service"}},
			metrics: []string{"M Count"},
			members: map[string]string{"Service": `"b"`, "M": "1"},
		},
		{
			name: "repeated metric becomes an array",
			build: func(r *emf.Record) {
				r.Metric("WeChatLatency", 12.5, emf.Milliseconds).Metric("WeChatLatency", 40, emf.Milliseconds)
			},
			sets:    [][]string{{}},
			metrics: []string{"WeChatLatency Milliseconds"},
			members: map[string]string{"WeChatLatency": "[12.5,40]"},
		},
		{
			name:    "empty unit is left out",
			build:   func(r *emf.Record) { r.Metric("Ratio", 0.25, "") },
			sets:    [][]string{{}},
			metrics: []string{"Ratio"},
			members: map[string]string{"Ratio": "0.25"},
		},
		{
			name: "properties keep their JSON and are not metrics",
			build: func(r *emf.Record) {
				r.Metric("M", 1, emf.Count).Property("requestId", "req-1").Property("event_shape", "alb").
					Property("detail", map[string]any{"a": []int{1, 2}, "b": "<&>"}).Property("requestId", "req-2")
			},
			sets:    [][]string{{}},
			metrics: []string{"M Count"},
			members: map[string]string{"M": "1", "requestId": `"req-2"`, "event_shape": `"alb"`, "detail": `{"a":[1,2],"b":"<&>"}`},
		},
		{
			name: "getindustry invocation answered after WeChat errcode 45011",
			build: func(r *emf.Record) {
				r.Dimension("Service", "fn").DimensionSet("Service").
					Dimension("WeChatErrcode", "45011").DimensionSet("Service", "WeChatErrcode").
					Metric("Invocations", 1, emf.Count).Metric("Errors", 0, emf.Count).
					Metric("WeChatLatency", 61.25, emf.Milliseconds).Metric("WeChatCalls", 2, emf.Count).
					Metric("WeChatErrors", 1, emf.Count).Metric("ColdStarts", 0, emf.Count).
					Property("requestId", "r-1").Property("event_shape", "function-url")
			},
			sets: [][]string{{"Service"}, {"Service", "WeChatErrcode"}},
			metrics: []string{"Invocations Count", "Errors Count", "WeChatLatency Milliseconds", "WeChatCalls Count",
				"WeChatErrors Count", "ColdStarts Count"},
			members: map[string]string{"Service": `"fn"`, "WeChatErrcode": `"45011"`, "Invocations": "1", "Errors": "0",
				"WeChatLatency": "61.25", "WeChatCalls": "2", "WeChatErrors": "1", "ColdStarts": "0",
				"requestId": `"r-1"`, "event_shape": `"function-url"`},
		},
		{
			name: "30 dimensions in one set",
			build: func(r *emf.Record) {
				for i := range 30 {
					r.Dimension(fmt.Sprintf("D%02d", i), "v")
				}
				r.Metric("M", 1, emf.Count)
			},
			sets:    [][]string{dimNames(30)},
			metrics: []string{"M Count"},
			members: withMetric(dimMembers(30), "M", "1"),
		},
		{
			name: "100 metrics",
			build: func(r *emf.Record) {
				for i := range 100 {
					r.Metric(fmt.Sprintf("M%03d", i), float64(i), emf.Count)
				}
			},
			sets:    [][]string{{}},
			metrics: metricNames(100),
			members: metricMembers(100),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRecord()
			tt.build(r)
			line, err := r.MarshalJSON()
			if err != nil {
				t.Fatalf("MarshalJSON() err = %v", err)
			}
			if problems := validateEMF(line); len(problems) > 0 {
				t.Fatalf("record breaks the EMF specification: %q\n%s", problems, line)
			}
			got := decode(t, line)
			if got.Timestamp != testTime.UnixMilli() || got.Namespace != "Test" {
				t.Errorf("Timestamp, Namespace = %d, %q; want %d, Test", got.Timestamp, got.Namespace, testTime.UnixMilli())
			}
			if !reflect.DeepEqual(got.Sets, tt.sets) {
				t.Errorf("Dimensions = %q; want %q", got.Sets, tt.sets)
			}
			if !reflect.DeepEqual(got.Metrics, tt.metrics) {
				t.Errorf("Metrics = %q; want %q", got.Metrics, tt.metrics)
			}
			if !reflect.DeepEqual(got.Members, tt.members) {
				t.Errorf("members = %v; want %v", got.Members, tt.members)
			}
		})
	}
}

func dimNames(n int) []string {
	names := make([]string, n)
	for i := range n {
		names[i] = fmt.Sprintf("D%02d", i)
	}
	return names
}

func dimMembers(n int) map[string]string {
	m := make(map[string]string)
	for _, name := range dimNames(n) {
		m[name] = `"v"`
	}
	return m
}

func metricNames(n int) []string {
	names := make([]string, n)
	for i := range n {
		names[i] = fmt.Sprintf("M%03d Count", i)
	}
	return names
}

func metricMembers(n int) map[string]string {
	m := make(map[string]string)
	for i := range n {
		m[fmt.Sprintf("M%03d", i)] = fmt.Sprint(i)
	}
	return m
}

func withMetric(m map[string]string, name, value string) map[string]string {
	m[name] = value
	return m
}

func TestRecordTimestampDefaultsToNow(t *testing.T) {
	before := time.Now().UnixMilli()
	line, err := emf.New("Test").Metric("M", 1, emf.Count).MarshalJSON()
	after := time.Now().UnixMilli()
	if err != nil {
		t.Fatalf("MarshalJSON() err = %v", err)
	}
	if ts := decode(t, line).Timestamp; ts < before || ts > after {
		t.Errorf("Timestamp = %d; want between %d and %d", ts, before, after)
	}
}

func TestRecordWriteTo(t *testing.T) {
	var buf bytes.Buffer
	r := newRecord().Dimension("Service", "s").Metric("M", 1, emf.Count)
	n, err := r.WriteTo(&buf)
	if err != nil {
		t.Fatalf("WriteTo() err = %v", err)
	}
	want, _ := r.MarshalJSON()
	if got := buf.String(); got != string(want)+"\n" || n != int64(len(got)) {
		t.Errorf("WriteTo() wrote %q (n = %d); want %q and its length", got, n, string(want)+"\n")
	}
	if _, err := r.WriteTo(failingWriter{}); !errors.Is(err, errDiskFull) {
		t.Errorf("WriteTo(failing writer) err = %v; want it to wrap %v", err, errDiskFull)
	}
}

var errDiskFull = errors.New("disk full")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestUnitValid(t *testing.T) {
	for u := range cloudWatchUnits {
		if !emf.Unit(u).Valid() {
			t.Errorf("Unit(%q).Valid() = false; want true", u)
		}
	}
	for _, u := range []emf.Unit{"", emf.None, emf.Count, emf.CountPerSecond, emf.Seconds, emf.Milliseconds, emf.Microseconds, emf.Bytes, emf.Percent} {
		if !u.Valid() {
			t.Errorf("Unit(%q).Valid() = false; want true", u)
		}
	}
	for _, u := range []emf.Unit{"count", "ms", "Requests", "Bytes/Minute"} {
		if u.Valid() {
			t.Errorf("Unit(%q).Valid() = true; want false", u)
		}
	}
}

func BenchmarkRecordWriteTo(b *testing.B) {
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		r := newRecord().Dimension("Service", "fn").DimensionSet("Service").
			Dimension("ErrorCode", "wechat_busy").DimensionSet("Service", "ErrorCode")
		for _, name := range []string{"Invocations", "Errors", "WeChatCalls", "WeChatErrors", "CacheHits",
			"StaleAnswers", "TokenRefreshes", "ColdStarts"} {
			r.Metric(name, 1, emf.Count)
		}
		r.Metric("WeChatLatency", 12.5, emf.Milliseconds).Property("requestId", "r-1").Property("event_shape", "alb")
		if _, err := r.WriteTo(&buf); err != nil {
			b.Fatal(err)
		}
	}
}
