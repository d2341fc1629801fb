package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/wxindustry/getindustry/internal/emf"
)

// metricsRecord is the CloudWatch Embedded Metric Format line written per
// invoke, shaped like getindustry's: also a well-formed log line. It has
// no appid dimension (10,000 accounts would make 10,000 metrics).
type metricsRecord struct {
	AWS       emf.Metadata `json:"_aws"`
	Time      string       `json:"time"`
	Level     string       `json:"level"`
	Msg       string       `json:"msg"`
	RequestID string       `json:"requestId,omitempty"`
	Service   string       `json:"Service"` // dimension: the function's name

	Invocations            int    `json:"Invocations"`
	Errors                 int    `json:"Errors"`                   // a run that could do nothing, or a push or page answered 5xx
	Pushes                 int    `json:"Pushes"`                   // pushes answered success
	PushesRefused          int    `json:"PushesRefused"`            // pushes answered 4xx
	Refreshed              int    `json:"Refreshed"`                // account tokens written by a run
	RefreshFailed          int    `json:"RefreshFailed"`            // accounts a run left for the next one
	NeedsReauth            int    `json:"NeedsReauth"`              // accounts a run marked needing re-authorization
	ComponentTokenFailures int    `json:"ComponentTokenFailures"`   // a run could not refresh the component token
	AwaitingReauth         *int   `json:"AwaitingReauth,omitempty"` // accounts needing re-authorization, after a refresh run
	TicketAge              *int64 `json:"TicketAge,omitempty"`      // seconds since the last ticket push, when a run read it
}

// errcodeRecord counts a run's failed refreshes of one kind under
// [Service WeChatErrcode]: one record per kind, so a run needs no more.
type errcodeRecord struct {
	AWS           emf.Metadata `json:"_aws"`
	Time          string       `json:"time"`
	Level         string       `json:"level"`
	Msg           string       `json:"msg"`
	RequestID     string       `json:"requestId,omitempty"`
	Service       string       `json:"Service"`
	WeChatErrcode string       `json:"WeChatErrcode"` // errcode, or timeout, unavailable, table, lease_lost, ...
	RefreshFailed int          `json:"RefreshFailed"`
}

// The metrics each record declares; AwaitingReauth and TicketAge only
// when present.
var (
	mainMetrics = []emf.Metric{
		{Name: "Invocations", Unit: "Count"}, {Name: "Errors", Unit: "Count"},
		{Name: "Pushes", Unit: "Count"}, {Name: "PushesRefused", Unit: "Count"},
		{Name: "Refreshed", Unit: "Count"}, {Name: "RefreshFailed", Unit: "Count"},
		{Name: "NeedsReauth", Unit: "Count"}, {Name: "ComponentTokenFailures", Unit: "Count"},
	}
	awaitingMetric  = emf.Metric{Name: "AwaitingReauth", Unit: "Count"}
	ticketAgeMetric = emf.Metric{Name: "TicketAge", Unit: "Seconds"}
	errcodeMetrics  = []emf.Metric{{Name: "RefreshFailed", Unit: "Count"}}
)

// metricsWriter writes an invoke's records. It is safe for concurrent use.
type metricsWriter struct {
	mu        sync.Mutex
	w         io.Writer
	namespace string
	service   string
}

// write emits inv's records with one Write. Lambda's log-level filter
// treats them as INFO.
func (m *metricsWriter) write(ctx context.Context, inv *invocation, now time.Time) {
	var reqID string
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		reqID = lc.AwsRequestID
	}
	meta := func(dims []string, defs []emf.Metric) emf.Metadata {
		return emf.Metadata{Timestamp: now.UnixMilli(), CloudWatchMetrics: []emf.Directive{
			{Namespace: m.namespace, Dimensions: [][]string{dims}, Metrics: defs}}}
	}
	r := metricsRecord{Time: now.Format(time.RFC3339Nano), Level: "INFO", Msg: "metrics", RequestID: reqID,
		Service: m.service, Invocations: 1}
	switch {
	case inv.err != nil || inv.status >= 500 || inv.panick:
		r.Errors = 1
	case inv.page != "": // an onboarding page is not a push
	case inv.status >= 400:
		r.PushesRefused = 1
	case inv.status == 200:
		r.Pushes = 1
	}
	records := []any{&r}
	defs := mainMetrics
	if rep := inv.report; rep != nil {
		r.Refreshed, r.RefreshFailed, r.NeedsReauth, r.TicketAge = rep.Refreshed, rep.Failed, rep.NeedsReauth, rep.TicketAge
		if rep.ComponentToken == "refresh_failed" || rep.ComponentToken == "unavailable" {
			r.ComponentTokenFailures = 1
		}
		defs = append([]emf.Metric(nil), mainMetrics...)
		if rep.Action == "refresh" && (inv.err == nil || rep.Due+rep.AwaitingReauth > 0) {
			awaiting := rep.AwaitingReauth
			r.AwaitingReauth = &awaiting
			defs = append(defs, awaitingMetric)
		}
		if r.TicketAge != nil {
			defs = append(defs, ticketAgeMetric)
		}
		keys := make([]string, 0, len(rep.FailedByErrcode))
		for k := range rep.FailedByErrcode {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			records = append(records, &errcodeRecord{AWS: meta([]string{"Service", "WeChatErrcode"}, errcodeMetrics),
				Time: r.Time, Level: "INFO", Msg: "metrics", RequestID: reqID, Service: m.service,
				WeChatErrcode: k, RefreshFailed: rep.FailedByErrcode[k]})
		}
	}
	r.AWS = meta([]string{"Service"}, defs)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, rec := range records {
		_ = enc.Encode(rec) // strings and ints: cannot fail
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	_, _ = m.w.Write(buf.Bytes())
}
