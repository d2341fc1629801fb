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
// no appid dimension (10,000 accounts would make 10,000 metrics). A run
// whose refreshes failed writes one more record per errcode, with only
// RefreshFailed under [Service WeChatErrcode].
type metricsRecord struct {
	AWS       emf.Metadata `json:"_aws"`
	Time      string       `json:"time"`
	Level     string       `json:"level"`
	Msg       string       `json:"msg"`
	RequestID string       `json:"requestId,omitempty"`

	Service       string `json:"Service"`
	WeChatErrcode string `json:"WeChatErrcode,omitempty"` // errcode, or timeout, unavailable, table, ...

	Invocations   int    `json:"Invocations,omitempty"`
	Errors        int    `json:"Errors,omitempty"`        // a run that could do nothing, or a push answered 5xx
	Pushes        int    `json:"Pushes,omitempty"`        // pushes answered success
	PushesRefused int    `json:"PushesRefused,omitempty"` // pushes answered 4xx
	Refreshed     int    `json:"Refreshed,omitempty"`
	RefreshFailed int    `json:"RefreshFailed,omitempty"`
	NeedsReauth   int    `json:"NeedsReauth,omitempty"` // accounts marked needing re-authorization by this run
	TicketAge     *int64 `json:"TicketAge,omitempty"`   // seconds since the last ticket push, when a run knows it
}

// The metrics of each kind of record. Members that are zero are left out
// of the JSON; CloudWatch skips a declared metric that is absent.
var (
	mainMetrics = []emf.Metric{
		{Name: "Invocations", Unit: "Count"}, {Name: "Errors", Unit: "Count"},
		{Name: "Pushes", Unit: "Count"}, {Name: "PushesRefused", Unit: "Count"},
		{Name: "Refreshed", Unit: "Count"}, {Name: "RefreshFailed", Unit: "Count"},
		{Name: "NeedsReauth", Unit: "Count"}, {Name: "TicketAge", Unit: "Seconds"},
	}
	errcodeMetrics = []emf.Metric{{Name: "RefreshFailed", Unit: "Count"}}
)

// metricsWriter writes an invoke's records. It is safe for concurrent use.
type metricsWriter struct {
	mu        sync.Mutex
	w         io.Writer
	namespace string
	service   string
}

func (m *metricsWriter) write(ctx context.Context, inv *invocation, now time.Time) {
	base := metricsRecord{Time: now.Format(time.RFC3339Nano), Level: "INFO", Msg: "metrics", Service: m.service}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		base.RequestID = lc.AwsRequestID
	}
	r := base
	r.Invocations = 1
	switch {
	case inv.err != nil || inv.status >= 500 || inv.panick:
		r.Errors = 1
	case inv.status >= 400:
		r.PushesRefused = 1
	case inv.status == 200:
		r.Pushes = 1
	}
	records := []metricsRecord{r}
	if rep := inv.report; rep != nil {
		records[0].Refreshed, records[0].RefreshFailed, records[0].NeedsReauth = rep.Refreshed, rep.Failed, rep.NeedsReauth
		records[0].TicketAge = rep.TicketAge
		keys := make([]string, 0, len(rep.FailedByErrcode))
		for k := range rep.FailedByErrcode {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			e := base
			e.WeChatErrcode, e.RefreshFailed = k, rep.FailedByErrcode[k]
			records = append(records, e)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for i := range records {
		dims, defs := [][]string{{"Service"}}, mainMetrics
		if i > 0 {
			dims, defs = [][]string{{"Service", "WeChatErrcode"}}, errcodeMetrics
		}
		records[i].AWS = emf.Metadata{Timestamp: now.UnixMilli(), CloudWatchMetrics: []emf.Directive{{Namespace: m.namespace, Dimensions: dims, Metrics: defs}}}
		_ = enc.Encode(&records[i]) // strings and ints: cannot fail
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	_, _ = m.w.Write(buf.Bytes())
}
