package wx

import (
	"context"
	"errors"
	"math"
	"net/http"
	"time"
)

// Kind is a class of failure of a WeChat call, as the README's error table
// groups them ("Event sources and answers").
type Kind int

// The kinds of failure. The zero Kind is a failure that is not WeChat's (a
// bug, a TokenSource failure, an unknown error): answered as internal.
const (
	KindInternal      Kind = iota
	KindTokenInvalid       // 40001, 40014, 42001: the access token was rejected
	KindBusy               // -1, 45011, HTTP 5xx, connection errors
	KindQuotaExceeded      // 45009: the daily quota is spent
	KindUnauthorized       // 48001, 48004, 50002, 40164
	KindError              // any other errcode
	KindTimeout            // attempts timed out, or the caller's deadline came first
	KindBadResponse        // a reply that is not JSON, oversized, or unexpected
)

// Retry-After values, in seconds, of the transient classes.
const (
	busyRetryAfter        = 2  // long enough to let a -1 spell pass, short enough not to idle a caller
	minuteQuotaRetryAfter = 60 // errcode 45011: the per-minute quota resets within a minute
)

// shanghai is WeChat's quota clock. China has no daylight saving time, so a
// fixed zone is exact and needs no tzdata in the Lambda image.
var shanghai = time.FixedZone("Asia/Shanghai", 8*60*60)

// ErrorClass is how a failure of a WeChat call is answered: the README's error
// table in one value. Message is public and never carries the cause's text.
type ErrorClass struct {
	Kind       Kind
	Status     int    // HTTP status of the answer
	Code       string // error code of the JSON error body, e.g. "wechat_busy"
	Type       string // Lambda errorType for direct invokes, e.g. "WeChatBusy"
	Message    string // public message
	RetryAfter int    // seconds for a Retry-After header; 0: none
	WeChatCode int    // WeChat errcode, when WeChat answered with one
	RID        string // WeChat rid, when WeChat answered with one
}

// Transient reports whether the failure may pass by itself: WeChat busy or
// not answering in time. The client retries these (unless the caller's own
// context ended), and a cache may hide them behind an older answer.
func (c ErrorClass) Transient() bool { return c.Kind == KindBusy || c.Kind == KindTimeout }

// Transient reports whether err is a transient WeChat failure (see
// ErrorClass.Transient). It suits industry.Options.StaleOK.
func Transient(err error) bool { return Classify(err, time.Time{}).Transient() }

// Internal is the class of a failure that is nobody's but ours.
func Internal() ErrorClass {
	return ErrorClass{Status: http.StatusInternalServerError, Code: "internal", Type: "Internal", Message: "internal error"}
}

// Classify maps an error from a Client call to its ErrorClass. now is used only
// for the daily quota's Retry-After (the seconds until 00:00 Asia/Shanghai).
// A failure of the TokenSource is KindInternal: its own package classifies
// it, and callers check for it first.
func Classify(err error, now time.Time) ErrorClass {
	var te *tokenError
	if errors.As(err, &te) {
		return Internal()
	}
	var we *Error
	if errors.As(err, &we) {
		return classifyError(we, now)
	}
	switch {
	case errors.Is(err, ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return ErrorClass{Kind: KindTimeout, Status: http.StatusGatewayTimeout, Code: "upstream_timeout", Type: "UpstreamTimeout",
			Message: "WeChat did not answer in time"}
	case errors.Is(err, ErrUnavailable):
		return ErrorClass{Kind: KindBusy, Status: http.StatusServiceUnavailable, Code: "wechat_busy", Type: "WeChatBusy",
			Message: "WeChat cannot be reached; retry later", RetryAfter: busyRetryAfter}
	case errors.Is(err, ErrBadResponse):
		return badResponse("WeChat sent a reply that could not be understood")
	}
	return Internal()
}

func badResponse(msg string) ErrorClass {
	return ErrorClass{Kind: KindBadResponse, Status: http.StatusBadGateway, Code: "upstream_bad_response", Type: "UpstreamBadResponse", Message: msg}
}

// classifyError classifies an errcode or an unexpected HTTP status.
func classifyError(we *Error, now time.Time) ErrorClass {
	c := ErrorClass{WeChatCode: we.Code, RID: we.RID}
	busy := func(msg string, retryAfter int) {
		c.Kind, c.Status, c.Code, c.Type = KindBusy, http.StatusServiceUnavailable, "wechat_busy", "WeChatBusy"
		c.Message, c.RetryAfter = msg, retryAfter
	}
	switch {
	case we.Code == 0 && we.Status >= 500:
		// WeChat's own Retry-After, if longer.
		busy("WeChat is unavailable; retry later", max(busyRetryAfter, int(math.Ceil(we.RetryAfter().Seconds()))))
	case we.Code == 0:
		bad := badResponse("WeChat answered with an unexpected HTTP status")
		bad.RID = we.RID
		return bad
	case we.TokenRejected():
		c.Kind, c.Status, c.Code, c.Type = KindTokenInvalid, http.StatusBadGateway, "wechat_token_invalid", "WeChatTokenInvalid"
		c.Message = "WeChat rejected the access token, even after reading the secret again"
	case we.Code == CodeBusy:
		busy("WeChat is busy; retry later", busyRetryAfter)
	case we.Code == CodeMinuteQuota:
		busy("the account's per-minute WeChat API quota is spent; retry next minute", minuteQuotaRetryAfter)
	case we.Code == CodeDailyQuota:
		c.Kind, c.Status, c.Code, c.Type = KindQuotaExceeded, http.StatusServiceUnavailable, "wechat_quota_exceeded", "WeChatQuotaExceeded"
		c.Message = "the account's daily WeChat API quota is spent; it resets at 00:00 Asia/Shanghai"
		c.RetryAfter = SecondsUntilQuotaReset(now)
	case we.Code == CodeAPIUnauthorized, we.Code == CodeAPIBanned,
		we.Code == CodeAccountRestricted, we.Code == CodeIPNotAllowed:
		c.Kind, c.Status, c.Code, c.Type = KindUnauthorized, http.StatusBadGateway, "wechat_unauthorized", "WeChatUnauthorized"
		c.Message = "WeChat refused the call: the API is not authorised for this account, the account is restricted, or this IP is not on its allow-list"
	default:
		c.Kind, c.Status, c.Code, c.Type = KindError, http.StatusBadGateway, "wechat_error", "WeChatError"
		c.Message = "WeChat answered with an error"
	}
	return c
}

// SecondsUntilQuotaReset returns the whole seconds until the next 00:00 in
// Asia/Shanghai, when WeChat resets daily quotas (at least 1).
func SecondsUntilQuotaReset(now time.Time) int {
	local := now.In(shanghai)
	midnight := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, shanghai)
	secs := int(midnight.Sub(local).Seconds() + 0.999)
	return max(secs, 1)
}
