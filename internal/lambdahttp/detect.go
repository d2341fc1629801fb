package lambdahttp

import "strings"

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
	ev, ok := decodeEvent(payload)
	if !ok {
		return detection{shape: ShapeDirect}
	}
	return ev.detect()
}

// detect applies the rules of Detect to a decoded event.
func (ev *event) detect() detection {
	direct := detection{shape: ShapeDirect}
	rc, data := &ev.ctx, ev.data
	if ev.methodARN.present(data) || ev.routeARN.present(data) {
		return direct
	}
	version, _ := ev.str(ev.version)
	switch {
	case rc.elb.present(data):
		return detection{shape: ShapeALB, multiValue: ev.multiValueHeaders.present(data)}
	case version == "2.0" && rc.http.present(data):
		if domain, _ := ev.str(rc.domainName); strings.Contains(domain, ".lambda-url.") {
			return detection{shape: ShapeFunctionURL}
		}
		return detection{shape: ShapeAPIGatewayHTTP}
	case ev.isREST(version):
		return detection{shape: ShapeAPIGatewayREST}
	}
	return direct
}

// isREST applies the REST proxy rule of Detect.
func (ev *event) isREST(version string) bool {
	rc, data := &ev.ctx, ev.data
	method, _ := ev.str(ev.httpMethod)
	switch {
	case method == "":
		return false
	case ev.version.present(data) && version != "1.0":
		return false
	case rc.connectionID.present(data) || rc.eventType.present(data):
		return false
	}
	return rc.resourcePath.present(data) || rc.stage.present(data) || rc.apiID.present(data)
}
