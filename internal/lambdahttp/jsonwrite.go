package lambdahttp

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"unicode/utf8"
)

// The responses are written by appending to a byte slice, member by member in the order
// and with the escaping that encoding/json gives the aws-lambda-go events response types,
// so that they come out byte for byte as json.Marshal would write them
// (TestResponseMatchesEncodingJSON checks this).

// appendString appends s as a JSON string, escaped as encoding/json escapes it: ", \ and
// control characters; <, > and & (HTML-safe); U+2028 and U+2029; and each byte of invalid
// UTF-8 as \ufffd.
func appendString[T string | []byte](dst []byte, s T) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, s)
	return append(dst, '"')
}

// appendEscaped appends s escaped for a JSON string, without quotes.
func appendEscaped[T string | []byte](dst []byte, s T) []byte {
	const hex = "0123456789abcdef"
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(string(s[i:min(len(s), i+utf8.UTFMax)]))
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(dst, s[start:]...)
}

// appendBody appends the body member's string: the text itself for valid UTF-8 text
// (see isText), else base64 with isBase64 true.
func appendBody(dst []byte, h http.Header, body []byte) (_ []byte, isBase64 bool) {
	if len(body) == 0 || isText(h.Get("Content-Type")) && utf8.Valid(body) {
		return appendString(dst, body), false
	}
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, body)
	return append(dst, '"'), true
}

// appendStatus appends `{"statusCode":code`, the start of every response.
func appendStatus(dst []byte, code int) []byte {
	dst = append(dst, `{"statusCode":`...)
	return strconv.AppendInt(dst, int64(code), 10)
}

// appendBool appends a boolean member: `,"name":true`.
func appendBool(dst []byte, name string, b bool) []byte {
	dst = append(dst, `,"`...)
	dst = append(dst, name...)
	dst = append(dst, `":`...)
	return strconv.AppendBool(dst, b)
}

// headerStyle says how a header map with one string per name is made from an http.Header.
type headerStyle int

const (
	// firstValue keeps each name's first value (REST headers).
	firstValue headerStyle = iota
	// joinedValues joins each name's values with "," (RFC 9110 section 5.3) and leaves
	// Set-Cookie out (payload 2.0 headers, which carry cookies apart).
	joinedValues
	// joinedFirstCookie is joinedValues plus the first Set-Cookie value if it is not empty
	// (ALB headers, which cannot carry more).
	joinedFirstCookie
)

// sortedNames returns the names in h that have values, in the order encoding/json writes
// map keys. It uses dst's array when it is large enough.
func sortedNames(dst []string, h http.Header) []string {
	for k, vs := range h {
		if len(vs) > 0 {
			dst = append(dst, k)
		}
	}
	slices.Sort(dst)
	return dst
}

// appendHeaders appends the member `,"name":{...}` with one string per header name in the
// given style, and reports how many headers it wrote. names is sortedNames(h).
func appendHeaders(dst []byte, member string, h http.Header, names []string, style headerStyle) ([]byte, int) {
	dst = append(dst, `,"`...)
	dst = append(dst, member...)
	dst = append(dst, `":{`...)
	n := 0
	for _, k := range names {
		vs := h[k]
		if k == "Set-Cookie" && style != firstValue {
			if style == joinedValues || vs[0] == "" {
				continue
			}
			vs = vs[:1]
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = appendString(dst, k)
		dst = append(dst, ':', '"')
		if style == firstValue {
			vs = vs[:1]
		}
		for i, v := range vs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendEscaped(dst, v)
		}
		dst = append(dst, '"')
	}
	return append(dst, '}'), n
}

// appendMultiHeaders appends the member `,"name":{...}` with every value of every header
// name, and reports how many headers it wrote. names is sortedNames(h).
func appendMultiHeaders(dst []byte, member string, h http.Header, names []string) ([]byte, int) {
	dst = append(dst, `,"`...)
	dst = append(dst, member...)
	dst = append(dst, `":{`...)
	for i, k := range names {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = appendStrings(dst, h[k])
	}
	return append(dst, '}'), len(names)
}

// appendStrings appends ss as a JSON array of strings.
func appendStrings(dst []byte, ss []string) []byte {
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, s)
	}
	return append(dst, ']')
}
