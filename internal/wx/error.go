package wx

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// WeChat global return codes that the client or its callers act on. See
// https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html.
const (
	CodeBusy              = -1    // system busy; transient, retried with backoff
	CodeInvalidCredential = 40001 // access_token invalid or not the latest
	CodeInvalidToken      = 40014 // malformed access_token
	CodeTokenExpired      = 42001 // access_token expired
	CodeTokenMissing      = 41001 // access_token parameter missing
	CodeDailyQuota        = 45009 // daily API quota reached
	CodeMinuteQuota       = 45011 // per-minute API quota reached; retried after a pause
	CodeAPIUnauthorized   = 48001 // API not authorized for this account
	CodeAPIBanned         = 48004 // API banned for irregularities
	CodeAccountRestricted = 50002 // account restricted
	CodeIPNotAllowed      = 40164 // caller IP not in the account's whitelist
)

// Sentinel errors. They are always returned wrapped with the operation and
// more context; test for them with errors.Is.
var (
	// ErrBadResponse reports a reply that is empty, not JSON, truncated,
	// larger than the size limit, or has neither an errcode nor the expected
	// fields. It is not retried.
	ErrBadResponse = errors.New("bad response")
	// ErrTimeout reports that the last attempt hit its per-attempt timeout, or
	// that the caller's deadline passed (then the error also wraps
	// context.DeadlineExceeded).
	ErrTimeout = errors.New("timed out")
	// ErrUnavailable reports connection failures (refused, reset, EOF) that
	// persisted after the retries. The underlying *url.Error, with its URL
	// redacted, is wrapped too.
	ErrUnavailable = errors.New("unavailable")
)

// Error is a failure reported by the WeChat API: a reply with errcode != 0, or
// an unexpected HTTP status (then Code is 0 and Status is set). Callers use
// errors.As to get it. The access_token never appears in any field.
type Error struct {
	Op      string // API operation, e.g. "get_industry"
	Code    int    // WeChat errcode; 0 when the failure is an HTTP status
	Status  int    // HTTP status code of the reply
	Message string // errmsg as sent by WeChat, rid included
	RID     string // request id parsed from "... rid: XXXX" in errmsg, "" if absent

	retryAfter time.Duration // from a Retry-After header on an HTTP status failure
}

// RetryAfter is the wait WeChat asked for with a Retry-After header on an
// HTTP status failure, or 0.
func (e *Error) RetryAfter() time.Duration { return e.retryAfter }

// Error formats the failure as "wx: get_industry: errcode 40001: <errmsg>" or
// "wx: get_industry: http status 502".
func (e *Error) Error() string {
	prefix := "wx: "
	if e.Op != "" {
		prefix += e.Op + ": "
	}
	if e.Code == 0 && e.Status != 0 {
		return fmt.Sprintf("%shttp status %d", prefix, e.Status)
	}
	if e.Message == "" {
		return fmt.Sprintf("%serrcode %d", prefix, e.Code)
	}
	return fmt.Sprintf("%serrcode %d: %s", prefix, e.Code, e.Message)
}

// TokenRejected reports whether WeChat rejected the access_token itself
// (40001, 40014 or 42001), the cases where reading a fresh token may help.
func (e *Error) TokenRejected() bool {
	switch e.Code {
	case CodeInvalidCredential, CodeInvalidToken, CodeTokenExpired:
		return true
	}
	return false
}

// parseRID returns the request id WeChat appends to errmsg ("... rid:
// 6582c8a7-1b2c3d4e"), or "" when there is none.
func parseRID(msg string) string {
	i := strings.LastIndex(msg, "rid:")
	if i < 0 {
		return ""
	}
	if i > 0 && !isSpaceOrPunct(msg[i-1]) {
		return ""
	}
	fields := strings.Fields(msg[i+len("rid:"):])
	if len(fields) == 0 {
		return ""
	}
	return fields[0]
}

func isSpaceOrPunct(b byte) bool {
	switch b {
	case ' ', '\t', '\n', ',', ';', '(', '[':
		return true
	}
	return false
}
