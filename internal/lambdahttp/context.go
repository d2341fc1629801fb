package lambdahttp

import "context"

// Shape names the recognised event source; it is used in logs under the key "event_shape".
type Shape string

// The event shapes Detect recognises.
const (
	ShapeAPIGatewayREST Shape = "apigw-rest"   // API Gateway REST API, proxy integration v1
	ShapeAPIGatewayHTTP Shape = "apigw-http"   // API Gateway HTTP API, payload format 2.0
	ShapeFunctionURL    Shape = "function-url" // Lambda Function URL (2.0 payload, domain *.lambda-url.*)
	ShapeALB            Shape = "alb"          // ALB target group
	ShapeDirect         Shape = "direct"       // anything else (Lambda-to-Lambda, Step Functions)
)

// shapeKey is the context key under which Wrap stores the Shape of the event being served.
type shapeKey struct{}

// withShape returns a copy of ctx that carries s.
func withShape(ctx context.Context, s Shape) context.Context {
	var v any // set from constants, so that the interface value needs no allocation
	switch s {
	case ShapeAPIGatewayREST:
		v = ShapeAPIGatewayREST
	case ShapeAPIGatewayHTTP:
		v = ShapeAPIGatewayHTTP
	case ShapeFunctionURL:
		v = ShapeFunctionURL
	case ShapeALB:
		v = ShapeALB
	default:
		v = ShapeDirect
	}
	return context.WithValue(ctx, shapeKey{}, v)
}

// ShapeFromContext reports the shape of the event being served. Wrap sets it for both the
// http.Handler and the DirectFunc; ok is false for a context that did not come from Wrap.
func ShapeFromContext(ctx context.Context) (Shape, bool) {
	s, ok := ctx.Value(shapeKey{}).(Shape)
	return s, ok
}
