package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/wxindustry/getindustry/internal/emf"
	"github.com/wxindustry/getindustry/internal/industry"
)

// metricsRecord is the line written once per invoke: a CloudWatch Embedded
// Metric Format record that is also a well-formed log line (time, level, msg,
// requestId), so that every line the function prints has the same fields.
// Members are written in field order; the CloudWatch limits that matter to it
// are checked in metrics_test.go.
type metricsRecord struct {
	AWS        emf.Metadata `json:"_aws"`
	Time       string       `json:"time"`
	Level      string       `json:"level"`
	Msg        string       `json:"msg"`
	RequestID  string       `json:"requestId,omitempty"`
	EventShape string       `json:"event_shape"`

	// Dimensions, named in dimensionSets.
	Service       string `json:"Service"`                 // the function's name
	ErrorCode     string `json:"ErrorCode,omitempty"`     // when the invoke failed
	WeChatErrcode string `json:"WeChatErrcode,omitempty"` // when WeChat answered an errcode

	// Metrics, named in metricDefs.
	Invocations    int      `json:"Invocations"`
	Errors         int      `json:"Errors"`
	WeChatCalls    int      `json:"WeChatCalls"`
	WeChatErrors   int      `json:"WeChatErrors"`
	CacheHits      int      `json:"CacheHits"`
	StaleAnswers   int      `json:"StaleAnswers"`
	TokenRefreshes int      `json:"TokenRefreshes"`
	ColdStarts     int      `json:"ColdStarts"`
	WeChatLatency  *float64 `json:"WeChatLatency,omitempty"` // only when WeChat was called
}

// metricDefs declares the record's metrics; the last, WeChatLatency, only
// when WeChat was called.
var metricDefs = []emf.Metric{
	{Name: "Invocations", Unit: "Count"}, {Name: "Errors", Unit: "Count"},
	{Name: "WeChatCalls", Unit: "Count"}, {Name: "WeChatErrors", Unit: "Count"},
	{Name: "CacheHits", Unit: "Count"}, {Name: "StaleAnswers", Unit: "Count"},
	{Name: "TokenRefreshes", Unit: "Count"}, {Name: "ColdStarts", Unit: "Count"},
	{Name: "WeChatLatency", Unit: "Milliseconds"},
}

// dimensionSets are the sets every invoke is counted under: [Service]; a
// failed one also under [Service ErrorCode], and one where WeChat answered an
// errcode (always a failure) also under [Service WeChatErrcode].
var dimensionSets = [][]string{{"Service"}, {"Service", "ErrorCode"}, {"Service", "WeChatErrcode"}}

// metricsWriter writes one metricsRecord per invoke. It is safe for
// concurrent use.
type metricsWriter struct {
	mu        sync.Mutex // serialises writes to w
	w         io.Writer
	namespace string
	service   string // the Service dimension: the function's name
}

// write emits the record for inv as one Write. Lambda's log-level filter
// treats the line as INFO, so ApplicationLogLevel must stay at INFO or DEBUG
// for the metrics (and the alarms built on them) to be recorded.
func (m *metricsWriter) write(ctx context.Context, inv *invocation, now time.Time) {
	r := metricsRecord{
		Time: now.Format(time.RFC3339Nano), Level: "INFO", Msg: "metrics",
		EventShape: string(inv.shape), Service: m.service,
		Invocations: 1, WeChatCalls: inv.trace.Attempts, WeChatErrors: wechatFailures(inv),
		CacheHits:      boolCount(inv.cache == industry.OutcomeHit),
		StaleAnswers:   boolCount(inv.cache == industry.OutcomeStale),
		TokenRefreshes: boolCount(inv.trace.TokenRetried), ColdStarts: boolCount(inv.coldStart),
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		r.RequestID = lc.AwsRequestID
	}
	sets, defs := dimensionSets[:1], metricDefs[:len(metricDefs)-1]
	if e := inv.err; e != nil {
		r.Errors, r.ErrorCode, sets = 1, e.Code, dimensionSets[:2]
		if e.WeChatCode != 0 {
			r.WeChatErrcode, sets = strconv.Itoa(e.WeChatCode), dimensionSets
		}
	}
	if inv.trace.Attempts > 0 {
		latency := ms(inv.trace.Duration)
		r.WeChatLatency, defs = &latency, metricDefs
	}
	r.AWS = emf.Metadata{Timestamp: now.UnixMilli(), CloudWatchMetrics: []emf.Directive{{Namespace: m.namespace, Dimensions: sets, Metrics: defs}}}

	var line bytes.Buffer
	enc := json.NewEncoder(&line) // Encode ends the line with "\n"
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&r); err != nil {
		return // unreachable: strings, ints and a finite float64 always marshal
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.w.Write(line.Bytes())
}

// wechatFailures counts the WeChat attempts that did not produce the answer:
// all of them, unless the invoke was answered from a fresh WeChat reply.
func wechatFailures(inv *invocation) int {
	n := inv.trace.Attempts
	if n > 0 && inv.err == nil && (inv.cache == industry.OutcomeMiss || inv.cache == industry.OutcomeBypass) {
		n--
	}
	return n
}

func boolCount(b bool) int {
	if b {
		return 1
	}
	return 0
}
