package lambdahttp

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// event is what the adapter reads from a payload that is a JSON object: the members Detect
// looks at and the members any of the four request readers uses, each as the span of its
// value, in one pass and without allocating. Member names match as encoding/json matches
// struct fields (exactly, else without regard to case), a repeated member counts by its
// last occurrence, and requestContext behaves like a pointer to a struct: several objects
// merge, and null resets it. Nothing is decoded until a reader asks for it, so a wrongly
// typed member matters only to a reader that uses it.
type event struct {
	data []byte
	text string // string(data), made by str on first use

	version, httpMethod, path, body, isBase64Encoded span
	headers, multiValueHeaders                       span
	queryStringParameters, multiValueQueryParameters span
	rawPath, rawQueryString, cookies                 span
	methodARN, routeARN                              span // authorizer requests

	ctx requestContext
	// ctxTypeError, httpTypeError and identityTypeError record that requestContext,
	// requestContext.http or requestContext.identity had a value that is not an object.
	ctxTypeError, httpTypeError, identityTypeError bool
}

// requestContext holds the members of an event's requestContext that the adapter reads.
type requestContext struct {
	elb, http, domainName, resourcePath, stage, apiID, connectionID, eventType span
	httpMethod, httpSourceIP                                                   span // in http (payload 2.0)
	identitySourceIP                                                           span // in identity (REST)
}

// Member names, as the events types of aws-lambda-go spell them.
var (
	topNames = [...]string{"version", "httpMethod", "path", "body", "isBase64Encoded",
		"headers", "multiValueHeaders", "queryStringParameters", "multiValueQueryStringParameters",
		"rawPath", "rawQueryString", "cookies", "methodArn", "routeArn", "requestContext"}
	contextNames = [...]string{"elb", "http", "domainName", "resourcePath", "stage", "apiId",
		"connectionId", "eventType", "identity"}
	httpNames     = [...]string{"method", "sourceIp"}
	identityNames = [...]string{"sourceIp"}
)

// decodeEvent reads payload; ok is false when it is not a JSON object or not valid JSON.
func decodeEvent(payload []byte) (ev event, ok bool) {
	s := scanner{data: payload}
	if s.skipSpace() != '{' {
		return event{}, false
	}
	ev.data = payload
	for more := s.enterObject(); more; more = s.nextMember() {
		name := ev.match(s.key(), topNames[:])
		if name == "requestContext" {
			ev.readContext(&s)
			continue
		}
		v := s.value()
		switch name {
		case "version":
			ev.version = v
		case "httpMethod":
			ev.httpMethod = v
		case "path":
			ev.path = v
		case "body":
			ev.body = v
		case "isBase64Encoded":
			ev.isBase64Encoded = v
		case "headers":
			ev.headers = v
		case "multiValueHeaders":
			ev.multiValueHeaders = v
		case "queryStringParameters":
			ev.queryStringParameters = v
		case "multiValueQueryStringParameters":
			ev.multiValueQueryParameters = v
		case "rawPath":
			ev.rawPath = v
		case "rawQueryString":
			ev.rawQueryString = v
		case "cookies":
			ev.cookies = v
		case "methodArn":
			ev.methodARN = v
		case "routeArn":
			ev.routeARN = v
		}
	}
	s.end()
	return ev, !s.bad
}

// readContext reads the requestContext value that comes next into ev.ctx.
func (ev *event) readContext(s *scanner) {
	switch s.skipSpace() {
	case '{':
	case 'n':
		s.value()
		ev.ctx = requestContext{}
		return
	default:
		s.value()
		ev.ctxTypeError = true
		return
	}
	rc := &ev.ctx
	for more := s.enterObject(); more; more = s.nextMember() {
		switch ev.match(s.key(), contextNames[:]) {
		case "http":
			rc.http = ev.readObject(s, httpNames[:], &rc.httpMethod, &rc.httpSourceIP)
			ev.httpTypeError = ev.httpTypeError || !rc.http.isObject(ev.data) && !rc.http.isNull(ev.data)
		case "identity":
			id := ev.readObject(s, identityNames[:], &rc.identitySourceIP)
			ev.identityTypeError = ev.identityTypeError || !id.isObject(ev.data) && !id.isNull(ev.data)
		case "elb":
			rc.elb = s.value()
		case "domainName":
			rc.domainName = s.value()
		case "resourcePath":
			rc.resourcePath = s.value()
		case "stage":
			rc.stage = s.value()
		case "apiId":
			rc.apiID = s.value()
		case "connectionId":
			rc.connectionID = s.value()
		case "eventType":
			rc.eventType = s.value()
		default:
			s.value()
		}
	}
}

