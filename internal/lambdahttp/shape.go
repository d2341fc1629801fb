package lambdahttp

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
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

// shapeKey is the context key under which Wrap stores the Shape of the event being served.
type shapeKey struct{}

// ShapeFromContext reports the shape of the event being served. Wrap sets it for both the
// http.Handler and the DirectFunc; ok is false for a context that did not come from Wrap.
func ShapeFromContext(ctx context.Context) (Shape, bool) {
	s, ok := ctx.Value(shapeKey{}).(Shape)
	return s, ok
}

// domainKey is the context key under which Wrap stores the event's requestContext.domainName.
type domainKey struct{}

// DomainNameFromContext reports the domain name the request was sent to as AWS reports it
// in the event's requestContext.domainName (a Function URL's, an HTTP API's or a REST API's
// own domain, or its custom domain), never the Host header, which the client chooses. Wrap
// sets it for the http.Handler; ok is false for an ALB event, which has none, and for a
// context that did not come from Wrap.
func DomainNameFromContext(ctx context.Context) (string, bool) {
	d, ok := ctx.Value(domainKey{}).(string)
	return d, ok && d != ""
}

// probe holds the members that tell the shapes apart, undecoded: a wrongly typed member
// does not hide the shape, and the event is answered 400 rather than sent to DirectFunc.
type probe struct {
	Version, HTTPMethod, MultiValueHeaders, MethodARN, RouteARN json.RawMessage
	RequestContext                                              *struct {
		ELB, HTTP, DomainName, ResourcePath, Stage, APIID, ConnectionID, EventType json.RawMessage
	}
}

// detect classifies a raw Lambda payload ("present": there and not null). In order:
//   - not a JSON object, no requestContext object, or an authorizer request (methodArn or
//     routeArn present): ShapeDirect;
//   - requestContext.elb present: ShapeALB, and multiValue reports multiValueHeaders
//     present, which means the target group wants them in the answer too;
//   - version "2.0" with requestContext.http present: ShapeFunctionURL when
//     requestContext.domainName contains ".lambda-url.", else ShapeAPIGatewayHTTP;
//   - httpMethod a non-empty string, version absent or "1.0", no WebSocket member
//     (connectionId, eventType), and one of requestContext.resourcePath, stage or apiId:
//     ShapeAPIGatewayREST (HTTP API payload 1.0 included: it answers in the REST format);
//   - anything else: ShapeDirect.
func detect(payload []byte) (_ Shape, multiValue bool) {
	var p probe
	var typeErr *json.UnmarshalTypeError // not an object, or requestContext not one: rc stays nil
	if err := json.Unmarshal(payload, &p); err != nil && !errors.As(err, &typeErr) {
		return ShapeDirect, false
	}
	rc := p.RequestContext
	version, _ := str(p.Version)
	method, _ := str(p.HTTPMethod)
	switch {
	case rc == nil || present(p.MethodARN) || present(p.RouteARN):
	case present(rc.ELB):
		return ShapeALB, present(p.MultiValueHeaders)
	case version == "2.0" && present(rc.HTTP):
		if domain, _ := str(rc.DomainName); strings.Contains(domain, ".lambda-url.") {
			return ShapeFunctionURL, false
		}
		return ShapeAPIGatewayHTTP, false
	case method == "", present(p.Version) && version != "1.0", present(rc.ConnectionID), present(rc.EventType):
	case present(rc.ResourcePath) || present(rc.Stage) || present(rc.APIID):
		return ShapeAPIGatewayREST, false
	}
	return ShapeDirect, false
}

// present reports whether a raw member was in the payload with a value other than null.
func present(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }

// str decodes a raw member as a JSON string; ok is false for anything else.
func str(raw json.RawMessage) (s string, ok bool) {
	ok = len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil
	return s, ok
}
