package redact

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Mask replaces every secret value the package scrubs.
const Mask = "REDACTED"

// tokenPatterns returns the patterns for access tokens in query strings
// (access_token=VALUE, which also covers authorizer_access_token and
// component_access_token) and in JSON ("access_token":"VALUE",
// "authorizer_access_token":"VALUE", ...), compiled at their first use: most
// processes never print one, and compiling at init would cost every cold
// start.
var tokenPatterns = sync.OnceValues(func() (query, json *regexp.Regexp) {
	return regexp.MustCompile(`(?i)(access_token=)[^&\s"'#<>\\]+`),
		regexp.MustCompile(`(?i)("(?:[a-z]+_)?access_token"\s*:\s*")(?:[^"\\]|\\.)*(")`)
})

// String returns s with every access_token query parameter
// (access_token=VALUE) and JSON field ("access_token":"VALUE") masked, and
// every occurrence of the given secrets, raw, query-escaped or path-escaped,
// in any ASCII letter case, replaced by Mask. Empty secrets are ignored. It
// is safe for concurrent use.
func String(s string, secrets ...string) string {
	ls := lowerASCII(s)
	for _, secret := range secrets {
		for _, form := range forms(secret) {
			if strings.Contains(ls, form) {
				s = replaceFold(s, form)
				ls = lowerASCII(s)
			}
		}
	}
	return maskPatterns(s, ls)
}

// forms returns the forms of secret that String masks, lower-cased: raw,
// query-escaped and path-escaped, each once; none for "".
func forms(secret string) []string {
	if secret == "" {
		return nil
	}
	fs := []string{lowerASCII(secret)}
	for _, f := range []string{url.QueryEscape(secret), url.PathEscape(secret)} {
		if f = lowerASCII(f); !slices.Contains(fs, f) {
			fs = append(fs, f)
		}
	}
	return fs
}

// maskPatterns masks the access_token parameters and JSON fields in s, whose
// lower-cased copy is ls.
func maskPatterns(s, ls string) string {
	if !strings.Contains(ls, "access_token") {
		return s
	}
	query, json := tokenPatterns()
	s = query.ReplaceAllString(s, "${1}"+Mask)
	return json.ReplaceAllString(s, "${1}"+Mask+"${2}")
}

// replaceFold replaces every occurrence of old in s, ignoring ASCII letter
// case, with Mask.
func replaceFold(s, old string) string {
	ls, lold := lowerASCII(s), lowerASCII(old)
	if !strings.Contains(ls, lold) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(ls, lold)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(Mask)
		s, ls = s[i+len(old):], ls[i+len(old):]
	}
}

// lowerASCII lowers the bytes A-Z only, so that byte offsets stay those of
// s (invalid UTF-8 included).
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// Error returns err with secrets scrubbed from its text (see String). A
// *url.Error, which http.Client returns with the full request URL, is
// rebuilt with a redacted URL; any other error whose text would leak is
// replaced by one that prints the redacted text but still unwraps to the
// original, so errors.Is and errors.As keep working. A nil err gives nil.
func Error(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	if ue, ok := err.(*url.Error); ok {
		return &url.Error{Op: ue.Op, URL: String(ue.URL, secrets...), Err: Error(ue.Err, secrets...)}
	}
	msg := err.Error()
	if clean := String(msg, secrets...); clean != msg {
		return &redactedError{msg: clean, err: err}
	}
	return err
}

// redactedError prints a scrubbed message in place of its cause's own text.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }

func (e *redactedError) Unwrap() error { return e.err }

// GoString keeps %#v from printing the cause, whose fields may hold a secret.
func (e *redactedError) GoString() string {
	return "&redact.redactedError{msg:" + strconv.Quote(e.msg) + "}"
}

// Contains reports whether s holds any of the given secrets in a form
// String would mask: raw, query-escaped or path-escaped, in any ASCII letter
// case. Empty secrets are ignored.
func Contains(s string, secrets ...string) bool {
	ls := lowerASCII(s)
	for _, secret := range secrets {
		for _, form := range forms(secret) {
			if strings.Contains(ls, form) {
				return true
			}
		}
	}
	return false
}
