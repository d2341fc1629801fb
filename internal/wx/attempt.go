package wx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/wxindustry/getindustry/internal/redact"
)

// maxBodyBytes limits how much of a reply is read; a longer reply is
// ErrBadResponse.
const maxBodyBytes = 64 << 10

// errTooLarge reports a reply body over maxBodyBytes.
var errTooLarge = fmt.Errorf("%w: body exceeds %d bytes", ErrBadResponse, maxBodyBytes)

// request describes one WeChat API call for do.
type request struct {
	op     string     // operation name for errors and logs, e.g. "get_industry"
	method string     // HTTP method
	path   string     // API path, e.g. "/cgi-bin/template/get_industry"
	body   []byte     // JSON request body; nil for none
	authed bool       // send access_token from the TokenSource; retry once on rejection
	once   bool       // not idempotent (a forced stable_token): one attempt, never retried
	query  url.Values // more query parameters (component_access_token); secrets like the token
	// secrets are values the body carries (an appsecret, a ticket, an
	// authorization code), scrubbed from errors and log lines like the
	// token; a reply that echoes one is refused. echoed are scrubbed the
	// same way, but a reply may carry them back (api_authorizer_token
	// returns the refresh token it was sent when it does not rotate it).
	secrets []string
	echoed  []string
}

// refused returns what a reply to r must not echo: tok, the query's
// values and r.secrets.
func (r request) refused(tok string) []string {
	out := append([]string{tok}, r.secrets...)
	for _, vs := range r.query {
		out = append(out, vs...)
	}
	return out
}

// attempt makes one HTTP exchange under its own timeout (bounded by ctx) and
// returns the reply body, or an error already redacted and classified for
// retryable: *Error, ErrBadResponse, ErrTimeout, ErrUnavailable, or the
// caller's context error.
func (c *Client) attempt(ctx context.Context, r request, tok string, n int) ([]byte, error) {
	limit := c.attemptTimeout
	if dl, ok := ctx.Deadline(); ok {
		limit = min(limit, time.Until(dl))
	}
	actx, cancel := context.WithTimeout(ctx, c.attemptTimeout)
	defer cancel()
	refused := r.refused(tok)
	scrub := slices.Concat(refused, r.echoed)
	req, err := c.newRequest(actx, r, tok, scrub)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, actx, r.op, n, limit, err, scrub...)
	}
	defer drainClose(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, &Error{Op: r.op, Status: resp.StatusCode, retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"))}
	}
	body, err := readBody(resp)
	if errors.Is(err, ErrBadResponse) {
		return nil, fmt.Errorf("wx: %s: %w", r.op, err)
	}
	if err != nil {
		return nil, c.transportError(ctx, actx, r.op, n, limit, err, scrub...)
	}
	return parseReply(r.op, body, scrub, refused)
}

// newRequest builds the HTTP request for r, with r.query and, when
// r.authed, access_token in the query; scrub is what its errors must not
// show.
func (c *Client) newRequest(ctx context.Context, r request, tok string, scrub []string) (*http.Request, error) {
	u := c.base.JoinPath(r.path)
	q := url.Values{}
	for k, vs := range r.query {
		q[k] = vs
	}
	if r.authed {
		q.Set("access_token", tok)
	}
	u.RawQuery = q.Encode()
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("wx: %s: build request: %w", r.op, redact.Error(err, scrub...))
	}
	req.Header.Set("Accept", "application/json")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// transportError classifies a failure to get or read a reply. The caller's
// own cancellation or deadline comes first; then a per-attempt timeout
// (ErrTimeout, retryable); anything else is a connection error
// (ErrUnavailable, retryable) that wraps the cause, scrubbed of secrets.
func (c *Client) transportError(ctx, actx context.Context, op string, n int, limit time.Duration, err error, secrets ...string) error {
	if cerr := ctx.Err(); cerr != nil {
		return contextError(op, cerr)
	}
	var ne net.Error
	if actx.Err() != nil || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("wx: %s: attempt %d: %w after %v", op, n, ErrTimeout, limit.Round(time.Millisecond))
	}
	return fmt.Errorf("wx: %s: %w: %w", op, ErrUnavailable, redact.Error(err, secrets...))
}

// contextError wraps the caller's context error: an expired deadline also
// wraps ErrTimeout, a cancellation only the context error.
func contextError(op string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("wx: %s: %w: %w", op, ErrTimeout, err)
	}
	return fmt.Errorf("wx: %s: %w", op, err)
}

// readBody reads at most maxBodyBytes of the reply; more is errTooLarge.
func readBody(resp *http.Response) ([]byte, error) {
	if resp.ContentLength > maxBodyBytes {
		return nil, errTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxBodyBytes {
		return nil, errTooLarge
	}
	return body, nil
}

// drainClose reads what is left of a body, up to the size limit, so the
// connection can be reused, and closes it.
func drainClose(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, maxBodyBytes)
	_ = body.Close()
}

// parseRetryAfter reads a Retry-After header given in seconds or as an HTTP
// date; anything else is 0.
func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(min(s, 24*60*60)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}
