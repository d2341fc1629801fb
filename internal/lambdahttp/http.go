package lambdahttp

import (
	"strings"
)

// v2Inbound reads the request out of a payload 2.0 event: an HTTP API event when stripStage
// is true, else a Function URL event. Repeated headers arrive joined with ","; the cookies
// come back together as one Cookie header.
func (ev *event) v2Inbound(stripStage bool) (inbound, bool) {
	r := fieldReader{ev: ev, ok: !ev.ctxTypeError && !ev.httpTypeError}
	var buf [32]field
	fields, ok := ev.fields(buf[:0], ev.headers, false)
	r.ok = r.ok && ok
	header, host := buildHeader(fields, r.str(ev.ctx.domainName))
	if cookie, n := r.cookie(ev.cookies); n > 0 {
		header.Set("Cookie", cookie)
	}
	path := r.str(ev.rawPath)
	if stripStage {
		path = stripStagePrefix(path, r.str(ev.ctx.stage))
	}
	in := inbound{
		method:     r.str(ev.ctx.httpMethod),
		path:       path,
		rawQuery:   r.str(ev.rawQueryString),
		header:     header,
		host:       host,
		remoteAddr: r.str(ev.ctx.httpSourceIP),
		body:       r.str(ev.body),
		base64:     r.bool(ev.isBase64Encoded),
	}
	return in, r.ok
}

// cookie joins the n cookies at sp, a JSON array of strings, into a Cookie header value.
func (r *fieldReader) cookie(sp span) (_ string, n int) {
	a, ok := r.ev.array(sp)
	r.ok = r.ok && ok
	var cookie strings.Builder
	for more := a.enter('[', ']'); more; more = a.next(']') {
		if n > 0 {
			cookie.WriteString("; ")
		}
		cookie.WriteString(r.str(a.value()))
		n++
	}
	return cookie.String(), n
}

// stripStagePrefix removes a named stage from the front of an HTTP API rawPath: API
// Gateway keeps "/{stage}" in rawPath for every stage but $default. "/prod/industry" with
// stage "prod" becomes "/industry", and "/prod" becomes "/".
func stripStagePrefix(rawPath, stage string) string {
	if stage == "" || stage == "$default" {
		return rawPath
	}
	rest, ok := strings.CutPrefix(rawPath, "/"+stage)
	switch {
	case !ok:
		return rawPath
	case rest == "":
		return "/"
	case rest[0] == '/':
		return rest
	}
	return rawPath
}

// appendHTTPAPI appends the HTTP API (payload 2.0) response for res: repeated headers
// joined with ",", Set-Cookie values in cookies. names is sortedNames(res.header).
func appendHTTPAPI(dst []byte, res result, names []string) []byte {
	dst = appendStatus(dst, res.status)
	dst, _ = appendHeaders(dst, "headers", res.header, names, joinedValues)
	dst = append(dst, `,"multiValueHeaders":null,"body":`...)
	dst, isBase64 := appendBody(dst, res.header, res.body)
	if isBase64 { // omitempty
		dst = appendBool(dst, "isBase64Encoded", true)
	}
	dst = append(dst, `,"cookies":`...)
	dst = appendStrings(dst, res.header.Values("Set-Cookie"))
	return append(dst, '}')
}

// appendFunctionURL appends the Function URL response for res, laid out as the HTTP API's
// but without multiValueHeaders and with isBase64Encoded always present.
func appendFunctionURL(dst []byte, res result, names []string) []byte {
	dst = appendStatus(dst, res.status)
	dst, _ = appendHeaders(dst, "headers", res.header, names, joinedValues)
	dst = append(dst, `,"body":`...)
	dst, isBase64 := appendBody(dst, res.header, res.body)
	dst = appendBool(dst, "isBase64Encoded", isBase64)
	dst = append(dst, `,"cookies":`...)
	dst = appendStrings(dst, res.header.Values("Set-Cookie"))
	return append(dst, '}')
}
