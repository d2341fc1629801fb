package wx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults applied by NewClient to zero Options fields.
const (
	defaultAttemptTimeout   = 3 * time.Second
	defaultMaxAttempts      = 3
	defaultMinuteQuotaPause = time.Second
	defaultBackoffBase      = 100 * time.Millisecond
	defaultBackoffCap       = time.Second
)

// The getIndustry operation.
const (
	opGetIndustry   = "get_industry"
	pathGetIndustry = "/cgi-bin/template/get_industry"
)

// Industry is the reply of get_industry. The strings are kept exactly as
// WeChat sends them (for example "互联网|电子商务"); there is no enum.
type Industry struct {
	PrimaryIndustry   Class `json:"primary_industry"`
	SecondaryIndustry Class `json:"secondary_industry"`
}

// Class is one industry setting: a first-level and a second-level category.
// A field WeChat leaves out is the empty string.
type Class struct {
	FirstClass  string `json:"first_class"`
	SecondClass string `json:"second_class"`
}

// TokenSource supplies the access_token for each call. token.Source
// implements it. If a TokenSource also has an Invalidate(stale string)
// method, the client calls it with the token WeChat rejected (40001, 40014,
// 42001) and reads the token again; the source should drop that token only if
// it is still the cached one.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// invalidator is the optional behaviour of a TokenSource that can drop a
// token WeChat rejected.
type invalidator interface {
	Invalidate(stale string)
}

// errEmptyToken reports a TokenSource that returned "" without an error.
var errEmptyToken = errors.New("token source returned an empty token")

// errNoTokenSource reports an authenticated call on a Client built without a
// TokenSource (one meant only for StableToken).
var errNoTokenSource = errors.New("client has no TokenSource")

// Options is the Client configuration. Zero values mean defaults.
type Options struct {
	// HTTPClient sends the requests. Default: a client built by NewClient with
	// keep-alive, dial and TLS handshake timeouts and redirects disabled (a
	// redirect would carry the token elsewhere); it lives as long as the
	// Client. A caller's client is used as is.
	HTTPClient *http.Client
	// AttemptTimeout bounds each HTTP attempt, within the caller's deadline.
	// Default 3s.
	AttemptTimeout time.Duration
	// MaxAttempts is the total number of attempts for transient failures
	// (errcode -1 and 45011, HTTP 5xx, connection errors, per-attempt
	// timeouts). The single retry after a token rejection is extra. Default 3.
	MaxAttempts int
	// Backoff returns the wait before retrying after the given number of
	// transient failures (1, 2, ...). Default: exponential with full jitter,
	// base 100ms, cap 1s.
	Backoff func(attempt int) time.Duration
	// MinuteQuotaPause is the least wait before retrying errcode 45011, used
	// only if the caller's deadline allows it. Default 1s.
	MinuteQuotaPause time.Duration
	// Logger receives one line per failed attempt (never the token). Default:
	// a logger that discards everything.
	Logger *slog.Logger
}

// Client calls the WeChat API. Build it once per process with NewClient and
// share it: a Client is safe for concurrent use and keeps its connections
// alive between calls.
type Client struct {
	base           *url.URL
	tokens         TokenSource
	http           *http.Client
	attemptTimeout time.Duration
	maxAttempts    int
	backoff        func(attempt int) time.Duration
	quotaPause     time.Duration
	log            *slog.Logger
}