// readObject reads the value that comes next and returns its span. When it is an object,
// the span of each member named names[i] goes to dst[i] (later objects add to earlier ones,
// as encoding/json decodes into a struct).
func (ev *event) readObject(s *scanner, names []string, dst ...*span) span {
	if s.skipSpace() != '{' {
		return s.value()
	}
	start := s.pos
	for more := s.enterObject(); more; more = s.nextMember() {
		name := ev.match(s.key(), names)
		v := s.value()
		for i, n := range names {
			if n == name {
				*dst[i] = v
			}
		}
	}
	return span{start, s.pos}
}

// match returns the one of names that the member name at key matches, or "".
func (ev *event) match(key span, names []string) string {
	if key.end == 0 {
		return "" // the scanner failed
	}
	raw := ev.data[key.start+1 : key.end-1]
	if bytes.IndexByte(raw, '\\') >= 0 {
		unquoted, ok := unquote(ev.data[key.start:key.end])
		if !ok {
			return ""
		}
		raw = []byte(unquoted)
	}
	for _, n := range names {
		if string(raw) == n {
			return n
		}
	}
	ascii := isASCII(raw)
	for _, n := range names {
		// Folding can change the length of a non-ASCII name only.
		if (len(raw) == len(n) || !ascii) && bytes.EqualFold(raw, []byte(n)) {
			return n
		}
	}
	return ""
}

// isASCII reports whether b is all ASCII.
func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// present reports whether the member was there with a value other than null.
func (sp span) present(data []byte) bool { return sp.end > 0 && !sp.isNull(data) }

// isNull reports whether the value is null.
func (sp span) isNull(data []byte) bool { return string(data[sp.start:sp.end]) == "null" }

// isObject reports whether the value is an object.
func (sp span) isObject(data []byte) bool { return sp.end > 0 && data[sp.start] == '{' }

// str returns the string at sp as encoding/json decodes it into a string field: "" when
// sp is absent or null, and ok false for any other type. It allocates only for a string
// with escapes or invalid UTF-8; other strings share one copy of the payload.
func (ev *event) str(sp span) (s string, ok bool) {
	switch {
	case sp.end == 0 || sp.isNull(ev.data):
		return "", true
	case ev.data[sp.start] != '"':
		return "", false
	}
	if ev.text == "" {
		ev.text = string(ev.data)
	}
	s = ev.text[sp.start+1 : sp.end-1]
	if strings.IndexByte(s, '\\') < 0 && utf8.ValidString(s) {
		return s, true
	}
	return unquote(ev.data[sp.start:sp.end])
}

// unquote decodes a JSON string that has escapes or invalid UTF-8, as encoding/json does.
func unquote(quoted []byte) (string, bool) {
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return "", false
	}
	return s, true
}

// bool returns the boolean at sp: false when sp is absent or null, and ok false for any
// other type.
func (ev *event) bool(sp span) (b, ok bool) {
	switch {
	case sp.end == 0 || sp.isNull(ev.data):
		return false, true
	case string(ev.data[sp.start:sp.end]) == "true":
		return true, true
	case string(ev.data[sp.start:sp.end]) == "false":
		return false, true
	}
	return false, false
}

// object returns a scanner over the value at sp, for reading it member by member with
// enterObject, key, value and nextMember; it reads no member when sp is absent or null. ok
// is false when the value is of another type. sp was validated by decodeEvent.
func (ev *event) object(sp span) (s scanner, ok bool) {
	if !sp.isObject(ev.data) {
		return scanner{bad: true}, sp.end == 0 || sp.isNull(ev.data)
	}
	return scanner{data: ev.data[:sp.end], pos: sp.start}, true
}

// array returns a scanner over the value at sp, for reading it element by element with
// enter('[', ']'), value and next(']'); it reads no element when sp is absent or null. ok
// is false when the value is of another type.
func (ev *event) array(sp span) (s scanner, ok bool) {
	if sp.end == 0 || ev.data[sp.start] != '[' {
		return scanner{bad: true}, sp.end == 0 || sp.isNull(ev.data)
	}
	return scanner{data: ev.data[:sp.end], pos: sp.start}, true
}
