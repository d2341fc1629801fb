package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/wxindustry/getindustry/internal/lambdaenv"
	"github.com/wxindustry/getindustry/internal/lambdahttp"
	"github.com/wxindustry/getindustry/internal/onboard"
	"github.com/wxindustry/getindustry/internal/redact"
)

// invocation is what one invoke did, filled in as it goes and logged once
// when it ends. The push handler and the runs write it from the invoke's
// goroutine (a run's workers report through the run's lock).
type invocation struct {
	start     time.Time
	coldStart bool
	shape     lambdahttp.Shape
	status    int // HTTP status answered, for HTTP-shaped events

	// A push.
	infoType  string
	appID     string // authorizer appid, when the push names one
	outcome   string // what the push did, e.g. ticket_stored, account_written, pending, refused
	refusal   string // why a push was refused
	wxErrcode int

	// A run.
	report *runReport
	err    *failure

	// An onboarding page: its path (the query is never logged).
	page string

	cause  error // logged, never answered
	panick bool

	// secrets are the account's values a push handled (an authorization
	// code, its tokens), masked in the summary line like the process's own.
	secrets []string
}

type invocationKey struct{}

// invocationFrom returns the invocation record in ctx, or a throwaway one
// so that handlers run outside an instrumented invoke (as in unit tests).
func invocationFrom(ctx context.Context) *invocation {
	if inv, ok := ctx.Value(invocationKey{}).(*invocation); ok {
		return inv
	}
	return &invocation{}
}

// instrumented is the function's lambda.Handler: it bounds the invoke by
// the Lambda deadline less a reserve for answering, serves it through
// lambdahttp (HTTP events to the routes, everything else to direct), and
// writes one summary log line and one metrics record per invoke. It is
// safe for concurrent use.
type instrumented struct {
	next    *lambdahttp.Handler
	log     *slog.Logger
	metrics *metricsWriter
	warm    atomic.Bool
}

func newInstrumented(s *service, log *slog.Logger, metrics *metricsWriter) *instrumented {
	return &instrumented{next: lambdahttp.Wrap(s.routes(), s.direct), log: log, metrics: metrics}
}

// Invoke implements lambda.Handler.
func (h *instrumented) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	inv := &invocation{start: time.Now(), coldStart: !h.warm.Swap(true)}
	ctx = context.WithValue(ctx, invocationKey{}, inv)
	ctx, cancel := lambdaenv.WithAnswerReserve(ctx)
	defer cancel()
	out, oc, err := h.next.Serve(ctx, payload)
	inv.shape, inv.status, inv.panick = oc.Shape, oc.Status, oc.Panic != nil
	h.logSummary(ctx, inv)
	h.metrics.write(ctx, inv, time.Now())
	return out, err
}

// request is a direct invoke's payload: {"action":"refresh"|"sync"}, an
// EventBridge Scheduled Event (a refresh), or
// {"action":"authorize_url","redirect_uri":…} (onboard.AuthorizeURLRequest).
type request struct {
	Action     string `json:"action"`
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
}

// directUsage is the InvalidRequest message of a payload that is none of
// them.
const directUsage = `want {"action":"refresh"}, {"action":"sync"}, {"action":"authorize_url","redirect_uri":"https://…"} or a scheduled event`

// direct serves a payload that is not an HTTP event: a run, or
// authorize_url.
func (s *service) direct(ctx context.Context, payload []byte) ([]byte, error) {
	inv := invocationFrom(ctx)
	var req request
	p := bytes.TrimSpace(payload)
	if len(p) == 0 || p[0] != '{' || json.Unmarshal(p, &req) != nil {
		inv.err = fail(typeInvalidRequest, "the payload must be a JSON object: "+directUsage, nil)
		return nil, inv.err.LambdaError()
	}
	if req.Action == "authorize_url" {
		return s.authorizeURL(ctx, inv, p)
	}
	if req.Action == "" && req.Source == "aws.events" && req.DetailType == "Scheduled Event" {
		req.Action = "refresh"
	}
	rep := &runReport{Action: req.Action}
	inv.report = rep
	switch req.Action {
	case "refresh":
		inv.err = s.refresh(ctx, rep)
	case "sync":
		inv.err = s.sync(ctx, rep)
	default:
		inv.err = fail(typeInvalidRequest, "unknown action: "+directUsage, nil)
	}
	if inv.err != nil {
		return nil, inv.err.LambdaError()
	}
	return json.Marshal(rep)
}

