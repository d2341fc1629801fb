package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/smithy-go"
	"github.com/wxindustry/getindustry/internal/wx"
)

// Lambda errorTypes a run answers when it could do nothing, in the style
// of the token refresher (DESIGN.md), so that Step Functions Retry and
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

// failure is a run that could do nothing, as the caller sees it: the
// errorType, a public message that never carries a secret or the cause's
// text, and the cause, logged once and never answered.
type failure struct {
	Type    string
	Message string
	Cause   error
	WxCode  int // WeChat errcode, when WeChat answered with one
}

// lambdaError returns the error value whose errorType aws-lambda-go reports
// as is.
func (f *failure) lambdaError() error {
	return messages.InvokeResponse_Error{Type: f.Type, Message: f.Message}
}

func fail(typ, msg string, cause error) *failure {
	return &failure{Type: typ, Message: msg, Cause: cause}
}

// secretsReason names a Secrets Manager failure without quoting anything
// it returned.
func secretsReason(err error) string {
	var ae smithy.APIError
	switch {
	case errors.As(err, &ae):
		switch ae.ErrorCode() {
		case "ResourceNotFoundException":
			return "secret not found"
		case "AccessDeniedException":
			return "access denied"
		case "DecryptionFailure":
			return "secret cannot be decrypted"
		case "ThrottlingException":
			return "secrets manager throttled"
		}
		return "secrets manager error " + ae.ErrorCode()
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return "secrets manager request failed"
}

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

// classifyWeChat maps a failed api_component_token (the one WeChat call
// whose failure stops a run) to the caller's view.
// TODO(lead): internal/wx's shared classification, once it lands, should
// replace this and the refresher's copy.
func classifyWeChat(err error) *failure {
	var we *wx.Error
	if errors.As(err, &we) {
		f := classifyCode(we)
		f.Cause, f.WxCode = err, we.Code
		if we.Code != 0 {
			f.Message += fmt.Sprintf(" (WeChat errcode %d)", we.Code)
		}
		return f
	}
	switch {
	case errors.Is(err, wx.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return fail(typeUpstreamTimeout, "WeChat did not answer in time", err)
	case errors.Is(err, wx.ErrUnavailable):
		return fail(typeWeChatBusy, "WeChat cannot be reached; retry later", err)
	case errors.Is(err, wx.ErrBadResponse):
		return fail(typeUpstreamBadResponse, "WeChat sent a reply that could not be understood", err)
	}
	return fail(typeInternal, "internal error", err)
}

func classifyCode(we *wx.Error) *failure {
	switch we.Code {
	case 0:
		if we.Status >= 500 {
			return fail(typeWeChatBusy, "WeChat is unavailable; retry later", nil)
		}
		return fail(typeUpstreamBadResponse, "WeChat answered with an unexpected HTTP status", nil)
	case wx.CodeTicketExpired, wx.CodeTicketInvalid:
		return fail(typeTicketUnavailable, "WeChat refused the stored component_verify_ticket; a new one comes with WeChat's next push (every 10 minutes)", nil)
	case wx.CodeInvalidAppID, wx.CodeInvalidAppSecret, wx.CodeInvalidCredential, 61011:
		return fail(typeInvalidCredentials, "WeChat rejected the platform credentials: check component_appid and component_appsecret", nil)
	case wx.CodeComponentIPNotAllowed:
		return fail(typeWeChatUnauthorized, "WeChat refused the call: this IP is not on the platform's allow-list", nil)
	case wx.CodeDailyQuota:
		return fail(typeWeChatQuotaExceeded, "the platform's daily quota is spent; it resets at 00:00 Asia/Shanghai", nil)
	case wx.CodeBusy, wx.CodeMinuteQuota:
		return fail(typeWeChatBusy, "WeChat is busy; retry later", nil)
	}
	return fail(typeWeChatError, "WeChat answered with an error", nil)
}
