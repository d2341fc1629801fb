package lambdahttp

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// decodeREST reads the request out of a REST proxy event: the path from restPath, the
// header and query from their multi-value maps (else the single-value ones), the query
// sorted by name and escaping again what API Gateway decoded.
func decodeREST(payload []byte) (inbound, error) {
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return inbound{}, err
	}
	rc := ev.RequestContext
	header, host := buildHeader(ev.MultiValueHeaders, ev.Headers, rc.DomainName)
	query := url.Values(values(ev.MultiValueQueryStringParameters, ev.QueryStringParameters)).Encode()
	return inbound{ev.HTTPMethod, restPath(ev.Resource, ev.PathParameters, ev.Path), query,
		header, host, rc.Identity.SourceIP, ev.Body, ev.IsBase64Encoded, rc.DomainName}, nil
}

// pathParam matches a path parameter in a REST resource: {name} or greedy {name+}.
var pathParam = regexp.MustCompile(`\{[^{}]+\}`)

// restPath returns the path a REST event is routed on: the resource API Gateway matched,
// each {name} and {name+} replaced by its path parameter, so that a custom domain's base
// path mapping (path "/v1/industry", resource "/industry") does not reach the handler. It
// is path (which has no stage) when there is no resource or a parameter is missing.
func restPath(resource string, params map[string]string, path string) string {
	missing := !strings.HasPrefix(resource, "/")
	routed := pathParam.ReplaceAllStringFunc(resource, func(p string) string {
		v, ok := params[strings.TrimSuffix(p[1:len(p)-1], "+")]
		missing = missing || !ok
		return v
	})
	if missing {
		return path
	}
	return routed
}

// restResponse returns the REST proxy response for a: headers carries the first value of
// each name and multiValueHeaders all of them (API Gateway merges the two).
func restResponse(a answer) events.APIGatewayProxyResponse {
	body, isBase64 := encodeBody(a)
	first, _, multi := headerMaps(a.header)
	return events.APIGatewayProxyResponse{StatusCode: a.status, Headers: first, MultiValueHeaders: multi,
		Body: body, IsBase64Encoded: isBase64}
}