// NewClient returns a Client for the API at baseURL (normally
// https://api.weixin.qq.com) that takes its access tokens from tokens.
// tokens may be nil for a client that only calls StableToken; its
// GetIndustry then fails with "wx: get_industry: access token: client has no
// TokenSource". baseURL must use https, or http for a loopback host
// (127.0.0.0/8, ::1, localhost), and have no user info, query or fragment.
// NewClient returns an error naming the problem for a bad URL or a negative
// option.
func NewClient(baseURL string, tokens TokenSource, opts Options) (*Client, error) {
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	c := &Client{
		base:           base,
		tokens:         tokens,
		http:           opts.HTTPClient,
		attemptTimeout: orDefault(opts.AttemptTimeout, defaultAttemptTimeout),
		maxAttempts:    max(opts.MaxAttempts, 0),
		backoff:        opts.Backoff,
		quotaPause:     orDefault(opts.MinuteQuotaPause, defaultMinuteQuotaPause),
		log:            opts.Logger,
	}
	if c.maxAttempts == 0 {
		c.maxAttempts = defaultMaxAttempts
	}
	if c.http == nil {
		c.http = newHTTPClient()
	}
	if c.backoff == nil {
		c.backoff = backoff{base: defaultBackoffBase, cap: defaultBackoffCap, int64n: rand.Int64N}.duration
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// WithTokens returns a copy of c that takes its access tokens from tokens:
// the same base URL, options and http.Client (its connections included), so
// that one Client per process can serve many accounts, each with its own
// TokenSource. c is unchanged.
func (c *Client) WithTokens(tokens TokenSource) *Client {
	cc := *c
	cc.tokens = tokens
	return &cc
}

// GetIndustry returns the industry settings of the account (WeChat
// getIndustry). It returns *Error when WeChat answers errcode != 0 or an
// unexpected HTTP status, an error wrapping ErrBadResponse, ErrTimeout or
// ErrUnavailable for the failures they describe, the caller's context error
// (wrapped, with ErrTimeout for an expired deadline), or
// "wx: get_industry: access token: <cause>" wrapping the TokenSource's error.
func (c *Client) GetIndustry(ctx context.Context) (*Industry, error) {
	body, err := c.do(ctx, request{op: opGetIndustry, method: http.MethodGet, path: pathGetIndustry, authed: true})
	if err != nil {
		return nil, err
	}
	return decodeIndustry(body)
}

// validate rejects negative durations and counts.
func (o Options) validate() error {
	var errs []error
	if o.AttemptTimeout < 0 {
		errs = append(errs, fmt.Errorf("wx: options: AttemptTimeout %v: must not be negative", o.AttemptTimeout))
	}
	if o.MaxAttempts < 0 {
		errs = append(errs, fmt.Errorf("wx: options: MaxAttempts %d: must not be negative", o.MaxAttempts))
	}
	if o.MinuteQuotaPause < 0 {
		errs = append(errs, fmt.Errorf("wx: options: MinuteQuotaPause %v: must not be negative", o.MinuteQuotaPause))
	}
	return errors.Join(errs...)
}

// orDefault returns v, or def when v is zero.
func orDefault(v, def time.Duration) time.Duration {
	if v == 0 {
		return def
	}
	return v
}

// CheckBaseURL reports whether raw would be accepted as NewClient's baseURL,
// so that configuration can be validated, with every other setting, before
// a client is built.
func CheckBaseURL(raw string) error {
	_, err := parseBaseURL(raw)
	return err
}

// parseBaseURL checks that raw is an https URL, or http on a loopback host,
// with a host, a port (if any) in 1-65535, and no user info, query or
// fragment. Its errors name the problem and never quote the URL, which may
// hold a password (url.Parse's own error quotes it whole).
func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		reason := "not a valid URL"
		var ee url.EscapeError
		if errors.As(err, &ee) {
			reason += " (a % not followed by two hex digits)"
		}
		return nil, fmt.Errorf("wx: base URL: %s", reason)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, errors.New("wx: base URL: scheme must be https")
	case u.Hostname() == "":
		return nil, errors.New("wx: base URL: missing host")
	case !validPort(u.Port()):
		return nil, errors.New("wx: base URL: port must be between 1 and 65535")
	case u.User != nil:
		return nil, errors.New("wx: base URL: must not contain user info")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, errors.New("wx: base URL: must not have a query or fragment")
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return nil, errors.New("wx: base URL: http is allowed only for loopback hosts; use https")
	}
	return u, nil
}

// validPort reports whether port, from url.URL.Port, is absent or in 1-65535.
func validPort(port string) bool {
	if port == "" {
		return true
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535
}

// isLoopback reports whether host is localhost or a loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// newHTTPClient builds the default client: keep-alive connections reused for
// the life of the process, bounded dial and TLS handshake, no redirects.
// Request deadlines come from the per-attempt context.
func newHTTPClient() *http.Client {
	dialer := &net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          32,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       50 * time.Second,
		TLSHandshakeTimeout:   3 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
