package lambdahttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"

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
// The handler h must not use its ResponseWriter, or the header map it returns, after
// ServeHTTP returns: Wrap reuses them for later invokes. The returned handler is safe for
// concurrent use if h and direct are.
func Wrap(h http.Handler, direct DirectFunc) lambda.Handler {
	if h == nil {
		h = http.NotFoundHandler()
	}
	return &handler{h: h, direct: direct}
}

// handler is the lambda.Handler returned by Wrap. Its fields do not change after
// construction; recorders only caches recorders between invokes.
type handler struct {
	h         http.Handler
	direct    DirectFunc
	recorders sync.Pool // of *recorder
}

// Invoke implements lambda.Handler. The payload is read once: decodeEvent finds the
// members every shape needs, and detection and the request reader share them.
func (w *handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	d := detection{shape: ShapeDirect}
	ev, ok := decodeEvent(payload)
	if ok {
		d = ev.detect()
	}
	ctx = withShape(ctx, d.shape)
	if d.shape == ShapeDirect {
		if w.direct == nil {
			return nil, errNoDirect
		}
		return w.direct(ctx, payload)
	}
	rec, _ := w.recorders.Get().(*recorder)
	if rec == nil {
		rec = newRecorder()
	}
	defer func() {
		rec.reset()
		w.recorders.Put(rec)
	}()
	var res result
	if in, ok := ev.inbound(d.shape); ok {
		res = w.serve(ctx, rec, in)
	} else {
		res = badRequest(ctx, "invalid event")
	}
	rec.names = sortedNames(rec.names[:0], res.header)
	rec.out = appendResponse(rec.out[:0], d, res, rec.names)
	return bytes.Clone(rec.out), nil
}

// appendResponse appends the response for res in the format of the detected event.
// names is sortedNames(res.header).
func appendResponse(dst []byte, d detection, res result, names []string) []byte {
	switch d.shape {
	case ShapeAPIGatewayREST:
		return appendREST(dst, res, names)
	case ShapeAPIGatewayHTTP:
		return appendHTTPAPI(dst, res, names)
	case ShapeFunctionURL:
		return appendFunctionURL(dst, res, names)
	}
	return appendALB(dst, res, names, d.multiValue)
}

// inbound reads the request out of an event of the given HTTP shape; ok is false when a
// member it needs has the wrong type.
func (ev *event) inbound(shape Shape) (inbound, bool) {
	switch shape {
	case ShapeAPIGatewayREST:
		return ev.restInbound()
	case ShapeALB:
		return ev.albInbound()
	}
	return ev.v2Inbound(shape == ShapeAPIGatewayHTTP)
}

// serve runs w.h for in with rec as its ResponseWriter and returns its answer, or the
// adapter's own error answer when in cannot be made into a request. The answer to a HEAD
// request has no body.
func (w *handler) serve(ctx context.Context, rec *recorder, in inbound) result {
	res := w.run(ctx, rec, in)
	if in.method == http.MethodHead {
		res.body = nil
	}
	return res
}

// run builds the request and calls w.h, turning a panic in w.h into a 500 answer.
func (w *handler) run(ctx context.Context, rec *recorder, in inbound) (res result) {
	req, bad := newRequest(ctx, in)
	if req == nil {
		return bad
	}
	defer func() {
		if recover() != nil {
			res = errorResult(ctx, http.StatusInternalServerError, codeInternal, "internal error")
		}
	}()
	w.h.ServeHTTP(rec, req)
	return rec.result()
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
func badRequest(ctx context.Context, message string) result {
	return errorResult(ctx, http.StatusBadRequest, codeInvalidRequest, message)
}

// errorResult returns a JSON error answer. The message must be a constant: nothing from
// the request or the handler ever reaches it. The Lambda request id is added when ctx has one.
func errorResult(ctx context.Context, status int, code, message string) result {
	detail := errorDetail{Code: code, Message: message}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		detail.RequestID = lc.AwsRequestID
	}
	body, err := json.Marshal(errorBody{Error: detail})
	if err != nil { // not reachable: the value holds only strings
		body = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	return result{
		status: status,
		header: http.Header{"Content-Type": {"application/json"}},
		body:   body,
	}
}
