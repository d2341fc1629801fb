package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/wxindustry/getindustry/internal/lambdaenv"
	"github.com/wxindustry/getindustry/internal/redact"
	"github.com/wxindustry/getindustry/internal/wx"
)

// answer is the refresher's reply to a successful invoke.
type answer struct {
	Changed   bool   `json:"changed"`    // this run wrote a different token to the secret
	ExpiresAt string `json:"expires_at"` // when the token the secret now holds expires, RFC 3339
}

// outcome is what one invoke did, filled in as it goes and logged once when
// it ends. Only the goroutine serving the invoke touches it.
type outcome struct {
	start     time.Time
	deadline  time.Time // the invoke's own deadline, before the answer reserve; zero if none
	coldStart bool
	force     bool
	wrote     bool      // a new secret version was written
	changed   bool      // ... holding a different token
	expiresAt time.Time // expiry of the token the secret holds
	forces    int       // forced refreshes recorded in the last 24 hours
	note      string    // why the token secret's previous value could not be used, if so
	err       *failure
	trace     wx.Trace
	secrets   []string // values scrubbed from the log line: appsecret and tokens seen
}

// Invoke implements lambda.Handler. The payload is {} (normal mode) or
// {"force_refresh": true}; any other fields, such as those of an EventBridge
// scheduled event, are ignored. It bounds the invoke by the Lambda deadline
// less a reserve for answering, turns a panic into Internal, and logs one
// summary line.
func (r *refresher) Invoke(ctx context.Context, payload []byte) (out []byte, err error) {
	o := &outcome{start: time.Now(), coldStart: !r.warm.Swap(true)}
	ctx = wx.WithTrace(ctx, &o.trace)
	o.deadline, _ = ctx.Deadline()
	ctx, cancel := lambdaenv.WithAnswerReserve(ctx)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			o.err = fail(typeInternal, "internal error", fmt.Errorf("panic: %v", p))
			out, err = nil, o.err.LambdaError()
		}
		r.logSummary(ctx, o)
	}()
	force, f := parseRequest(payload)
	o.force = force
	if f == nil {
		f = r.refreshInTurn(ctx, force, o)
	}
	if f != nil {
		o.err = f
		return nil, f.LambdaError()
	}
	return json.Marshal(answer{Changed: o.changed, ExpiresAt: o.expiresAt.UTC().Format(time.RFC3339)})
}

// parseRequest reads the payload: a JSON object whose optional
// force_refresh is a boolean (null: false).
func parseRequest(payload []byte) (bool, *failure) {
	p := bytes.TrimSpace(payload)
	if len(p) == 0 || p[0] != '{' || !json.Valid(p) {
		return false, fail(typeInvalidRequest, `the payload must be a JSON object: {} or {"force_refresh": true}`, nil)
	}
	var req struct {
		ForceRefresh *bool `json:"force_refresh"`
	}
	if err := json.Unmarshal(p, &req); err != nil {
		return false, fail(typeInvalidRequest, "force_refresh must be true or false", nil)
	}
	return req.ForceRefresh != nil && *req.ForceRefresh, nil
}

// logSummary writes the one line that describes an invoke. It names the
// cause of a failure, scrubbed of the appsecret and every token the run saw.
func (r *refresher) logSummary(ctx context.Context, o *outcome) {
	attrs := []slog.Attr{
		slog.Bool("force", o.force),
		slog.Bool("cold_start", o.coldStart),
		slog.Int("attempts", o.trace.Attempts),
		slog.Float64("duration_ms", ms(time.Since(o.start))),
		slog.Float64("wechat_ms", ms(o.trace.Duration)),
	}
	if o.note != "" {
		attrs = append(attrs, slog.String("previous_value", o.scrub(o.note)))
	}
	level := slog.LevelInfo
	if f := o.err; f != nil {
		level = slog.LevelError
		if f.Type == typeInvalidRequest || f.Type == typeForceRefreshLimited {
			level = slog.LevelWarn
		}
		attrs = append(attrs, slog.String("error_type", f.Type), slog.String("error", o.scrub(f.Message)))
		if f.WxCode != 0 {
			attrs = append(attrs, slog.Int("wx_errcode", f.WxCode), slog.String("wx_rid", f.RID))
		}
		if f.Cause != nil {
			attrs = append(attrs, slog.String("cause", o.scrub(f.Cause.Error())))
		}
	} else {
		attrs = append(attrs, slog.Bool("changed", o.changed), slog.Bool("wrote", o.wrote),
			slog.String("expires_at", o.expiresAt.UTC().Format(time.RFC3339)), slog.Int("forces_24h", o.forces))
	}
	r.log.LogAttrs(ctx, level, "refresh", attrs...)
}

// scrub removes every secret value the run saw from s.
func (o *outcome) scrub(s string) string { return redact.String(s, o.secrets...) }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
