package lambdahttp

import (
	"net/http"
	"strconv"
	"strings"
)

// albInbound reads the request out of an ALB event. ALB passes query parameters as the
// client sent them, still URL-encoded, so they are joined without escaping again. The
// client address is the last X-Forwarded-For entry, the one the load balancer appended.
func (ev *event) albInbound() (inbound, bool) {
	r := fieldReader{ev: ev, ok: !ev.ctxTypeError}
	header, host := r.header("")
	in := inbound{
		method:     r.str(ev.httpMethod),
		path:       r.str(ev.path),
		rawQuery:   r.query(verbatim),
		header:     header,
		host:       host,
		remoteAddr: lastForwardedFor(header),
		body:       r.str(ev.body),
		base64:     r.bool(ev.isBase64Encoded),
	}
	return in, r.ok
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

// appendALB appends the ALB response for res. With multi-value headers on (multiValue),
// every header goes in multiValueHeaders; otherwise in headers, repeated values joined
// with "," and only the first Set-Cookie kept (ALB cannot carry more without them). Either
// is left out when empty, as is an empty body. names is sortedNames(res.header).
func appendALB(dst []byte, res result, names []string, multiValue bool) []byte {
	dst = appendStatus(dst, res.status)
	dst = append(dst, `,"statusDescription":"`...)
	dst = strconv.AppendInt(dst, int64(res.status), 10)
	if text := http.StatusText(res.status); text != "" {
		dst = append(dst, ' ')
		dst = appendEscaped(dst, text)
	}
	dst = append(dst, '"')
	mark, n := len(dst), 0
	if multiValue {
		dst, n = appendMultiHeaders(dst, "multiValueHeaders", res.header, names)
	} else {
		dst, n = appendHeaders(dst, "headers", res.header, names, joinedFirstCookie)
	}
	if n == 0 { // omitempty
		dst = dst[:mark]
	}
	isBase64 := false
	if len(res.body) > 0 { // omitempty
		dst = append(dst, `,"body":`...)
		dst, isBase64 = appendBody(dst, res.header, res.body)
	}
	dst = appendBool(dst, "isBase64Encoded", isBase64)
	return append(dst, '}')
}

// statusDescription returns the status line text ALB wants, e.g. "200 OK".
func statusDescription(code int) string {
	return strings.TrimSpace(strconv.Itoa(code) + " " + http.StatusText(code))
}
