package lambdahttp

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// decodeALB reads the request out of an ALB event. ALB passes query parameters as the
// client sent them, still URL-encoded, so they are joined (sorted by name) without
// escaping again. The client address is the last X-Forwarded-For entry, the one the load
// balancer appended.
func decodeALB(payload []byte) (inbound, error) {
	var ev events.ALBTargetGroupRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return inbound{}, err
	}
	header, host := buildHeader(ev.MultiValueHeaders, ev.Headers, "")
	var query []string
	multi := values(ev.MultiValueQueryStringParameters, ev.QueryStringParameters)
	for _, k := range slices.Sorted(maps.Keys(multi)) {
		for _, v := range multi[k] {
			query = append(query, k+"="+v)
		}
	}
	forwarded := strings.Split(strings.Join(header.Values("X-Forwarded-For"), ","), ",")
	return inbound{ev.HTTPMethod, ev.Path, strings.Join(query, "&"), header, host,
		strings.TrimSpace(forwarded[len(forwarded)-1]), ev.Body, ev.IsBase64Encoded, ""}, nil
}

// albWire is events.ALBTargetGroupResponse with omitempty on both header maps, so that an
// answer carries only the one that the target group's multi-value setting asks for.
type albWire struct {
	StatusCode        int                 `json:"statusCode"`
	StatusDescription string              `json:"statusDescription"`
	Headers           map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders,omitempty"`
	Body              string              `json:"body,omitempty"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

// albResponse returns the ALB response for a. With multi-value headers on (multiValue),
// every header goes in multiValueHeaders; otherwise in headers, repeated values joined
// with "," and only the first Set-Cookie kept (ALB cannot carry more without them).
func albResponse(a answer, multiValue bool) any {
	body, isBase64 := encodeBody(a)
	w := albWire{StatusCode: a.status, StatusDescription: statusDescription(a.status), Body: body, IsBase64Encoded: isBase64}
	_, joined, multi := headerMaps(a.header)
	if multiValue {
		w.MultiValueHeaders = multi
		return w
	}
	if cookie := a.header.Get("Set-Cookie"); cookie != "" {
		joined["Set-Cookie"] = cookie
	}
	w.Headers = joined
	return w
}

// statusDescription returns the status line text ALB wants, e.g. "200 OK".
func statusDescription(code int) string {
	return strings.TrimSpace(strconv.Itoa(code) + " " + http.StatusText(code))
}
