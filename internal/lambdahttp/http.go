package lambdahttp

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// serveHTTPAPI answers an API Gateway HTTP API event (payload format 2.0).
func (w *handler) serveHTTPAPI(ctx context.Context, payload []byte) ([]byte, error) {
	var ev events.APIGatewayV2HTTPRequest
	var res *result
	if err := json.Unmarshal(payload, &ev); err != nil {
		res = badRequest(ctx, "invalid event")
	} else {
		rc := ev.RequestContext
		res = w.serve(ctx, v2Inbound(v2Event{
			method:   rc.HTTP.Method,
			path:     stripStage(ev.RawPath, rc.Stage),
			rawQuery: ev.RawQueryString,
			headers:  ev.Headers,
			cookies:  ev.Cookies,
			domain:   rc.DomainName,
			sourceIP: rc.HTTP.SourceIP,
			body:     ev.Body,
			isBase64: ev.IsBase64Encoded,
		}))
	}
	r := v2Response(res)
	return marshal(ShapeAPIGatewayHTTP, events.APIGatewayV2HTTPResponse{
		StatusCode:      r.status,
		Headers:         r.headers,
		Body:            r.body,
		IsBase64Encoded: r.isBase64,
		Cookies:         r.cookies,
	})
}

// serveFunctionURL answers a Lambda Function URL event (buffered invoke mode).
func (w *handler) serveFunctionURL(ctx context.Context, payload []byte) ([]byte, error) {
	var ev events.LambdaFunctionURLRequest
	var res *result
	if err := json.Unmarshal(payload, &ev); err != nil {
		res = badRequest(ctx, "invalid event")
	} else {
		rc := ev.RequestContext
		res = w.serve(ctx, v2Inbound(v2Event{
			method:   rc.HTTP.Method,
			path:     ev.RawPath,
			rawQuery: ev.RawQueryString,
			headers:  ev.Headers,
			cookies:  ev.Cookies,
			domain:   rc.DomainName,
			sourceIP: rc.HTTP.SourceIP,
			body:     ev.Body,
			isBase64: ev.IsBase64Encoded,
		}))
	}
	r := v2Response(res)
	return marshal(ShapeFunctionURL, events.LambdaFunctionURLResponse{
		StatusCode:      r.status,
		Headers:         r.headers,
		Body:            r.body,
		IsBase64Encoded: r.isBase64,
		Cookies:         r.cookies,
	})
}

// v2Event holds the request fields that HTTP API and Function URL events share.
type v2Event struct {
	method, path, rawQuery string
	headers                map[string]string // values of repeated headers already joined with ","
	cookies                []string          // Cookie header split on ";"
	domain, sourceIP       string
	body                   string
	isBase64               bool
}

// v2Inbound reads the request out of a payload 2.0 event. The cookies come back together
// as one Cookie header.
func v2Inbound(ev v2Event) inbound {
	header := headerFrom(nil, ev.headers)
	if len(ev.cookies) > 0 {
		header.Set("Cookie", strings.Join(ev.cookies, "; "))
	}
	return inbound{
		method:     ev.method,
		path:       ev.path,
		rawQuery:   ev.rawQuery,
		header:     header,
		host:       takeHost(header, ev.domain),
		remoteAddr: ev.sourceIP,
		body:       ev.body,
		base64:     ev.isBase64,
	}
}

// stripStage removes a named stage from the front of an HTTP API rawPath: API Gateway keeps
// "/{stage}" in rawPath for every stage but $default. "/prod/industry" with stage "prod"
// becomes "/industry", and "/prod" becomes "/".
func stripStage(rawPath, stage string) string {
	if stage == "" || stage == "$default" {
		return rawPath
	}
	prefix := "/" + stage
	switch {
	case rawPath == prefix:
		return "/"
	case strings.HasPrefix(rawPath, prefix+"/"):
		return rawPath[len(prefix):]
	}
	return rawPath
}

// v2Answer is an answer in payload 2.0 terms, shared by both 2.0 response types.
type v2Answer struct {
	status   int
	headers  map[string]string
	body     string
	isBase64 bool
	cookies  []string
}

// v2Response converts an answer to payload format 2.0: repeated headers joined with ",",
// Set-Cookie values moved to cookies.
func v2Response(res *result) v2Answer {
	body, isBase64 := encodeBody(res.header, res.body)
	cookies := res.header.Values("Set-Cookie")
	return v2Answer{
		status:   res.status,
		headers:  joinedHeaders(res.header),
		body:     body,
		isBase64: isBase64,
		cookies:  append([]string{}, cookies...),
	}
}
