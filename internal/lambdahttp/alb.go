package lambdahttp

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// serveALB answers an ALB target group event. multiValue reports that the event carried
// multiValueHeaders, i.e. that the target group has multi-value headers turned on.
func (w *handler) serveALB(ctx context.Context, payload []byte, multiValue bool) ([]byte, error) {
	var ev events.ALBTargetGroupRequest
	var res *result
	if err := json.Unmarshal(payload, &ev); err != nil {
		res = badRequest(ctx, "invalid event")
	} else {
		res = w.serve(ctx, albInbound(&ev))
	}
	return marshal(ShapeALB, albWire(albResponse(res, multiValue)))
}

// albInbound reads the request out of an ALB event. ALB passes query parameters as the
// client sent them, still URL-encoded, so they are joined without escaping again. The
// client address is the last X-Forwarded-For entry, the one the load balancer appended.
func albInbound(ev *events.ALBTargetGroupRequest) inbound {
	header := headerFrom(ev.MultiValueHeaders, ev.Headers)
	return inbound{
		method:     ev.HTTPMethod,
		path:       ev.Path,
		rawQuery:   buildQuery(ev.MultiValueQueryStringParameters, ev.QueryStringParameters, verbatim),
		header:     header,
		host:       takeHost(header, ""),
		remoteAddr: lastForwardedFor(header),
		body:       ev.Body,
		base64:     ev.IsBase64Encoded,
	}
}

// verbatim returns s unchanged.
func verbatim(s string) string { return s }

// lastForwardedFor returns the last address in the X-Forwarded-For header, or "".
func lastForwardedFor(h http.Header) string {
	vs := h.Values("X-Forwarded-For")
	if len(vs) == 0 {
		return ""
	}
	last := vs[len(vs)-1]
	if i := strings.LastIndexByte(last, ','); i >= 0 {
		last = last[i+1:]
	}
	return strings.TrimSpace(last)
}

// albResponse converts an answer to the ALB response format. With multi-value headers on,
// every header goes in multiValueHeaders; otherwise in headers, repeated values joined
// with "," and only the first Set-Cookie kept (ALB cannot carry more without them).
func albResponse(res *result, multiValue bool) events.ALBTargetGroupResponse {
	body, isBase64 := encodeBody(res.header, res.body)
	resp := events.ALBTargetGroupResponse{
		StatusCode:        res.status,
		StatusDescription: statusDescription(res.status),
		Body:              body,
		IsBase64Encoded:   isBase64,
	}
	if multiValue {
		resp.MultiValueHeaders = multiHeaders(res.header)
		return resp
	}
	resp.Headers = joinedHeaders(res.header)
	if c := res.header.Get("Set-Cookie"); c != "" {
		resp.Headers["Set-Cookie"] = c
	}
	return resp
}

// statusDescription returns the status line text ALB wants, e.g. "200 OK".
func statusDescription(code int) string {
	return strings.TrimSpace(strconv.Itoa(code) + " " + http.StatusText(code))
}

// albWire is events.ALBTargetGroupResponse with omitempty on both header maps, so that a
// response carries only the header field the target group's multi-value setting expects
// rather than the other as null. The fields match, so the types convert into each other.
type albWire struct {
	StatusCode        int                 `json:"statusCode"`
	StatusDescription string              `json:"statusDescription"`
	Headers           map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders,omitempty"`
	Body              string              `json:"body,omitempty"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}
