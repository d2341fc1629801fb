package wx

import (
	"errors"
	"net/http"
	"net/url"
)

// withQuery returns a copy of c whose requests carry q in their query
// string, for the component API, which takes component_access_token there.
// The shared request machinery (attempt.go) only knows access_token from a
// TokenSource; rather than change it while it is being refactored, the copy
// wraps c's transport with one that adds q. The copy shares c's transport,
// so connections are still reused, and it never follows a redirect (which
// would carry the token elsewhere). It is cheap: two small structs per call.
// TODO: once request has a query field, drop this for it.
func (c *Client) withQuery(q url.Values) *Client {
	cc := *c
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

// redactComponentError scrubs the component_access_token and the body's
// secret from err: do scrubs only one value it is given besides the
// TokenSource's token, and WeChat's errmsg may echo either.
func redactComponentError(err error, secrets ...string) error {
	var e *Error
	if errors.As(err, &e) {
		e.Message = redact(e.Message, secrets...)
		return err
	}
	return redactError(err, secrets...)
}
