package wx

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// redacted replaces every secret value the package scrubs.
const redacted = "REDACTED"

// Patterns for access tokens in query strings (access_token=VALUE, which also
// covers authorizer_access_token and component_access_token) and in JSON
// ("access_token":"VALUE"). They are compiled once and never modified.
var (
	queryTokenRE = regexp.MustCompile(`(access_token=)[^&\s"'#<>\\]+`)
	jsonTokenRE  = regexp.MustCompile(`("access_token"\s*:\s*")(?:[^"\\]|\\.)*(")`)
)

// Redact returns s with the value of every access_token query parameter
// (access_token=VALUE) and JSON field ("access_token":"VALUE") replaced by
// REDACTED. Use it on URLs, error strings and log lines that may carry a
// WeChat access token. It is safe for concurrent use.
func Redact(s string) string {
	if !strings.Contains(s, "access_token") {
		return s
	}
	s = queryTokenRE.ReplaceAllString(s, "${1}"+redacted)
	return jsonTokenRE.ReplaceAllString(s, "${1}"+redacted+"${2}")
}

// redact is Redact plus the removal of every literal occurrence of the given
// secrets, raw and query-escaped, wherever they appear in s.
func redact(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		s = strings.ReplaceAll(s, secret, redacted)
		if q := url.QueryEscape(secret); q != secret {
			s = strings.ReplaceAll(s, q, redacted)
		}
		if p := url.PathEscape(secret); p != secret {
			s = strings.ReplaceAll(s, p, redacted)
		}
	}
	return Redact(s)
}

// redactError returns err with secrets scrubbed from its text. A *url.Error,
// which http.Client returns with the full request URL, is rebuilt with a
// redacted URL; any other error whose text would leak is replaced by one that
// prints the redacted text but still unwraps to the original, so errors.Is
// and errors.As keep working.
func redactError(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	if ue, ok := err.(*url.Error); ok {
		return &url.Error{Op: ue.Op, URL: redact(ue.URL, secrets...), Err: redactError(ue.Err, secrets...)}
	}
	msg := err.Error()
	if clean := redact(msg, secrets...); clean != msg {
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
	return "&wx.redactedError{msg:" + strconv.Quote(e.msg) + "}"
}
