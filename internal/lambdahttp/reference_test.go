package lambdahttp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// This file keeps the adapter's first implementation, built on encoding/json and the
// aws-lambda-go events types, as a reference: decode_test.go checks that the one-pass
// reader in event.go detects and reads events as it did, and response_encode_test.go that
// the hand-written responses match json.Marshal of the events response types.

// refProbe holds the few top-level fields that tell the event shapes apart.
type refProbe struct {
	Version           json.RawMessage  `json:"version"`
	HTTPMethod        json.RawMessage  `json:"httpMethod"`
	MultiValueHeaders json.RawMessage  `json:"multiValueHeaders"`
	MethodARN         json.RawMessage  `json:"methodArn"`
	RouteARN          json.RawMessage  `json:"routeArn"`
	RequestContext    *refContextProbe `json:"requestContext"`
}

// refContextProbe holds the requestContext fields that tell the event shapes apart.
type refContextProbe struct {
	ELB          json.RawMessage `json:"elb"`
	HTTP         json.RawMessage `json:"http"`
	DomainName   json.RawMessage `json:"domainName"`
	ResourcePath json.RawMessage `json:"resourcePath"`
	Stage        json.RawMessage `json:"stage"`
	APIID        json.RawMessage `json:"apiId"`
	ConnectionID json.RawMessage `json:"connectionId"`
	EventType    json.RawMessage `json:"eventType"`
}

// refDetect is the first implementation of detect.
func refDetect(payload []byte) detection {
	direct := detection{shape: ShapeDirect}
	if trimmed := bytes.TrimLeft(payload, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
		return direct
	}
	var p refProbe
	if err := json.Unmarshal(payload, &p); err != nil {
		var typeErr *json.UnmarshalTypeError
		if !errors.As(err, &typeErr) {
			return direct
		}
	}
	rc := p.RequestContext
	if rc == nil || refPresent(p.MethodARN) || refPresent(p.RouteARN) {
		return direct
	}
	version, _ := refStr(p.Version)
	switch {
	case refPresent(rc.ELB):
		return detection{shape: ShapeALB, multiValue: refPresent(p.MultiValueHeaders)}
	case version == "2.0" && refPresent(rc.HTTP):
		if domain, _ := refStr(rc.DomainName); strings.Contains(domain, ".lambda-url.") {
			return detection{shape: ShapeFunctionURL}
		}
		return detection{shape: ShapeAPIGatewayHTTP}
	}
	method, _ := refStr(p.HTTPMethod)
	switch {
	case method == "":
		return direct
	case refPresent(p.Version) && version != "1.0":
		return direct
	case refPresent(rc.ConnectionID) || refPresent(rc.EventType):
		return direct
	case refPresent(rc.ResourcePath) || refPresent(rc.Stage) || refPresent(rc.APIID):
		return detection{shape: ShapeAPIGatewayREST}
	}
	return direct
}

