package lambdahttp

import (
	"net/http"
	"net/url"
)

// restInbound reads the request out of a REST event. The path is `path` (API Gateway leaves
// the stage out of it); the query is rebuilt from multiValueQueryStringParameters, or
// queryStringParameters when that has none, escaping the values API Gateway decoded.
func (ev *event) restInbound() (inbound, bool) {
	r := fieldReader{ev: ev, ok: !ev.ctxTypeError && !ev.identityTypeError}
	header, host := r.header(r.str(ev.ctx.domainName))
	in := inbound{
		method:     r.str(ev.httpMethod),
		path:       r.str(ev.path),
		rawQuery:   r.query(url.QueryEscape),
		header:     header,
		host:       host,
		remoteAddr: r.str(ev.ctx.identitySourceIP),
		body:       r.str(ev.body),
		base64:     r.bool(ev.isBase64Encoded),
	}
	return in, r.ok
}

// appendREST appends the REST proxy response for res. headers carries the first value of
// each name and multiValueHeaders all of them; API Gateway merges the two, and a pair
// present in both appears once. names is sortedNames(res.header).
func appendREST(dst []byte, res result, names []string) []byte {
	dst = appendStatus(dst, res.status)
	dst, _ = appendHeaders(dst, "headers", res.header, names, firstValue)
	dst, _ = appendMultiHeaders(dst, "multiValueHeaders", res.header, names)
	dst = append(dst, `,"body":`...)
	dst, isBase64 := appendBody(dst, res.header, res.body)
	if isBase64 { // omitempty
		dst = appendBool(dst, "isBase64Encoded", true)
	}
	return append(dst, '}')
}

// fieldReader reads the members a request reader needs from an event and remembers whether
// any had the wrong type.
type fieldReader struct {
	ev *event
	ok bool
}

// str returns the string at sp (see event.str).
func (r *fieldReader) str(sp span) string {
	s, ok := r.ev.str(sp)
	r.ok = r.ok && ok
	return s
}

// bool returns the boolean at sp (see event.bool).
func (r *fieldReader) bool(sp span) bool {
	b, ok := r.ev.bool(sp)
	r.ok = r.ok && ok
	return b
}

// header reads the request header of a REST or ALB event: multiValueHeaders when it has
// any, else headers. fallbackHost is the host when there is no Host header.
func (r *fieldReader) header(fallbackHost string) (http.Header, string) {
	var multiBuf, singleBuf [32]field
	multi, okMulti := r.ev.fields(multiBuf[:0], r.ev.multiValueHeaders, true)
	single, okSingle := r.ev.fields(singleBuf[:0], r.ev.headers, false)
	r.ok = r.ok && okMulti && okSingle
	if !r.ev.hasMembers(r.ev.multiValueHeaders) {
		multi = single
	}
	return buildHeader(multi, fallbackHost)
}

// query rebuilds the raw query of a REST or ALB event from multiValueQueryStringParameters
// when it has any, else from queryStringParameters.
func (r *fieldReader) query(escape func(string) string) string {
	var multiBuf, singleBuf [16]field
	multi, okMulti := r.ev.fields(multiBuf[:0], r.ev.multiValueQueryParameters, true)
	single, okSingle := r.ev.fields(singleBuf[:0], r.ev.queryStringParameters, false)
	r.ok = r.ok && okMulti && okSingle
	if !r.ev.hasMembers(r.ev.multiValueQueryParameters) {
		multi = single
	}
	return buildQuery(multi, escape)
}