// authorizeURL serves {"action":"authorize_url",...}: one
// api_create_preauthcode, and WeChat's PC and H5 authorization pages for
// it, {"pc_url","h5_url","expires_in"}.
func (s *service) authorizeURL(ctx context.Context, inv *invocation, payload []byte) ([]byte, error) {
	inv.report = &runReport{Action: "authorize_url"}
	var in onboard.AuthorizeURLRequest
	if err := json.Unmarshal(payload, &in); err != nil {
		inv.err = fail(typeInvalidRequest, `authorize_url: want {"action":"authorize_url","redirect_uri":"https://…"[,"auth_type":1|2|3][,"biz_appid":"wx…"]}`, nil)
		return nil, inv.err.LambdaError()
	}
	urls, f := s.onboarding.authorizeURL(ctx, in)
	if f != nil {
		inv.err = f
		return nil, f.LambdaError()
	}
	return json.Marshal(urls)
}

// maxNamed bounds the appids a summary line names per list.
const maxNamed = 50

// logSummary writes the one line that describes an invoke: appids, counts,
// outcomes and causes, never a token, a ticket, a code or a key: causes
// come from wx and the AWS SDK, which redact them; the push's own secrets
// (inv.secrets) are masked here; and the logger masks the platform's
// secrets and drops secret-named attributes as a backstop.
func (h *instrumented) logSummary(ctx context.Context, inv *invocation) {
	attrs := []slog.Attr{
		slog.String("event_shape", string(inv.shape)),
		slog.Bool("cold_start", inv.coldStart),
		slog.Float64("duration_ms", float64(time.Since(inv.start).Microseconds())/1000),
	}
	level := slog.LevelInfo
	msg := "push"
	if inv.shape == lambdahttp.ShapeDirect {
		msg = "run"
		if r := inv.report; r != nil {
			attrs = append(attrs, slog.String("action", r.Action), slog.Any("report", r))
			if len(r.failedIDs) > 0 {
				attrs = append(attrs, slog.Any("failed_appids", capped(r.failedIDs)))
			}
			if len(r.reauthIDs) > 0 {
				attrs = append(attrs, slog.Any("needs_reauth_appids", capped(r.reauthIDs)))
			}
			if len(r.causes) > 0 {
				attrs = append(attrs, slog.Any("failure_causes", r.causes))
			}
		}
	} else if inv.page != "" {
		msg = "page"
		attrs = append(attrs, slog.Int("status", inv.status), slog.String("path", inv.page))
		if inv.status >= 500 {
			level = slog.LevelError
		}
	} else {
		attrs = append(attrs, slog.Int("status", inv.status), slog.String("info_type", inv.infoType),
			slog.String("authorizer_appid", inv.appID), slog.String("outcome", inv.outcome))
		if inv.refusal != "" {
			level = slog.LevelWarn
			attrs = append(attrs, slog.String("refusal", inv.refusal))
		}
		if inv.status >= 500 {
			level = slog.LevelError
		}
	}
	if inv.wxErrcode != 0 {
		attrs = append(attrs, slog.Int("wx_errcode", inv.wxErrcode))
	}
	if f := inv.err; f != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.String("error_type", f.Type), slog.String("error", f.Message))
		if f.WxCode != 0 {
			attrs = append(attrs, slog.Int("wx_errcode", f.WxCode))
		}
		if inv.cause == nil {
			inv.cause = f.Cause
		}
	}
	if inv.cause != nil {
		attrs = append(attrs, slog.String("cause", redact.String(inv.cause.Error(), inv.secrets...)))
	}
	if inv.panick {
		level = slog.LevelError
		attrs = append(attrs, slog.Bool("panic", true))
	}
	h.log.LogAttrs(ctx, level, msg, attrs...)
}

// capped returns at most maxNamed of ids, and how many more there were.
func capped(ids []string) any {
	if len(ids) <= maxNamed {
		return ids
	}
	return append(ids[:maxNamed:maxNamed], fmt.Sprintf("... and %d more", len(ids)-maxNamed))
}
