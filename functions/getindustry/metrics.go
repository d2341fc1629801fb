package main

import (
	"context"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/wxindustry/getindustry/internal/emf"
	"github.com/wxindustry/getindustry/internal/industry"
)

// metricsWriter writes one CloudWatch Embedded Metric Format record per
// invoke. Each record is also a well-formed log line (time, level, msg,
// requestId), so that every line the function prints has the same fields.
// It is safe for concurrent use.
type metricsWriter struct {
	mu        sync.Mutex
	w         io.Writer
	namespace string
	service   string // the Service dimension: the function's name
	buf       []byte // the last line written, reused under mu
}

// write emits the record for inv. Lambda's log-level filter treats the
// line as INFO, so ApplicationLogLevel must stay at INFO or DEBUG for the
// metrics (and the alarms built on them) to be recorded.
func (m *metricsWriter) write(ctx context.Context, inv *invocation, now time.Time) {
	r := emf.New(m.namespace)
	r.Time = now
	r.PropertyString("time", now.Format(time.RFC3339Nano)).Property("level", "INFO").Property("msg", "metrics")
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		r.PropertyString("requestId", lc.AwsRequestID)
	}
	r.PropertyString("event_shape", string(inv.shape))

	r.Dimension("Service", m.service).DimensionSet("Service")
	failed := 0.0
	if e := inv.err; e != nil {
		failed = 1
		r.Dimension("ErrorCode", e.Code).DimensionSet("Service", "ErrorCode")
		if e.WeChatCode != 0 {
			r.Dimension("WeChatErrcode", strconv.Itoa(e.WeChatCode)).DimensionSet("Service", "WeChatErrcode")
		}
	}
	r.Metric("Invocations", 1, emf.Count).
		Metric("Errors", failed, emf.Count).
		Metric("WeChatCalls", float64(inv.trace.Attempts), emf.Count).
		Metric("WeChatErrors", float64(wechatFailures(inv)), emf.Count).
		Metric("CacheHits", boolCount(inv.cache == industry.OutcomeHit), emf.Count).
		Metric("StaleAnswers", boolCount(inv.cache == industry.OutcomeStale), emf.Count).
		Metric("TokenRefreshes", boolCount(inv.trace.TokenRetried), emf.Count).
		Metric("ColdStarts", boolCount(inv.coldStart), emf.Count)
	if inv.trace.Attempts > 0 {
		r.Metric("WeChatLatency", ms(inv.trace.Duration), emf.Milliseconds)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	line, err := r.AppendJSON(m.buf[:0])
	if err != nil {
		return // only a bad namespace or dimension value can fail: configuration checks the namespace, and function names and error codes are ASCII
	}
	m.buf = append(line, '\n')
	m.w.Write(m.buf)
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

func boolCount(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
