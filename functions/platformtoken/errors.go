package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/wxindustry/getindustry/internal/lambdaenv"
	"github.com/wxindustry/getindustry/internal/wx"
)

// Lambda errorTypes a run answers when it could do nothing, in the style
// of the token refresher (README, "Token refresher"), so that Step Functions Retry and
// Catch can match them.
const (
	typeInvalidRequest         = "InvalidRequest"
	typeCredentialsUnavailable = "CredentialsUnavailable" // the credentials secret is missing, unreadable or malformed
	typeTicketUnavailable      = "TicketUnavailable"      // no usable component_verify_ticket (none pushed yet, 61005, 61006)
	typeTokenUnavailable       = "TokenUnavailable"       // the table cannot be read or written
	typeInvalidCredentials     = "InvalidCredentials"     // WeChat refused the component appid or appsecret
	typeWeChatUnauthorized     = "WeChatUnauthorized"     // 61004: this IP is not on the platform's allow-list
	typeWeChatBusy             = "WeChatBusy"
	typeWeChatQuotaExceeded    = "WeChatQuotaExceeded"
	typeUpstreamTimeout        = "UpstreamTimeout"
	typeUpstreamBadResponse    = "UpstreamBadResponse"
	typeWeChatError            = "WeChatError"
	typeInternal               = "Internal"
)

// failure is a run that could do nothing, as the caller sees it (see
// lambdaenv.Failure); a *failure also travels as an error through onboard
// (CreatePreAuthCode) back to the direct invoke that answers it.
type failure = lambdaenv.Failure

func fail(typ, msg string, cause error) *failure { return lambdaenv.Fail(typ, msg, cause) }

// errcodeOf returns the WeChat errcode in err, or 0.
func errcodeOf(err error) int {
	var we *wx.Error
	if errors.As(err, &we) {
		return we.Code
	}
	return 0
}

// errKey names a failure for the failed_by_errcode counts: the errcode, or
// a word for a failure without one.
func errKey(err error) string {
	var we *wx.Error
	switch {
	case errors.As(err, &we) && we.Code != 0:
		return strconv.Itoa(we.Code)
	case errors.As(err, &we):
		return "http_" + strconv.Itoa(we.Status)
	case errors.Is(err, wx.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, wx.ErrUnavailable):
		return "unavailable"
	case errors.Is(err, wx.ErrBadResponse):
		return "bad_response"
	}
	return "other"
}

// codeInvalidComponent is errcode 61011: the component appid is invalid.
const codeInvalidComponent = 61011

// classifyWeChat maps a failed component call (api_component_token, whose
// failure stops a run, or api_get_authorizer_list) to the caller's view:
// the class wx.Classify gives it, with the platform's own overrides (see
// platformType) and wording. The errcode goes into the message, since a
// Lambda error has no other field for it.
func classifyWeChat(err error) *failure {
	c := wx.Classify(err, time.Time{})
	f := fail(platformType(c), c.Message, err)
	switch {
	case f.Type == typeTicketUnavailable:
		f.Message = "WeChat refused the stored component_verify_ticket; a new one comes with WeChat's next push (every 10 minutes)"
	case f.Type == typeInvalidCredentials:
		f.Message = "WeChat rejected the platform credentials: check component_appid and component_appsecret"
	case c.WeChatCode == wx.CodeComponentIPNotAllowed:
		f.Message = "WeChat refused the call: this IP is not on the platform's allow-list"
	case c.Kind == wx.KindQuotaExceeded:
		f.Message = "the platform's daily quota is spent; it resets at 00:00 Asia/Shanghai"
	case c.WeChatCode == wx.CodeMinuteQuota:
		f.Message = "WeChat is busy; retry later"
	case f.Type == typeWeChatError:
		f.Message = "WeChat answered with an error"
	}
	if c.WeChatCode != 0 {
		f.WxCode = c.WeChatCode
		f.Message += fmt.Sprintf(" (WeChat errcode %d)", c.WeChatCode)
	}
	return f
}

// platformType is the errorType of a failed component call of class c. It
// is the class's own but for the platform's overrides: the ticket codes
// (61005, 61006) are TicketUnavailable; the credential codes (40013,
// 40125, 61011, and 40001, which api_component_token answers for a wrong
// appsecret) InvalidCredentials; 61004, the platform's allow-list,
// WeChatUnauthorized; and another token rejection (40014, 42001), which
// the component calls answer for a component_access_token rather than an
// account's token, WeChatError. 61023 and 61003 concern one account: a run
// acts on them per account (refresh.go) and never answers them.
func platformType(c wx.ErrorClass) string {
	switch c.WeChatCode {
	case wx.CodeTicketExpired, wx.CodeTicketInvalid:
		return typeTicketUnavailable
	case wx.CodeInvalidAppID, wx.CodeInvalidAppSecret, wx.CodeInvalidCredential, codeInvalidComponent:
		return typeInvalidCredentials
	case wx.CodeComponentIPNotAllowed:
		return typeWeChatUnauthorized
	}
	if c.Kind == wx.KindTokenInvalid {
		return typeWeChatError
	}
	return c.Type
}
