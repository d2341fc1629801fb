package main

import (
	"context"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/wxindustry/getindustry/internal/emf"
	"github.com/wxindustry/getindustry/internal/industry"
)

// metricsRecord is the EMF line written once per invoke, its members in field order. The
// CloudWatch limits that matter to it are checked in metrics_test.go.
type metricsRecord struct {
	emf.Record
	EventShape               string `json:"event_shape"`
	Service                  string // dimension: the function's name
	ErrorCode, WeChatErrcode string `json:",omitempty"` // dimensions: when the invoke failed; when WeChat answered an errcode

	Invocations, Errors, WeChatCalls, WeChatErrors, CacheHits, StaleAnswers, TokenRefreshes, ColdStarts int

	WeChatLatency *float64 `json:",omitempty"` // only when WeChat was called
}

// metricDefs declares the record's metrics; the last only when WeChat was called.
var metricDefs = []emf.Metric{
	{Name: "Invocations", Unit: "Count"}, {Name: "Errors", Unit: "Count"},
	{Name: "WeChatCalls", Unit: "Count"}, {Name: "WeChatErrors", Unit: "Count"},
	{Name: "CacheHits", Unit: "Count"}, {Name: "StaleAnswers", Unit: "Count"},
	{Name: "TokenRefreshes", Unit: "Count"}, {Name: "ColdStarts", Unit: "Count"},
	{Name: "WeChatLatency", Unit: "Milliseconds"},
}

// dimensionSets: every invoke counts under [Service], a failed one also under [Service
// ErrorCode], and one where WeChat answered an errcode also under [Service WeChatErrcode].
var dimensionSets = [][]string{{"Service"}, {"Service", "ErrorCode"}, {"Service", "WeChatErrcode"}}

// metricsWriter writes one metricsRecord per invoke. It is safe for concurrent use.
type metricsWriter struct {
	mu                 sync.Mutex
	w                  io.Writer
	namespace, service string // service is the Service dimension: the function's name
}

func (m *metricsWriter) write(ctx context.Context, inv *invocation, now time.Time) {
	r := metricsRecord{EventShape: string(inv.shape), Service: m.service,
		Invocations: 1, WeChatCalls: inv.trace.Attempts, WeChatErrors: inv.trace.Attempts,
		CacheHits:      boolCount(inv.cache == industry.OutcomeHit),
		StaleAnswers:   boolCount(inv.cache == industry.OutcomeStale),
		TokenRefreshes: boolCount(inv.trace.TokenRetried), ColdStarts: boolCount(inv.coldStart),
	}
	if r.WeChatCalls > 0 && inv.err == nil && (inv.cache == industry.OutcomeMiss || inv.cache == industry.OutcomeBypass) {
		r.WeChatErrors-- // the attempt that answered from a fresh WeChat reply
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
	r.Record = emf.NewRecord(ctx, now, m.namespace, sets, defs)
	_ = emf.Write(&m.mu, m.w, &r) // strings, ints and a finite float64 always marshal
}

func boolCount(b bool) int {
	if b {
		return 1
	}
	return 0
}
