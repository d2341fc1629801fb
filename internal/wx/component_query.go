package wx

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/wxindustry/getindustry/internal/redact"
)

// forComponent returns a copy of c for one component call: its requests
// carry q in their query string (component_access_token), and its log
// lines have every one of secrets scrubbed.
//
// The shared request machinery (attempt.go, retry.go) knows only the
// access_token a TokenSource gives and one more secret; rather than change
// it while it is being refactored, the copy wraps c's transport with one
// that adds q and c's log handler with one that scrubs. The copy shares c's
// transport, so connections are still reused, and it never follows a
// redirect (which would carry the token elsewhere). It costs a few small
// structs per call.
// TODO: once request has a query field and a list of secrets, drop this.
func (c *Client) forComponent(q url.Values, secrets []string) *Client {
	cc := *c
	cc.log = slog.New(scrubHandler{next: c.log.Handler(), secrets: secrets})
	if len(q) == 0 {
		return &cc
	}
	hc := *c.http
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	hc.Transport = queryTransport{next: next, query: q}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cc.http = &hc
	return &cc
}

// queryTransport adds its query parameters to every request it sends.
type queryTransport struct {
	next  http.RoundTripper
	query url.Values
}

// RoundTrip sends a copy of req with t.query added; req itself is left
// alone, as http.RoundTripper requires, so the *url.Error that http.Client
// builds from it never shows the token.
func (t queryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	q := r.URL.Query()
	for k, v := range t.query {
		q[k] = v
	}
	r.URL.RawQuery = q.Encode()
	return t.next.RoundTrip(r)
}

// scrubHandler is a slog.Handler that replaces secrets in string
// attributes and the message before passing a record on.
type scrubHandler struct {
	next    slog.Handler
	secrets []string
}

func (h scrubHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h scrubHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, redact.String(r.Message, h.secrets...), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.scrub(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h scrubHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = h.scrub(a)
	}
	return scrubHandler{next: h.next.WithAttrs(clean), secrets: h.secrets}
}

func (h scrubHandler) WithGroup(name string) slog.Handler {
	return scrubHandler{next: h.next.WithGroup(name), secrets: h.secrets}
}

// scrub redacts a string attribute, or the strings inside a group.
func (h scrubHandler) scrub(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, redact.String(v.String(), h.secrets...))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, ga := range g {
			clean[i] = h.scrub(ga)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		return slog.String(a.Key, redact.String(v.String(), h.secrets...))
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// redactComponentError scrubs the component_access_token and the body's
// secrets from err: do scrubs only the one value it is given, and WeChat's
// errmsg may echo any of them.
func redactComponentError(err error, secrets ...string) error {
	var e *Error
	if errors.As(err, &e) {
		e.Message = redact.String(e.Message, secrets...)
		return err
	}
	return redact.Error(err, secrets...)
}