// refPresent reports whether a raw field was in the payload with a value other than null.
func refPresent(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

// refStr decodes a raw field as a JSON string; ok is false for anything else.
func refStr(raw json.RawMessage) (s string, ok bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// refInbound is the first implementation's request reader for an event of an HTTP shape:
// decode into the events type, then read the request out of it. ok is false when the
// events type does not decode.
func refInbound(shape Shape, payload []byte) (in inbound, ok bool) {
	switch shape {
	case ShapeAPIGatewayREST:
		var ev events.APIGatewayProxyRequest
		if json.Unmarshal(payload, &ev) != nil {
			return in, false
		}
		h := refHeader(ev.MultiValueHeaders, ev.Headers)
		return inbound{ev.HTTPMethod, ev.Path, refQuery(ev.MultiValueQueryStringParameters, ev.QueryStringParameters, url.QueryEscape),
			h, refTakeHost(h, ev.RequestContext.DomainName), ev.RequestContext.Identity.SourceIP, ev.Body, ev.IsBase64Encoded}, true
	case ShapeALB:
		var ev events.ALBTargetGroupRequest
		if json.Unmarshal(payload, &ev) != nil {
			return in, false
		}
		h := refHeader(ev.MultiValueHeaders, ev.Headers)
		return inbound{ev.HTTPMethod, ev.Path, refQuery(ev.MultiValueQueryStringParameters, ev.QueryStringParameters, verbatim),
			h, refTakeHost(h, ""), lastForwardedFor(h), ev.Body, ev.IsBase64Encoded}, true
	case ShapeAPIGatewayHTTP:
		var ev events.APIGatewayV2HTTPRequest
		if json.Unmarshal(payload, &ev) != nil {
			return in, false
		}
		rc := ev.RequestContext
		return refV2(rc.HTTP.Method, stripStagePrefix(ev.RawPath, rc.Stage), ev.RawQueryString, ev.Headers, ev.Cookies,
			rc.DomainName, rc.HTTP.SourceIP, ev.Body, ev.IsBase64Encoded), true
	case ShapeFunctionURL:
		var ev events.LambdaFunctionURLRequest
		if json.Unmarshal(payload, &ev) != nil {
			return in, false
		}
		rc := ev.RequestContext
		return refV2(rc.HTTP.Method, ev.RawPath, ev.RawQueryString, ev.Headers, ev.Cookies,
			rc.DomainName, rc.HTTP.SourceIP, ev.Body, ev.IsBase64Encoded), true
	}
	return in, false
}

// refV2 reads the request out of a payload 2.0 event's fields.
func refV2(method, path, rawQuery string, headers map[string]string, cookies []string, domain, sourceIP, body string, isBase64 bool) inbound {
	h := refHeader(nil, headers)
	if len(cookies) > 0 {
		h.Set("Cookie", strings.Join(cookies, "; "))
	}
	return inbound{method, path, rawQuery, h, refTakeHost(h, domain), sourceIP, body, isBase64}
}

// refHeader builds a canonical http.Header from multi when it has any names, else single.
func refHeader(multi map[string][]string, single map[string]string) http.Header {
	h := make(http.Header)
	if len(multi) > 0 {
		for k, vs := range multi {
			for _, v := range vs {
				h.Add(k, v)
			}
		}
		return h
	}
	for k, v := range single {
		h.Add(k, v)
	}
	return h
}

// refTakeHost removes the Host header from h and returns its value, or fallback.
func refTakeHost(h http.Header, fallback string) string {
	host := h.Get("Host")
	h.Del("Host")
	if host == "" {
		return fallback
	}
	return host
}

// refQuery rebuilds a raw query from multi when it has any names, else single, by name.
func refQuery(multi map[string][]string, single map[string]string, escape func(string) string) string {
	var pairs []string
	if len(multi) > 0 {
		for _, k := range slices.Sorted(maps.Keys(multi)) {
			for _, v := range multi[k] {
				pairs = append(pairs, escape(k)+"="+escape(v))
			}
		}
		return strings.Join(pairs, "&")
	}
	for _, k := range slices.Sorted(maps.Keys(single)) {
		pairs = append(pairs, escape(k)+"="+escape(single[k]))
	}
	return strings.Join(pairs, "&")
}

// refResponse is the first implementation's response for res in the given shape: the
// events response type (or albWire) filled in and encoded by json.Marshal.
func refResponse(shape Shape, res result, multiValue bool) ([]byte, error) {
	body, isBase64 := refBody(res.header, res.body)
	switch shape {
	case ShapeAPIGatewayREST:
		single := make(map[string]string, len(res.header))
		for k, vs := range res.header {
			if len(vs) > 0 {
				single[k] = vs[0]
			}
		}
		return json.Marshal(events.APIGatewayProxyResponse{StatusCode: res.status, Headers: single,
			MultiValueHeaders: refMultiHeaders(res.header), Body: body, IsBase64Encoded: isBase64})
	case ShapeAPIGatewayHTTP:
		return json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: res.status, Headers: refJoinedHeaders(res.header),
			Body: body, IsBase64Encoded: isBase64, Cookies: append([]string{}, res.header.Values("Set-Cookie")...)})
	case ShapeFunctionURL:
		return json.Marshal(events.LambdaFunctionURLResponse{StatusCode: res.status, Headers: refJoinedHeaders(res.header),
			Body: body, IsBase64Encoded: isBase64, Cookies: append([]string{}, res.header.Values("Set-Cookie")...)})
	}
	resp := refALBWire{StatusCode: res.status, StatusDescription: statusDescription(res.status), Body: body, IsBase64Encoded: isBase64}
	if multiValue {
		resp.MultiValueHeaders = refMultiHeaders(res.header)
	} else {
		resp.Headers = refJoinedHeaders(res.header)
		if c := res.header.Get("Set-Cookie"); c != "" {
			resp.Headers["Set-Cookie"] = c
		}
	}
	return json.Marshal(resp)
}

// refALBWire is events.ALBTargetGroupResponse with omitempty on both header maps.
type refALBWire struct {
	StatusCode        int                 `json:"statusCode"`
	StatusDescription string              `json:"statusDescription"`
	Headers           map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders,omitempty"`
	Body              string              `json:"body,omitempty"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

// refBody returns the body as the string a response carries, and whether it is base64.
func refBody(h http.Header, body []byte) (string, bool) {
	if len(body) == 0 {
		return "", false
	}
	if isText(h.Get("Content-Type")) && utf8.Valid(body) {
		return string(body), false
	}
	return base64.StdEncoding.EncodeToString(body), true
}

// refJoinedHeaders flattens h, joining repeated values with "," and leaving out Set-Cookie.
func refJoinedHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		if len(vs) == 0 || k == "Set-Cookie" {
			continue
		}
		out[k] = strings.Join(vs, ",")
	}
	return out
}

// refMultiHeaders copies h, leaving out names with no values.
func refMultiHeaders(h http.Header) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		if len(vs) > 0 {
			out[k] = append([]string(nil), vs...)
		}
	}
	return out
}
