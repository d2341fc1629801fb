package lambdahttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// inbound is an HTTP request as read from an event, before it becomes an *http.Request.
type inbound struct {
	method     string
	path       string // as sent, still escaped; must begin with "/"
	rawQuery   string // escaped, without "?"
	header     http.Header
	host       string
	remoteAddr string
	body       string
	base64     bool // body is base64-encoded
}

// newRequest turns in into a server-side *http.Request bound to ctx, or returns the error
// answer (400 or 413) when it cannot, with req nil. The request is what
// http.NewRequestWithContext would make, with the URL read as a request line reads it
// ("//host/x" stays a path).
func newRequest(ctx context.Context, in inbound) (req *http.Request, bad result) {
	var decoded []byte
	size := len(in.body)
	if in.base64 {
		var err error
		if decoded, err = base64.StdEncoding.DecodeString(in.body); err != nil {
			return nil, badRequest(ctx, "request body is not valid base64")
		}
		size = len(decoded)
	}
	if size > MaxBodyBytes {
		return nil, errorResult(ctx, http.StatusRequestEntityTooLarge, codeInvalidRequest, "request body too large")
	}
	if in.method == "" {
		return nil, badRequest(ctx, "invalid request method")
	}
	if !strings.HasPrefix(in.path, "/") {
		return nil, badRequest(ctx, "invalid request path")
	}
	target := in.path
	if in.rawQuery != "" {
		target += "?" + in.rawQuery
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return nil, badRequest(ctx, "invalid request path")
	}
	if !validMethod(in.method) {
		return nil, badRequest(ctx, "invalid request method")
	}
	var body io.ReadCloser = http.NoBody
	switch {
	case size == 0:
	case in.base64:
		body = io.NopCloser(bytes.NewReader(decoded))
	default:
		body = io.NopCloser(strings.NewReader(in.body))
	}
	r := http.Request{
		Method:        in.method,
		URL:           u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        in.header,
		Body:          body,
		ContentLength: int64(size),
		Host:          in.host,
		RemoteAddr:    in.remoteAddr,
		RequestURI:    target,
	}
	return r.WithContext(ctx), result{}
}

// validMethod reports whether m is an HTTP token, as http.NewRequest requires.
func validMethod(m string) bool {
	for i := range len(m) {
		if !isTokenByte(m[i]) {
			return false
		}
	}
	return m != ""
}

// isTokenByte reports whether c may appear in an HTTP token (RFC 9110 section 5.6.2).
func isTokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

// canonicalize sets each field's canon to textproto.CanonicalMIMEHeaderKey(name): the
// name unchanged unless it is a token, else with the first letter and each letter after
// a hyphen in upper case and the others in lower case. The names that change share one
// new string.
func canonicalize(fields []field) {
	var arr [1024]byte
	buf := arr[:0]
	for i, f := range fields {
		fields[i].canon = f.name
		if needsRecasing(f.name) {
			buf = appendCanonical(buf, f.name)
			fields[i].canon = "" // filled in from buf below
		}
	}
	all := string(buf)
	for i, f := range fields {
		if f.canon == "" && f.name != "" {
			fields[i].canon, all = all[:len(f.name)], all[len(f.name):]
		}
	}
}

// needsRecasing reports whether name is a token that is not in canonical form.
func needsRecasing(name string) bool {
	upper, recase := true, false
	for i := range len(name) {
		c := name[i]
		if !isTokenByte(c) {
			return false
		}
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			recase = true
		}
		upper = c == '-'
	}
	return recase
}

// appendCanonical appends the canonical form of the token name.
func appendCanonical(dst []byte, name string) []byte {
	upper := true
	for i := range len(name) {
		c := name[i]
		switch {
		case upper && 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case !upper && 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		dst = append(dst, c)
		upper = c == '-'
	}
	return dst
}

// field is one name and value read from an event's header or query object.
type field struct {
	name, canon, value string
}

// fields collects the pairs of an event's single-value (map[string]string) or multi-value
// (map[string][]string) object as encoding/json would decode it into a Go map: a name that
// repeats counts by its last occurrence. ok is false when the value has another type.
func (ev *event) fields(dst []field, sp span, multi bool) (_ []field, ok bool) {
	s, ok := ev.object(sp)
	for more := s.enterObject(); more; more = s.nextMember() {
		name, okName := ev.str(s.key())
		ok = ok && okName
		dst = without(dst, name) // the last occurrence wins
		if !multi {
			value, okValue := ev.str(s.value())
			dst = append(dst, field{name: name, value: value})
			ok = ok && okValue
			continue
		}
		a, okArray := ev.array(s.value())
		ok = ok && okArray
		for more := a.enter('[', ']'); more; more = a.next(']') {
			value, okValue := ev.str(a.value())
			dst = append(dst, field{name: name, value: value})
			ok = ok && okValue
		}
	}
	return dst, ok
}

// without removes the fields named name from fields.
func without(fields []field, name string) []field {
	for i := 0; i < len(fields); {
		if fields[i].name == name {
			fields = slices.Delete(fields, i, i+1)
			continue
		}
		i++
	}
	return fields
}

// hasMembers reports whether the value at sp is an object with at least one member.
func (ev *event) hasMembers(sp span) bool {
	s, _ := ev.object(sp)
	return s.enterObject()
}

// buildHeader makes the request's http.Header from header fields, with canonical names.
// The Host header is left out, as net/http servers do: its first value is returned as
// host instead, or fallback when it has none.
func buildHeader(fields []field, fallback string) (h http.Header, host string) {
	canonicalize(fields)
	slices.SortStableFunc(fields, func(a, b field) int { return strings.Compare(a.canon, b.canon) })
	values := make([]string, len(fields)) // one array for all values, shared by the names
	h = make(http.Header, len(fields))
	for i := 0; i < len(fields); {
		j := i
		for j < len(fields) && fields[j].canon == fields[i].canon {
			values[j] = fields[j].value
			j++
		}
		if fields[i].canon == "Host" {
			host = fields[i].value
		} else {
			h[fields[i].canon] = values[i:j:j]
		}
		i = j
	}
	if host == "" {
		host = fallback
	}
	return h, host
}

// buildQuery rebuilds a raw query string from query fields: sorted by name so that the
// result is stable, each value after its own name, escape applied to names and values.
func buildQuery(fields []field, escape func(string) string) string {
	if len(fields) == 0 {
		return ""
	}
	slices.SortStableFunc(fields, func(a, b field) int { return strings.Compare(a.name, b.name) })
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(escape(f.name))
		b.WriteByte('=')
		b.WriteString(escape(f.value))
	}
	return b.String()
}
