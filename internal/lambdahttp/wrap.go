package lambdahttp

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Shape names the recognised event source; it is used in logs under the key "event_shape".
type Shape string

// The event shapes Wrap recognises (see detect).
const (
	ShapeAPIGatewayREST Shape = "apigw-rest"   // API Gateway REST API, proxy integration v1
	ShapeAPIGatewayHTTP Shape = "apigw-http"   // API Gateway HTTP API, payload format 2.0
	ShapeFunctionURL    Shape = "function-url" // Lambda Function URL (2.0 payload, domain *.lambda-url.*)
	ShapeALB            Shape = "alb"          // ALB target group
	ShapeDirect         Shape = "direct"       // anything else (Lambda-to-Lambda, Step Functions)
)

type shapeKey struct{}  // context key of the Shape
type domainKey struct{} // context key of requestContext.domainName

// ShapeFromContext reports the Shape that Wrap gives the http.Handler and the DirectFunc.
func ShapeFromContext(ctx context.Context) (Shape, bool) {
	s, ok := ctx.Value(shapeKey{}).(Shape)
	return s, ok
}

// DomainNameFromContext reports the event's requestContext.domainName, never the Host header,
// which the client chooses; ok is false for an ALB event and outside Wrap's http.Handler.
func DomainNameFromContext(ctx context.Context) (string, bool) {
	d, ok := ctx.Value(domainKey{}).(string)
	return d, ok && d != ""
}

// probe holds the members that tell the shapes apart, undecoded, so that a wrongly typed one
// does not hide the shape: the event is answered 400 rather than sent to the DirectFunc.
type probe struct {
	Version, HTTPMethod, MultiValueHeaders, MethodARN, RouteARN json.RawMessage
	RequestContext                                              *struct {
		ELB, HTTP, DomainName, ResourcePath, Stage, APIID, ConnectionID, EventType json.RawMessage
	}
}

// detect classifies a raw Lambda payload ("present": there and not null), in order:
//   - not an object, no requestContext object, or an authorizer (methodArn or routeArn): direct;
//   - requestContext.elb present: ALB; multiValue reports multiValueHeaders present, which
//     means the target group wants them in the answer too;
//   - version "2.0" and requestContext.http: Function URL if domainName has ".lambda-url.";
//     else HTTP API;
//   - httpMethod a non-empty string, version absent or "1.0", no WebSocket member
//     (connectionId, eventType), one of resourcePath, stage or apiId in requestContext:
//     REST (HTTP API payload 1.0 too: it answers in the REST format).
func detect(payload []byte) (_ Shape, multiValue bool) {
	var p probe
	var typeErr *json.UnmarshalTypeError // not an object, or requestContext not one: rc stays nil
	if err := json.Unmarshal(payload, &p); err != nil && !errors.As(err, &typeErr) {
		return ShapeDirect, false
	}
	rc, version := p.RequestContext, str(p.Version)
	switch {
	case rc == nil || present(p.MethodARN) || present(p.RouteARN):
	case present(rc.ELB):
		return ShapeALB, present(p.MultiValueHeaders)
	case version == "2.0" && present(rc.HTTP) && strings.Contains(str(rc.DomainName), ".lambda-url."):
		return ShapeFunctionURL, false
	case version == "2.0" && present(rc.HTTP):
		return ShapeAPIGatewayHTTP, false
	case str(p.HTTPMethod) == "", present(p.Version) && version != "1.0", present(rc.ConnectionID), present(rc.EventType):
	case present(rc.ResourcePath) || present(rc.Stage) || present(rc.APIID):
		return ShapeAPIGatewayREST, false
	}
	return ShapeDirect, false
}

// present reports whether a raw member was in the payload with a value other than null.
func present(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }

// str decodes a raw member as a JSON string; anything else leaves it "".
func str(raw json.RawMessage) (s string) {
	_ = json.Unmarshal(raw, &s)
	return s
}

// MaxBodyBytes is the largest request body, base64-decoded, that Wrap passes on (see Wrap).
const MaxBodyBytes = 1 << 20

var errNoDirect = errors.New("lambdahttp: direct invocation not supported")                  // Wrap had a nil DirectFunc
var errInternal = messages.InvokeResponse_Error{Type: "Internal", Message: "internal error"} // the DirectFunc panicked

