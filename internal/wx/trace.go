package wx

import (
	"context"
	"time"
)

// Trace collects what one GetIndustry call did, in the manner of
// net/http/httptrace: the caller puts a *Trace in the context with WithTrace
// and reads it after the call returns. The client adds to the fields, so a
// Trace reused for sequential calls accumulates. A Trace must not be shared by
// concurrent calls.
type Trace struct {
	Attempts      int           // HTTP attempts made, the token retry included
	TokenRetried  bool          // a token rejection led to a fresh read and a retry
	Duration      time.Duration // time spent calling WeChat, backoff waits included, token reads excluded
	TokenDuration time.Duration // time spent waiting on the TokenSource
}

// traceKey is the context key for a *Trace.
type traceKey struct{}

// WithTrace returns a copy of ctx that carries t; the client fills t during
// calls made with that context.
func WithTrace(ctx context.Context, t *Trace) context.Context {
	return context.WithValue(ctx, traceKey{}, t)
}

// TraceFrom returns the *Trace carried by ctx, or nil if there is none.
func TraceFrom(ctx context.Context) *Trace {
	t, _ := ctx.Value(traceKey{}).(*Trace)
	return t
}
