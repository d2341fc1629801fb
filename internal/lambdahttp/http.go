package lambdahttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// inbound is an HTTP request as read from an event, before it becomes an *http.Request.
type inbound struct {
	method, path, rawQuery string // path still escaped; rawQuery escaped, without "?"
	header                 http.Header
	host, remoteAddr, body string
	base64                 bool   // body is base64-encoded
	domain                 string // requestContext.domainName, as AWS sets it; "" for ALB
}

// answer is a finished HTTP answer, from the handler or from the adapter itself.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// newRequest turns in into a server-side *http.Request bound to ctx, or returns the error
// answer (400 or 413) when it cannot, with a nil request. The URL is read as a request
// line reads it ("//host/x" stays a path).
func newRequest(ctx context.Context, in inbound) (*http.Request, answer) {
	bad := func(message string) (*http.Request, answer) {
		return nil, errorAnswer(ctx, http.StatusBadRequest, "invalid_request", message)
	}
	body := []byte(in.body)
	if in.base64 {
		var err error
		if body, err = base64.StdEncoding.DecodeString(in.body); err != nil {
			return bad("request body is not valid base64")
		}
	}
	if len(body) > MaxBodyBytes {
		return nil, errorAnswer(ctx, http.StatusRequestEntityTooLarge, "invalid_request", "request body too large")
	}
	if in.method == "" { // http.NewRequest would take it for GET
		return bad("invalid request method")
	}
	target := in.path
	if in.rawQuery != "" {
		target += "?" + in.rawQuery
	}
	u, err := url.ParseRequestURI(target)
	if err != nil || !strings.HasPrefix(in.path, "/") {
		return bad("invalid request path")
	}
	if in.domain != "" {
		ctx = context.WithValue(ctx, domainKey{}, in.domain)
	}
	r, err := http.NewRequestWithContext(ctx, in.method, "/", bytes.NewReader(body))
	if err != nil {
		return bad("invalid request method")
	}
	r.URL, r.RequestURI, r.Header, r.Host, r.RemoteAddr = u, target, in.header, in.host, in.remoteAddr
	return r, answer{}
}

// buildHeader makes a request's http.Header from an event's header maps (see values).
// Names are canonicalised; names that differ only in case merge in the sorted order of
// the names as sent. The Host header is left out, as net/http servers do: its first value
// is returned as host instead, or fallback when it has none.
func buildHeader(multi map[string][]string, single map[string]string, fallback string) (h http.Header, host string) {
	multi = values(multi, single)
	h = make(http.Header, len(multi))
	for _, k := range slices.Sorted(maps.Keys(multi)) {
		for _, v := range multi[k] {
			h.Add(k, v)
		}
	}
	if host = h.Get("Host"); host == "" {
		host = fallback
	}
	h.Del("Host")
	return h, host
}

// values returns a REST or ALB event's multi-value map when it has any names, else its
// single-value map.
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

// recorder is the handler's http.ResponseWriter: an httptest.ResponseRecorder, which like a
// net/http server fixes the header at the first WriteHeader or Write and ignores later
// WriteHeader calls, and which here also lets informational (1xx) statuses pass.
type recorder struct{ *httptest.ResponseRecorder }

// WriteHeader implements http.ResponseWriter.
func (r recorder) WriteHeader(code int) {
	if code < 100 || code >= 200 || code == http.StatusSwitchingProtocols {
		r.ResponseRecorder.WriteHeader(code)
	}
}

// recorded finishes the answer recorded in rec: no body for a status that cannot have one
// (RFC 9110), and a Content-Type sniffed from the body when the handler set none (nor nil).
func recorded(rec *httptest.ResponseRecorder) answer {
	res := rec.Result()
	a := answer{status: res.StatusCode, header: res.Header, body: rec.Body.Bytes()}
	switch _, typed := a.header["Content-Type"]; {
	case a.status == http.StatusNoContent, a.status == http.StatusNotModified, a.status < 200:
		a.body = nil
	case len(a.body) > 0 && !typed:
		a.header.Set("Content-Type", http.DetectContentType(a.body))
	}
	return a
}

// encodeBody returns the body as a response carries it: the text itself for valid UTF-8
// text (see isText), else base64 with isBase64 true.
func encodeBody(a answer) (body string, isBase64 bool) {
	if len(a.body) == 0 || isText(a.header.Get("Content-Type")) && utf8.Valid(a.body) {
		return string(a.body), false
	}
	return base64.StdEncoding.EncodeToString(a.body), true
}

// isText reports whether a Content-Type names a textual media type.
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml") ||
		slices.Contains([]string{"application/json", "application/xml", "application/javascript", "application/x-www-form-urlencoded"}, mt))
}

// headerMaps returns the response header maps of the events types, without names that
// have no values: each name's first value; its values joined with "," (RFC 9110 section
// 5.3), Set-Cookie left out; and all its values.
func headerMaps(h http.Header) (first, joined map[string]string, multi map[string][]string) {
	first, joined, multi = make(map[string]string, len(h)), make(map[string]string, len(h)), make(map[string][]string, len(h))
	for k, vs := range h {
		if len(vs) == 0 {
			continue
		}
		first[k], multi[k] = vs[0], vs
		if k != "Set-Cookie" {
			joined[k] = strings.Join(vs, ",")
		}
	}
	return first, joined, multi
}
