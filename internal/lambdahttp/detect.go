package lambdahttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// probe holds the few top-level fields that tell the event shapes apart. Every field is
// kept raw so that a wrongly typed value in one field does not hide the others.
type probe struct {
	Version           json.RawMessage `json:"version"`
	HTTPMethod        json.RawMessage `json:"httpMethod"`
	MultiValueHeaders json.RawMessage `json:"multiValueHeaders"`
	MethodARN         json.RawMessage `json:"methodArn"` // API Gateway REQUEST authorizer (v1)
	RouteARN          json.RawMessage `json:"routeArn"`  // API Gateway HTTP API authorizer (v2)
	RequestContext    *contextProbe   `json:"requestContext"`
}

// contextProbe holds the requestContext fields that tell the event shapes apart.
type contextProbe struct {
	ELB          json.RawMessage `json:"elb"`
	HTTP         json.RawMessage `json:"http"`
	DomainName   json.RawMessage `json:"domainName"`
	ResourcePath json.RawMessage `json:"resourcePath"`
	Stage        json.RawMessage `json:"stage"`
	APIID        json.RawMessage `json:"apiId"`
	ConnectionID json.RawMessage `json:"connectionId"` // WebSocket API
	EventType    json.RawMessage `json:"eventType"`    // WebSocket API
}

// detection is the outcome of probing a payload.
type detection struct {
	shape Shape
	// multiValue reports that the event carried multiValueHeaders, which for an ALB target
	// group means the multi-value headers setting is on and the answer must use them too.
	multiValue bool
}

// Detect classifies a raw Lambda payload. The rules, applied in order:
//
//   - Not a JSON object (malformed JSON, null, an array, a string, a number): ShapeDirect.
//   - requestContext.elb present: ShapeALB.
//   - version "2.0" with requestContext.http present: ShapeFunctionURL when
//     requestContext.domainName contains ".lambda-url.", else ShapeAPIGatewayHTTP.
//   - httpMethod a non-empty string, version absent or "1.0", and requestContext present with
//     at least one of resourcePath, stage or apiId: ShapeAPIGatewayREST (this also covers HTTP
//     API payload format 1.0, which answers in the REST response format).
//   - Everything else: ShapeDirect. This includes WebSocket API events (requestContext
//     carries connectionId or eventType) and API Gateway authorizer requests (methodArn or
//     routeArn present), which are not HTTP requests this package can answer.
//
// Detect is safe for concurrent use.
func Detect(payload []byte) Shape {
	return detect(payload).shape
}

// detect implements Detect and also reports whether the event carried multiValueHeaders.
func detect(payload []byte) detection {
	direct := detection{shape: ShapeDirect}
	if trimmed := bytes.TrimLeft(payload, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
		return direct
	}
	var p probe
	if err := json.Unmarshal(payload, &p); err != nil {
		// A syntax error means the payload is not JSON. A type error means some probed field
		// (requestContext, say) has the wrong type; json has still filled in the others.
		var typeErr *json.UnmarshalTypeError
		if !errors.As(err, &typeErr) {
			return direct
		}
	}
	rc := p.RequestContext
	if rc == nil || present(p.MethodARN) || present(p.RouteARN) {
		return direct
	}
	version, _ := str(p.Version)
	switch {
	case present(rc.ELB):
		return detection{shape: ShapeALB, multiValue: present(p.MultiValueHeaders)}
	case version == "2.0" && present(rc.HTTP):
		if domain, _ := str(rc.DomainName); strings.Contains(domain, ".lambda-url.") {
			return detection{shape: ShapeFunctionURL}
		}
		return detection{shape: ShapeAPIGatewayHTTP}
	case isREST(p, version):
		return detection{shape: ShapeAPIGatewayREST}
	}
	return direct
}

// isREST applies the REST proxy rule of Detect.
func isREST(p probe, version string) bool {
	rc := p.RequestContext
	method, _ := str(p.HTTPMethod)
	switch {
	case method == "":
		return false
	case present(p.Version) && version != "1.0":
		return false
	case present(rc.ConnectionID) || present(rc.EventType):
		return false
	}
	return present(rc.ResourcePath) || present(rc.Stage) || present(rc.APIID)
}

// present reports whether a raw field was in the payload with a value other than null.
func present(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

// str decodes a raw field as a JSON string; ok is false for anything else.
func str(raw json.RawMessage) (s string, ok bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}
