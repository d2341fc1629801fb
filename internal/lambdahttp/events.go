package lambdahttp

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// inbound is an HTTP request as read from an event, before it becomes an *http.Request.
type inbound struct {
	method, path, rawQuery string // path still escaped; rawQuery escaped, without "?"
	header                 http.Header
	host, remoteAddr, body string
	base64                 bool     // body is base64-encoded
	domain                 string   // requestContext.domainName, as AWS sets it; "" for ALB
	cookies                []string // payload 2.0 cookies, which go back into one Cookie header
}

// readREST reads a REST proxy event: multi-value maps first, the query escaped again.
func readREST(ev *events.APIGatewayProxyRequest) inbound {
	rc := ev.RequestContext
	header, host := buildHeader(ev.MultiValueHeaders, ev.Headers, rc.DomainName)
	query := url.Values(values(ev.MultiValueQueryStringParameters, ev.QueryStringParameters)).Encode()
	return inbound{ev.HTTPMethod, restPath(ev.Resource, ev.PathParameters, ev.Path), query,
		header, host, rc.Identity.SourceIP, ev.Body, ev.IsBase64Encoded, rc.DomainName, nil}
}

// restPath returns the resource API Gateway matched, each {name} or greedy {name+} segment
// replaced by its path parameter, so that a custom domain's base path mapping (path
// "/v1/industry", resource "/industry") does not reach the handler; else path, which has
// no stage. Segments are split by hand, not by a regexp: compiling one would cost every
// cold start.
func restPath(resource string, params map[string]string, path string) string {
	if !strings.HasPrefix(resource, "/") {
		return path
	}
	segs := strings.Split(resource, "/")
	for i, seg := range segs {
		if len(seg) < 3 || seg[0] != '{' || seg[len(seg)-1] != '}' {
			continue
		}
		v, ok := params[strings.TrimSuffix(seg[1:len(seg)-1], "+")]
		if !ok {
			return path
		}
		segs[i] = v
	}
	return strings.Join(segs, "/")
}

// readHTTPAPI reads an HTTP API (payload 2.0) event, without the stage that API Gateway
// leaves in rawPath for all but $default: "/prod/industry" is "/industry", "/prod" is "/".
func readHTTPAPI(ev *events.APIGatewayV2HTTPRequest) inbound {
	rc := ev.RequestContext
	path := ev.RawPath
	if rest, ok := strings.CutPrefix(path, "/"+rc.Stage); ok && rc.Stage != "" && rc.Stage != "$default" &&
		(rest == "" || rest[0] == '/') {
		path = cmp.Or(rest, "/")
	}
	header, host := buildHeader(nil, ev.Headers, rc.DomainName)
	return inbound{rc.HTTP.Method, path, ev.RawQueryString, header, host,
		rc.HTTP.SourceIP, ev.Body, ev.IsBase64Encoded, rc.DomainName, ev.Cookies}
}

// readFunctionURL reads a Function URL event, which has the HTTP API's layout.
func readFunctionURL(ev *events.LambdaFunctionURLRequest) inbound {
	rc := ev.RequestContext
	header, host := buildHeader(nil, ev.Headers, rc.DomainName)
	return inbound{rc.HTTP.Method, ev.RawPath, ev.RawQueryString, header, host,
		rc.HTTP.SourceIP, ev.Body, ev.IsBase64Encoded, rc.DomainName, ev.Cookies}
}

// readALB reads an ALB event. Its query is as sent, still escaped: Encode sorts it and
// QueryUnescape undoes Encode's escaping only. The client is the last X-Forwarded-For entry.
func readALB(ev *events.ALBTargetGroupRequest) inbound {
	header, host := buildHeader(ev.MultiValueHeaders, ev.Headers, "")
	query, _ := url.QueryUnescape(url.Values(values(ev.MultiValueQueryStringParameters, ev.QueryStringParameters)).Encode())
	forwarded := strings.Split(strings.Join(header.Values("X-Forwarded-For"), ","), ",")
	return inbound{ev.HTTPMethod, ev.Path, query, header, host,
		strings.TrimSpace(forwarded[len(forwarded)-1]), ev.Body, ev.IsBase64Encoded, "", nil}
}

// buildHeader makes a request header from an event's maps (see values), names merged in
// sorted order; Host is returned as host (or fallback) and left out, as servers do.
func buildHeader(multi map[string][]string, single map[string]string, fallback string) (h http.Header, host string) {
	multi = values(multi, single)
	h = make(http.Header, len(multi))
	for _, k := range slices.Sorted(maps.Keys(multi)) {
		for _, v := range multi[k] {
			h.Add(k, v)
		}
	}
	host = cmp.Or(h.Get("Host"), fallback)
	h.Del("Host")
	return h, host
}

