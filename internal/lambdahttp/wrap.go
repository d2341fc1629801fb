package lambdahttp

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// MaxBodyBytes is the largest request body, after base64 decoding, that Wrap passes to the
// http.Handler. A larger body is answered 413 with the JSON error body
// {"error":{"code":"invalid_request","message":"request body too large"}} without calling it.
const MaxBodyBytes = 1 << 20

// errNoDirect is returned for a direct invocation when Wrap was given a nil DirectFunc.
var errNoDirect = errors.New("lambdahttp: direct invocation not supported")

// errInternal is the Lambda error of a direct invocation whose DirectFunc panicked.
var errInternal = messages.InvokeResponse_Error{Type: "Internal", Message: "internal error"}

// DirectFunc answers a payload that is not an HTTP-shaped event (including payloads that
// are not JSON objects). Its ctx carries ShapeDirect.
type DirectFunc func(ctx context.Context, payload []byte) ([]byte, error)

// Handler is the lambda.Handler made by Wrap. It is safe for concurrent use if the
// http.Handler and the DirectFunc it wraps are.
type Handler struct {
	h      http.Handler
	direct DirectFunc
}

// Outcome is what Serve did with one payload, for the caller's log line and metrics.
type Outcome struct {
	Shape    Shape
	Status   int  // the HTTP status answered; 0 for a direct invocation
	Rejected bool // the adapter answered itself (400, 413) without calling the http.Handler
	Panic    any  // the value recovered from a panic in the http.Handler or DirectFunc, or nil
}

// Wrap returns a Handler that serves HTTP-shaped events (see Shape) with h and everything
// else with direct; a nil h answers 404 to every request, a nil direct fails every direct
// invocation. Both run with the invoke ctx, which carries the Lambda context and the Shape.
//
// An HTTP-shaped event always gets a response in its own shape and a nil error: 400 for
// an event that is not a request, 413 for a body over MaxBodyBytes, 500 for a panic in h,
// each with a JSON error body; a HEAD request's answer has no body. Any other payload gets
// what direct returns, its error unchanged, so that the error's type still names the Lambda
// errorType; a panic in direct returns a messages.InvokeResponse_Error of type Internal.
func Wrap(h http.Handler, direct DirectFunc) *Handler {
	if h == nil {
		h = http.NotFoundHandler()
	}
	return &Handler{h: h, direct: direct}
}

// Invoke implements lambda.Handler.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	out, _, err := h.Serve(ctx, payload)
	return out, err
}

// Serve is Invoke that also reports what happened, for the caller's log line and metrics.
// It holds the invoke path's one recover: a panic is answered as Wrap says and reported in
// Outcome.Panic, for the caller to log and count once.
func (h *Handler) Serve(ctx context.Context, payload []byte) (out []byte, oc Outcome, err error) {
	shape, multiValue := detect(payload)
	oc.Shape = shape
	ctx = context.WithValue(ctx, shapeKey{}, shape)
	if shape == ShapeDirect {
		if h.direct == nil {
			return nil, oc, errNoDirect
		}
		if oc.Panic = protect(func() { out, err = h.direct(ctx, payload) }); oc.Panic != nil {
			return nil, oc, errInternal
		}
		return out, oc, err
	}
	var a answer
	if in, err := shapes[shape].decode(payload); err != nil {
		a, oc.Rejected = errorAnswer(ctx, http.StatusBadRequest, "invalid_request", "invalid event"), true
	} else {
		a, oc.Rejected, oc.Panic = h.serveHTTP(ctx, in)
	}
	oc.Status = a.status
	out, err = json.Marshal(shapes[shape].encode(a, multiValue))
	return out, oc, err
}

// shapes maps each HTTP shape to its event reader and its response maker.
var shapes = map[Shape]struct {
	decode func(payload []byte) (inbound, error)
	encode func(a answer, multiValue bool) any
}{
	ShapeAPIGatewayREST: {decodeREST, func(a answer, _ bool) any { return restResponse(a) }},
	ShapeAPIGatewayHTTP: {decodeHTTPAPI, func(a answer, _ bool) any { return httpAPIResponse(a) }},
	ShapeFunctionURL:    {decodeFunctionURL, func(a answer, _ bool) any { return functionURLResponse(a) }},
	ShapeALB:            {decodeALB, albResponse},
}

// serveHTTP runs h.h for in and returns its answer; or the adapter's own answer, rejected,
// when in is not a request; or a 500 answer and the panic value when h.h panics.
func (h *Handler) serveHTTP(ctx context.Context, in inbound) (a answer, rejected bool, panicked any) {
	req, a := newRequest(ctx, in)
	if req != nil {
		rec := httptest.NewRecorder()
		if panicked = protect(func() { h.h.ServeHTTP(recorder{rec}, req) }); panicked != nil {
			a = errorAnswer(ctx, http.StatusInternalServerError, "internal", "internal error")
		} else {
			a = recorded(rec)
		}
	}
	if in.method == http.MethodHead {
		a.body = nil
	}
	return a, req == nil, panicked
}

// protect calls f and returns the value of a panic in it, or nil.
func protect(f func()) (panicked any) {
	defer func() { panicked = recover() }()
	f()
	return nil
}

// errorAnswer returns a JSON error answer as the README's "Event sources and answers"
// shows it. The message is a constant: nothing from the request or the handler reaches
// it. The Lambda request id is added when ctx has one.
func errorAnswer(ctx context.Context, status int, code, message string) answer {
	detail := map[string]string{"code": code, "message": message} // marshalled in this order
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		detail["request_id"] = lc.AwsRequestID
	}
	body, _ := json.Marshal(map[string]any{"error": detail}) // strings only: cannot fail
	return answer{status: status, header: http.Header{"Content-Type": {"application/json"}}, body: body}
}
