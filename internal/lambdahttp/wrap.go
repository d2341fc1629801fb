package lambdahttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// MaxBodyBytes is the largest request body, after base64 decoding, that Wrap passes to the
// http.Handler. A larger body is answered 413 with the JSON error body
// {"error":{"code":"invalid_request","message":"request body too large"}} without calling it.
const MaxBodyBytes = 1 << 20

// Error codes of the JSON error bodies the adapter writes itself (see DESIGN.md).
const (
	codeInvalidRequest = "invalid_request"
	codeInternal       = "internal"
)

// errNoDirect is returned for a direct invocation when Wrap was given a nil DirectFunc.
var errNoDirect = errors.New("lambdahttp: direct invocation not supported")

// DirectFunc answers a payload that is not an HTTP-shaped event (including payloads that
// are not JSON objects). Its ctx carries ShapeDirect.
type DirectFunc func(ctx context.Context, payload []byte) ([]byte, error)

// Wrap returns a lambda.Handler that serves HTTP-shaped events (see Detect) with h and
// everything else with direct.
//
// For an HTTP-shaped event Invoke always returns a response in that event's shape and a
// nil error: an event it cannot turn into a request is answered 400, a body larger than
// MaxBodyBytes 413, and a panic in h 500, each with a JSON error body. h runs with the
// invoke ctx, which carries the Lambda context and the Shape (ShapeFromContext). For any
// other payload Invoke returns what direct returns, its error unchanged, so that the error's
// type still names the Lambda errorType. A nil h answers 404 to every request; a nil direct
// makes direct invocations fail with an error.
//
// The handler h must not use its ResponseWriter after ServeHTTP returns. The returned
// handler is safe for concurrent use if h and direct are.
func Wrap(h http.Handler, direct DirectFunc) lambda.Handler {
	if h == nil {
		h = http.NotFoundHandler()
	}
	return &handler{h: h, direct: direct}
}

// handler is the lambda.Handler returned by Wrap. It is immutable after construction.
type handler struct {
	h      http.Handler
	direct DirectFunc
}

// Invoke implements lambda.Handler.
func (w *handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	d := detect(payload)
	ctx = withShape(ctx, d.shape)
	switch d.shape {
	case ShapeAPIGatewayREST:
		return w.serveREST(ctx, payload)
	case ShapeAPIGatewayHTTP:
		return w.serveHTTPAPI(ctx, payload)
	case ShapeFunctionURL:
		return w.serveFunctionURL(ctx, payload)
	case ShapeALB:
		return w.serveALB(ctx, payload, d.multiValue)
	}
	if w.direct == nil {
		return nil, errNoDirect
	}
	return w.direct(ctx, payload)
}

// inbound is an HTTP request as read from an event, before it becomes an *http.Request.
type inbound struct {
	method     string
	path       string // as sent, still escaped; must begin with "/"
	rawQuery   string // escaped, without "?"
	header     http.Header
	host       string
	remoteAddr string
	body       string
	base64     bool // body is base64-encoded
}

// serve runs w.h for in and returns its answer, or the adapter's own error answer when in
// cannot be made into a request. The answer to a HEAD request has no body.
func (w *handler) serve(ctx context.Context, in inbound) *result {
	res := w.run(ctx, in)
	if in.method == http.MethodHead {
		res.body = nil
	}
	return res
}

// run builds the request and calls w.h, turning a panic in w.h into a 500 answer.
func (w *handler) run(ctx context.Context, in inbound) (res *result) {
	req, bad := newRequest(ctx, in)
	if bad != nil {
		return bad
	}
	defer func() {
		if recover() != nil {
			res = errorResult(ctx, http.StatusInternalServerError, codeInternal, "internal error")
		}
	}()
	rec := newRecorder()
	w.h.ServeHTTP(rec, req)
	return rec.result()
}

// newRequest turns in into a server-side *http.Request bound to ctx, or returns the error
// answer (400 or 413) when it cannot.
func newRequest(ctx context.Context, in inbound) (*http.Request, *result) {
	body := []byte(in.body)
	if in.base64 {
		b, err := base64.StdEncoding.DecodeString(in.body)
		if err != nil {
			return nil, badRequest(ctx, "request body is not valid base64")
		}
		body = b
	}
	if len(body) > MaxBodyBytes {
		return nil, errorResult(ctx, http.StatusRequestEntityTooLarge, codeInvalidRequest, "request body too large")
	}
	if in.method == "" {
		return nil, badRequest(ctx, "invalid request method")
	}
	if !strings.HasPrefix(in.path, "/") {
		return nil, badRequest(ctx, "invalid request path")
	}
	target := in.path
	if in.rawQuery != "" {
		target += "?" + in.rawQuery
	}
	// ParseRequestURI reads target as a request line does: "//host/x" stays a path.
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return nil, badRequest(ctx, "invalid request path")
	}
	req, err := http.NewRequestWithContext(ctx, in.method, "/", bytes.NewReader(body))
	if err != nil {
		return nil, badRequest(ctx, "invalid request method")
	}
	req.URL = u
	req.RequestURI = target
	req.Host = in.host
	req.RemoteAddr = in.remoteAddr
	req.Header = in.header
	return req, nil
}

// headerFrom builds a canonical http.Header from an event's multi-value headers when it has
// any, else from its single-value headers. Host is left out, as net/http servers do (it
// becomes Request.Host).
func headerFrom(multi map[string][]string, single map[string]string) http.Header {
	h := make(http.Header, max(len(multi), len(single)))
	if len(multi) > 0 {
		for k, vs := range multi {
			for _, v := range vs {
				h.Add(k, v)
			}
		}
	} else {
		for k, v := range single {
			h.Add(k, v)
		}
	}
	return h
}

// takeHost removes the Host header from h and returns its value, or fallback if it had none.
func takeHost(h http.Header, fallback string) string {
	host := h.Get("Host")
	h.Del("Host")
	if host == "" {
		return fallback
	}
	return host
}

// errorBody is the JSON error body of DESIGN.md, as far as the adapter can fill it.
type errorBody struct {
	Error errorDetail `json:"error"`
}

// errorDetail is the "error" object of errorBody.
type errorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id,omitempty"`
}

// badRequest returns a 400 invalid_request answer with a fixed public message.
func badRequest(ctx context.Context, message string) *result {
	return errorResult(ctx, http.StatusBadRequest, codeInvalidRequest, message)
}

// errorResult returns a JSON error answer. The message must be a constant: nothing from
// the request or the handler ever reaches it. The Lambda request id is added when ctx has one.
func errorResult(ctx context.Context, status int, code, message string) *result {
	detail := errorDetail{Code: code, Message: message}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		detail.RequestID = lc.AwsRequestID
	}
	body, err := json.Marshal(errorBody{Error: detail})
	if err != nil { // not reachable: the value holds only strings
		body = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	return &result{
		status: status,
		header: http.Header{"Content-Type": {"application/json"}},
		body:   body,
	}
}

// marshal encodes a response of the given shape.
func marshal(shape Shape, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("lambdahttp: encode %s response: %w", shape, err)
	}
	return b, nil
}