// DirectFunc answers a payload that is not an HTTP-shaped event, JSON object or not.
type DirectFunc func(ctx context.Context, payload []byte) ([]byte, error)

// Handler is the lambda.Handler made by Wrap, safe for concurrent use if what it wraps is.
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
// else with direct; a nil h answers 404, a nil direct fails every direct invocation. Both
// get the invoke ctx, which carries the Lambda context and the Shape.
//
// An HTTP event always gets a response in its own shape and a nil error: 400 for an event
// that is not a request, 413 for a body over MaxBodyBytes, 500 for a panic in h, each with
// a JSON error body ({"error":{"code":"invalid_request","message":"request body too large"}});
// a HEAD request's answer has no body. Any other payload gets what direct returns, its error
// unchanged (its type names the Lambda errorType), or for a panic an Internal error.
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
// It holds the invoke path's one recover: a panic is answered as Wrap says and reported.
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
	in, err := shapes[shape].decode(payload)
	req, a := newRequest(ctx, in, err)
	rec := httptest.NewRecorder()
	if oc.Rejected = req == nil; !oc.Rejected {
		if oc.Panic = protect(func() { h.h.ServeHTTP(recorder{rec}, req) }); oc.Panic != nil {
			a = errorAnswer(ctx, http.StatusInternalServerError, "internal", "internal error")
		} else { // as a net/http server: a body only where the status allows one, sniffed Content-Type
			res := rec.Result()
			a = answer{res.StatusCode, res.Header, rec.Body.Bytes()}
			switch _, typed := a.header["Content-Type"]; {
			case a.status == http.StatusNoContent, a.status == http.StatusNotModified, a.status < 200:
				a.body = nil
			case len(a.body) > 0 && !typed: // and not set to nil
				a.header.Set("Content-Type", http.DetectContentType(a.body))
			}
		}
	}
	if in.method == http.MethodHead {
		a.body = nil
	}
	oc.Status = a.status
	out, err = json.Marshal(shapes[shape].encode(a, multiValue))
	return out, oc, err
}

// answer is a finished HTTP answer, from the handler or from the adapter itself.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// recorder is the handler's http.ResponseWriter: an httptest.ResponseRecorder, which fixes
// the header at the first WriteHeader or Write as a server does, and here lets 1xx pass.
type recorder struct{ *httptest.ResponseRecorder }

func (r recorder) WriteHeader(code int) {
	if code < 100 || code >= 200 || code == http.StatusSwitchingProtocols {
		r.ResponseRecorder.WriteHeader(code)
	}
}

// shapes holds each HTTP shape's event reader and response maker.
var shapes = map[Shape]struct {
	decode func(payload []byte) (inbound, error)
	encode func(a answer, multiValue bool) any
}{
	ShapeAPIGatewayREST: {decoder(readREST), ShapeAPIGatewayREST.response},
	ShapeAPIGatewayHTTP: {decoder(readHTTPAPI), ShapeAPIGatewayHTTP.response},
	ShapeFunctionURL:    {decoder(readFunctionURL), ShapeFunctionURL.response},
	ShapeALB:            {decoder(readALB), ShapeALB.response},
}

// decoder returns the decode func of a shape whose events type is E.
func decoder[E any](read func(*E) inbound) func([]byte) (inbound, error) {
	return func(payload []byte) (inbound, error) {
		var ev E
		if err := json.Unmarshal(payload, &ev); err != nil {
			return inbound{}, err
		}
		return read(&ev), nil
	}
}

// protect calls f and returns the value of a panic in it, or nil.
func protect(f func()) (panicked any) {
	defer func() { panicked = recover() }()
	f()
	return nil
}

// errorAnswer returns a JSON error answer as the README's "Event sources and answers" shows
// it, with ctx's Lambda request id. Nothing of the request reaches it.
func errorAnswer(ctx context.Context, status int, code, message string) answer {
	detail := map[string]string{"code": code, "message": message} // marshalled in this order
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		detail["request_id"] = lc.AwsRequestID
	}
	body, _ := json.Marshal(map[string]any{"error": detail}) // strings only: cannot fail
	return answer{status, http.Header{"Content-Type": {"application/json"}}, body}
}
