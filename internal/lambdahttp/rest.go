package lambdahttp

import (
	"context"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// serveREST answers an API Gateway REST proxy event (payload format 1.0).
func (w *handler) serveREST(ctx context.Context, payload []byte) ([]byte, error) {
	var ev events.APIGatewayProxyRequest
	var res *result
	if err := json.Unmarshal(payload, &ev); err != nil {
		res = badRequest(ctx, "invalid event")
	} else {
		res = w.serve(ctx, restInbound(&ev))
	}
	return marshal(ShapeAPIGatewayREST, restResponse(res))
}

// restInbound reads the request out of a REST event. The path is `path` (API Gateway leaves
// the stage out of it); the query is rebuilt from multiValueQueryStringParameters, or
// queryStringParameters when that is absent, escaping the values API Gateway decoded.
func restInbound(ev *events.APIGatewayProxyRequest) inbound {
	header := headerFrom(ev.MultiValueHeaders, ev.Headers)
	return inbound{
		method:     ev.HTTPMethod,
		path:       ev.Path,
		rawQuery:   buildQuery(ev.MultiValueQueryStringParameters, ev.QueryStringParameters, url.QueryEscape),
		header:     header,
		host:       takeHost(header, ev.RequestContext.DomainName),
		remoteAddr: ev.RequestContext.Identity.SourceIP,
		body:       ev.Body,
		base64:     ev.IsBase64Encoded,
	}
}

// restResponse converts an answer to the REST proxy response format. headers carries the
// first value of each name and multiValueHeaders all of them; API Gateway merges the two,
// and a pair present in both appears once.
func restResponse(res *result) events.APIGatewayProxyResponse {
	body, isBase64 := encodeBody(res.header, res.body)
	single := make(map[string]string, len(res.header))
	for k, vs := range res.header {
		if len(vs) > 0 {
			single[k] = vs[0]
		}
	}
	return events.APIGatewayProxyResponse{
		StatusCode:        res.status,
		Headers:           single,
		MultiValueHeaders: multiHeaders(res.header),
		Body:              body,
		IsBase64Encoded:   isBase64,
	}
}

// buildQuery rebuilds a raw query string from an event's query parameters: the multi-value
// map when it is non-empty, else the single-value map. Names are sorted so the result is
// stable; escape is applied to names and values.
func buildQuery(multi map[string][]string, single map[string]string, escape func(string) string) string {
	var b strings.Builder
	add := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(escape(k))
		b.WriteByte('=')
		b.WriteString(escape(v))
	}
	if len(multi) > 0 {
		for _, k := range slices.Sorted(maps.Keys(multi)) {
			for _, v := range multi[k] {
				add(k, v)
			}
		}
		return b.String()
	}
	for _, k := range slices.Sorted(maps.Keys(single)) {
		add(k, single[k])
	}
	return b.String()
}
