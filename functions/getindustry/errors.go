package main

import (
	"context"
	"errors"
	"math"
	"net/http"
	"time"

	"github.com/wxindustry/getindustry/internal/token"
	"github.com/wxindustry/getindustry/internal/wx"
)

// apiError is a failure as the caller sees it: the HTTP status, the error
// code and Lambda errorType of DESIGN.md, and a public message that never
// carries the cause's text (the cause is logged once, at the edge).
type apiError struct {
	Status     int
	Code       string
	Type       string // Lambda errorType for direct invokes
	Message    string
	WeChatCode int    // WeChat errcode, when WeChat answered with one
	RID        string // WeChat rid, when WeChat answered with one
	RetryAfter int    // seconds; 0: no Retry-After header
}

// busyRetryAfter is the Retry-After given when WeChat is busy: long enough to
// let a -1 spell pass, short enough not to idle a caller.
const busyRetryAfter = 2

// minuteQuotaRetryAfter is the Retry-After for errcode 45011 (per-minute quota).
const minuteQuotaRetryAfter = 60

// shanghai is WeChat's quota clock. China has no daylight saving time, so a
// fixed zone is exact and needs no tzdata in the Lambda image.
var shanghai = time.FixedZone("Asia/Shanghai", 8*60*60)

func errInternal() *apiError {
	return &apiError{Status: http.StatusInternalServerError, Code: "internal", Type: "Internal", Message: "internal error"}
}

func errInvalidRequest(status int, msg string) *apiError {
	return &apiError{Status: status, Code: "invalid_request", Type: "InvalidRequest", Message: msg}
}

// classify maps an error from the industry path to the caller's view, as the
// table in DESIGN.md gives it. It is the only place that knows that table.
func classify(err error, now time.Time) *apiError {
	var te *token.Error
	if errors.As(err, &te) {
		status := http.StatusInternalServerError
		if te.Transient {
			status = http.StatusServiceUnavailable
		}
		return &apiError{Status: status, Code: "token_unavailable", Type: "TokenUnavailable",
			Message: "the access token is unavailable: " + te.Reason}
	}
	var we *wx.Error
	if errors.As(err, &we) {
		return classifyWeChat(we, now)
	}
	switch {
	case errors.Is(err, wx.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return &apiError{Status: http.StatusGatewayTimeout, Code: "upstream_timeout", Type: "UpstreamTimeout",
			Message: "WeChat did not answer in time"}
	case errors.Is(err, wx.ErrUnavailable):
		return &apiError{Status: http.StatusServiceUnavailable, Code: "wechat_busy", Type: "WeChatBusy",
			Message: "WeChat cannot be reached; retry later", RetryAfter: busyRetryAfter}
	case errors.Is(err, wx.ErrBadResponse):
		return &apiError{Status: http.StatusBadGateway, Code: "upstream_bad_response", Type: "UpstreamBadResponse",
			Message: "WeChat sent a reply that could not be understood"}
	}
	return errInternal()
}

func classifyWeChat(we *wx.Error, now time.Time) *apiError {
	ae := &apiError{WeChatCode: we.Code, RID: we.RID}
	switch {
	case we.Code == 0 && we.Status >= 500:
		ae.Status, ae.Code, ae.Type = http.StatusServiceUnavailable, "wechat_busy", "WeChatBusy"
		ae.Message = "WeChat is unavailable; retry later"
		ae.RetryAfter = max(busyRetryAfter, int(math.Ceil(we.RetryAfter().Seconds()))) // WeChat's own ask, if longer
	case we.Code == 0:
		ae.Status, ae.Code, ae.Type = http.StatusBadGateway, "upstream_bad_response", "UpstreamBadResponse"
		ae.Message = "WeChat answered with an unexpected HTTP status"
	case we.TokenRejected():
		ae.Status, ae.Code, ae.Type = http.StatusBadGateway, "wechat_token_invalid", "WeChatTokenInvalid"
		ae.Message = "WeChat rejected the access token, even after reading the secret again"
	case we.Code == wx.CodeBusy:
		ae.Status, ae.Code, ae.Type = http.StatusServiceUnavailable, "wechat_busy", "WeChatBusy"
		ae.Message, ae.RetryAfter = "WeChat is busy; retry later", busyRetryAfter
	case we.Code == wx.CodeMinuteQuota:
		ae.Status, ae.Code, ae.Type = http.StatusServiceUnavailable, "wechat_busy", "WeChatBusy"
		ae.Message, ae.RetryAfter = "the account's per-minute WeChat API quota is spent; retry next minute", minuteQuotaRetryAfter
	case we.Code == wx.CodeDailyQuota:
		ae.Status, ae.Code, ae.Type = http.StatusServiceUnavailable, "wechat_quota_exceeded", "WeChatQuotaExceeded"
		ae.Message, ae.RetryAfter = "the account's daily WeChat API quota is spent; it resets at 00:00 Asia/Shanghai", secondsUntilQuotaReset(now)
	case we.Code == wx.CodeAPIUnauthorized, we.Code == wx.CodeAPIBanned,
		we.Code == wx.CodeAccountRestricted, we.Code == wx.CodeIPNotAllowed:
		ae.Status, ae.Code, ae.Type = http.StatusBadGateway, "wechat_unauthorized", "WeChatUnauthorized"
		ae.Message = "WeChat refused the call: the API is not authorised for this account, the account is restricted, or this IP is not on its allow-list"
	default:
		ae.Status, ae.Code, ae.Type = http.StatusBadGateway, "wechat_error", "WeChatError"
		ae.Message = "WeChat answered with an error"
	}
	return ae
}

// secondsUntilQuotaReset returns the whole seconds until the next 00:00 in
// Asia/Shanghai, when WeChat resets daily quotas (at least 1).
func secondsUntilQuotaReset(now time.Time) int {
	local := now.In(shanghai)
	midnight := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, shanghai)
	secs := int(midnight.Sub(local).Seconds() + 0.999)
	return max(secs, 1)
}
