package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/wxindustry/getindustry/internal/industry"
	"github.com/wxindustry/getindustry/internal/lambdaenv"
	"github.com/wxindustry/getindustry/internal/lambdahttp"
	"github.com/wxindustry/getindustry/internal/redact"
	"github.com/wxindustry/getindustry/internal/wx"
)

// invocation is what one invoke did, filled in as it goes and logged once
// when it ends. Only the goroutine serving the invoke touches it.
type invocation struct {
	start     time.Time
	coldStart bool
	shape     lambdahttp.Shape // the event's source, as lambdahttp recognised it
	method    string
	path      string
	appid     string    // multi-account mode: the account asked for, once well-formed
	status    int       // HTTP status, for HTTP-shaped events
	err       *apiError // the failure as answered, if any
	cause     error     // the underlying error, logged (redacted) and never answered
	trace     wx.Trace  // filled by the WeChat client
	cache     industry.Outcome
}

type invocationKey struct{}

// invocationFrom returns the invocation record in ctx, or a throwaway one so
// that handlers can run outside an instrumented invoke (as in unit tests).
// It also notes the event's shape, which lambdahttp puts in ctx.
func invocationFrom(ctx context.Context) *invocation {
	inv, ok := ctx.Value(invocationKey{}).(*invocation)
	if !ok {
		inv = &invocation{}
	}
	if inv.shape == "" {
		inv.shape, _ = lambdahttp.ShapeFromContext(ctx)
	}
	return inv
}

// instrumented is the outermost lambda.Handler: it bounds the invoke by the
// Lambda deadline less a reserve for writing the answer, and logs one summary
// line per invoke from what the invoke recorded and what lambdahttp reports
// (including a panic it recovered, answered as internal). It is safe for
// concurrent use (AWS_LAMBDA_MAX_CONCURRENCY > 1). It also writes the
// invoke's metrics.
type instrumented struct {
	next    *lambdahttp.Handler
	log     *slog.Logger
	metrics *metricsWriter
	warm    atomic.Bool // false until the first invoke has begun
}

// Invoke implements lambda.Handler.
func (h *instrumented) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	inv := &invocation{start: time.Now(), coldStart: !h.warm.Swap(true)}
	ctx = context.WithValue(ctx, invocationKey{}, inv)
	ctx = wx.WithTrace(ctx, &inv.trace)
	ctx, cancel := lambdaenv.WithAnswerReserve(ctx)
	defer cancel()
	out, outcome, err := h.next.Serve(ctx, payload)
	inv.noteOutcome(outcome)
	h.logSummary(ctx, inv)
	h.metrics.write(ctx, inv, time.Now())
	return out, err
}

// logSummary writes the one line that describes an invoke.
func (h *instrumented) logSummary(ctx context.Context, inv *invocation) {
	attrs := []slog.Attr{
		slog.String("event_shape", string(inv.shape)),
		slog.Bool("cold_start", inv.coldStart),
		slog.Int("attempts", inv.trace.Attempts),
		slog.Bool("token_retried", inv.trace.TokenRetried),
		slog.Float64("duration_ms", ms(time.Since(inv.start))),
		slog.Float64("wechat_ms", ms(inv.trace.Duration)),
		slog.Float64("token_ms", ms(inv.trace.TokenDuration)),
	}
	if inv.method != "" {
		attrs = append(attrs, slog.String("method", inv.method), slog.String("path", inv.path))
	}
	if inv.appid != "" {
		attrs = append(attrs, slog.String("appid", inv.appid))
	}
	if inv.cache != "" {
		attrs = append(attrs, slog.String("cache", string(inv.cache)))
	}
	if inv.status != 0 {
		attrs = append(attrs, slog.Int("status", inv.status))
	}
	level := slog.LevelInfo
	if e := inv.err; e != nil {
		level = slog.LevelWarn
		if e.Status >= 500 {
			level = slog.LevelError
		}
		attrs = append(attrs, slog.String("error_code", e.Code), slog.String("error_type", e.Type))
		if e.WeChatCode != 0 {
			attrs = append(attrs, slog.Int("wx_errcode", e.WeChatCode), slog.String("wx_rid", e.RID))
		}
	}
	if inv.cause != nil {
		attrs = append(attrs, slog.String("cause", redact.String(inv.cause.Error())))
	}
	h.log.LogAttrs(ctx, level, "invocation", attrs...)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// noteOutcome records what lambdahttp reports: the event's shape, an HTTP
// answer it wrote itself (400 for a malformed event, 413 for an oversized
// body), and a panic it recovered, which was answered as internal and is
// logged once, as the summary's (redacted) cause, so that the log and
// metrics count it.
func (inv *invocation) noteOutcome(oc lambdahttp.Outcome) {
	inv.shape = oc.Shape
	switch {
	case oc.Panic != nil:
		inv.err, inv.cause = errInternal(), fmt.Errorf("panic: %v", oc.Panic)
		inv.status = inv.err.Status
	case oc.Rejected:
		inv.status, inv.err = oc.Status, errInvalidRequest(oc.Status, "rejected before routing")
	}
}