// values returns an event's multi-value map when it has any names, else its single-value one.
func values(multi map[string][]string, single map[string]string) map[string][]string {
	if len(multi) > 0 {
		return multi
	}
	multi = make(map[string][]string, len(single))
	for k, v := range single {
		multi[k] = []string{v}
	}
	return multi
}

// newRequest turns in (decoded with decodeErr) into a server request bound to ctx, its URL
// read as a request line ("//host/x" stays a path), or returns the 400 or 413 answer.
func newRequest(ctx context.Context, in inbound, decodeErr error) (*http.Request, answer) {
	body, bodyErr := []byte(in.body), error(nil)
	if in.base64 {
		body, bodyErr = base64.StdEncoding.DecodeString(in.body)
	}
	target := in.path
	if in.rawQuery != "" {
		target += "?" + in.rawQuery
	}
	u, pathErr := url.ParseRequestURI(target)
	r, methodErr := http.NewRequestWithContext(context.WithValue(ctx, domainKey{}, in.domain), in.method, "/", bytes.NewReader(body))
	status, message := http.StatusBadRequest, ""
	switch {
	case decodeErr != nil:
		message = "invalid event"
	case bodyErr != nil:
		message = "request body is not valid base64"
	case len(body) > MaxBodyBytes:
		status, message = http.StatusRequestEntityTooLarge, "request body too large"
	case in.method == "": // http.NewRequest would take it for GET
		message = "invalid request method"
	case pathErr != nil || !strings.HasPrefix(in.path, "/"):
		message = "invalid request path"
	case methodErr != nil:
		message = "invalid request method"
	default:
		r.URL, r.RequestURI, r.Header, r.Host, r.RemoteAddr = u, target, in.header, in.host, in.remoteAddr
		if len(in.cookies) > 0 {
			r.Header.Set("Cookie", strings.Join(in.cookies, "; "))
		}
		return r, answer{}
	}
	return nil, errorAnswer(ctx, status, "invalid_request", message)
}

// response returns a in the events response type of s: the body as is if UTF-8 text (see
// isText), else base64; names without values left out. REST: headers has each name's first
// value, multiValueHeaders all (API Gateway merges them). Payload 2.0: values joined with ","
// (RFC 9110 section 5.3), Set-Cookie in cookies. ALB: all in multiValueHeaders if the target
// group has them on (multiValue), else joined in headers with the first Set-Cookie only.
func (s Shape) response(a answer, multiValue bool) any {
	body, isBase64 := string(a.body), len(a.body) > 0 && !(isText(a.header.Get("Content-Type")) && utf8.Valid(a.body))
	if isBase64 {
		body = base64.StdEncoding.EncodeToString(a.body)
	}
	first, joined, multi := map[string]string{}, map[string]string{}, map[string][]string{}
	for k, vs := range a.header {
		if len(vs) > 0 {
			first[k], joined[k], multi[k] = vs[0], strings.Join(vs, ","), vs
		}
	}
	delete(joined, "Set-Cookie")
	cookies := append([]string{}, a.header.Values("Set-Cookie")...)
	switch s {
	case ShapeAPIGatewayREST:
		return events.APIGatewayProxyResponse{StatusCode: a.status, Headers: first, MultiValueHeaders: multi, Body: body, IsBase64Encoded: isBase64}
	case ShapeAPIGatewayHTTP:
		return events.APIGatewayV2HTTPResponse{StatusCode: a.status, Headers: joined, Body: body, IsBase64Encoded: isBase64, Cookies: cookies}
	case ShapeFunctionURL:
		return events.LambdaFunctionURLResponse{StatusCode: a.status, Headers: joined, Body: body, IsBase64Encoded: isBase64, Cookies: cookies}
	}
	w := albWire{StatusCode: a.status, StatusDescription: statusDescription(a.status), Headers: joined, Body: body, IsBase64Encoded: isBase64}
	if multiValue {
		w.Headers, w.MultiValueHeaders = nil, multi
	} else if c := a.header.Get("Set-Cookie"); c != "" {
		joined["Set-Cookie"] = c
	}
	return w
}

// isText reports whether a Content-Type names a textual media type.
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml") ||
		slices.Contains([]string{"application/json", "application/xml", "application/javascript", "application/x-www-form-urlencoded"}, mt))
}

// albWire is events.ALBTargetGroupResponse with omitempty on the header maps: ALB wants one.
type albWire struct {
	StatusCode        int                 `json:"statusCode"`
	StatusDescription string              `json:"statusDescription"`
	Headers           map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders,omitempty"`
	Body              string              `json:"body,omitempty"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

// statusDescription returns the status line text ALB wants, e.g. "200 OK".
func statusDescription(code int) string {
	return strings.TrimSpace(strconv.Itoa(code) + " " + http.StatusText(code))
}
