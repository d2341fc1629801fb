package lambdahttp

import (
	"encoding/json"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// decodeHTTPAPI reads the request out of an HTTP API (payload 2.0) event, without the
// stage that API Gateway leaves in rawPath.
func decodeHTTPAPI(payload []byte) (inbound, error) {
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return inbound{}, err
	}
	rc := ev.RequestContext
	return v2Inbound(rc.HTTP.Method, stripStagePrefix(ev.RawPath, rc.Stage), ev.RawQueryString, ev.Headers,
		ev.Cookies, rc.DomainName, rc.HTTP.SourceIP, ev.Body, ev.IsBase64Encoded), nil
}

// decodeFunctionURL reads the request out of a Function URL event.
func decodeFunctionURL(payload []byte) (inbound, error) {
	var ev events.LambdaFunctionURLRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return inbound{}, err
	}
	rc := ev.RequestContext
	return v2Inbound(rc.HTTP.Method, ev.RawPath, ev.RawQueryString, ev.Headers,
		ev.Cookies, rc.DomainName, rc.HTTP.SourceIP, ev.Body, ev.IsBase64Encoded), nil
}

// v2Inbound makes the request of a payload 2.0 event, whose repeated headers arrive
// joined with ","; the cookies go back together into one Cookie header.
func v2Inbound(method, path, rawQuery string, headers map[string]string, cookies []string,
	domain, sourceIP, body string, isBase64 bool) inbound {
	h, host := buildHeader(nil, headers, domain)
	if len(cookies) > 0 {
		h.Set("Cookie", strings.Join(cookies, "; "))
	}
	return inbound{method, path, rawQuery, h, host, sourceIP, body, isBase64, domain}
}

// stripStagePrefix removes a named stage from the front of an HTTP API rawPath: API
// Gateway keeps "/{stage}" in rawPath for every stage but $default. "/prod/industry" with
// stage "prod" becomes "/industry", and "/prod" becomes "/".
func stripStagePrefix(rawPath, stage string) string {
	rest, ok := strings.CutPrefix(rawPath, "/"+stage)
	switch {
	case stage == "" || stage == "$default" || !ok:
	case rest == "":
		return "/"
	case rest[0] == '/':
		return rest
	}
	return rawPath
}

// httpAPIResponse returns the HTTP API response for a: repeated headers joined with ",",
// Set-Cookie values in cookies.
func httpAPIResponse(a answer) events.APIGatewayV2HTTPResponse {
	body, isBase64 := encodeBody(a)
	_, joined, _ := headerMaps(a.header)
	return events.APIGatewayV2HTTPResponse{StatusCode: a.status, Headers: joined, Body: body,
		IsBase64Encoded: isBase64, Cookies: append([]string{}, a.header.Values("Set-Cookie")...)}
}

// functionURLResponse returns the Function URL response for a, laid out as the HTTP API's.
func functionURLResponse(a answer) events.LambdaFunctionURLResponse {
	r := httpAPIResponse(a)
	return events.LambdaFunctionURLResponse{StatusCode: r.StatusCode, Headers: r.Headers, Body: r.Body,
		IsBase64Encoded: r.IsBase64Encoded, Cookies: r.Cookies}
}
