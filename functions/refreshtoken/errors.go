package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/smithy-go"
	"github.com/wxindustry/getindustry/internal/wx"
)

// Lambda errorTypes the refresher answers (DESIGN.md, "The token
// refresher"), so that Step Functions Retry and Catch can match them.
const (
	typeInvalidRequest         = "InvalidRequest"
	typeCredentialsUnavailable = "CredentialsUnavailable"
	typeInvalidCredentials     = "InvalidCredentials"
	typeForceRefreshLimited    = "ForceRefreshLimited"
	typeTokenUnavailable       = "TokenUnavailable"
	typeWeChatUnauthorized     = "WeChatUnauthorized"
	typeWeChatBusy             = "WeChatBusy"
	typeWeChatQuotaExceeded    = "WeChatQuotaExceeded"
	typeUpstreamTimeout        = "UpstreamTimeout"
	typeUpstreamBadResponse    = "UpstreamBadResponse"
	typeWeChatError            = "WeChatError"
	typeInternal               = "Internal"
)

// failure is a refresh that did not succeed, as the caller sees it: the
// errorType, a public message that never carries a secret or the cause's
// text, and the cause, logged once (scrubbed) and never answered.
type failure struct {
	Type    string
	Message string
	Cause   error
	WxCode  int    // WeChat errcode, when WeChat answered with one
	RID     string // WeChat rid, when WeChat answered with one
}

// lambdaError returns the error value whose errorType aws-lambda-go reports
// as is (a Go error type would be reported by its type name).
func (f *failure) lambdaError() error {
	return messages.InvokeResponse_Error{Type: f.Type, Message: f.Message}
}

func fail(typ, msg string, cause error) *failure {
	return &failure{Type: typ, Message: msg, Cause: cause}
}

// forceLimited refuses a forced refresh without calling WeChat.
func forceLimited(reason string, after time.Time) *failure {
	return fail(typeForceRefreshLimited, fmt.Sprintf("forced refresh refused: %s; the next one is allowed after %s",
		reason, after.UTC().Format(time.RFC3339)), nil)
}

// secretsReason names a Secrets Manager failure for a public message.
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
		case "InternalServiceError", "InternalFailure", "ServiceUnavailable":
			return "secrets manager unavailable"
		}
		return "secrets manager error " + ae.ErrorCode()
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return "secrets manager request failed"
}

// classifyWeChat maps a StableToken error to the caller's view. force
// matters for the quota codes: WeChat's refusal of a forced refresh is
// ForceRefreshLimited.
func classifyWeChat(err error, force bool) *failure {
	var we *wx.Error
	if errors.As(err, &we) {
		f := classifyCode(we, force)
		f.Cause, f.WxCode, f.RID = err, we.Code, we.RID
		if we.Code != 0 {
			f.Message += fmt.Sprintf(" (WeChat errcode %d, rid %s)", we.Code, orNone(we.RID))
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

func classifyCode(we *wx.Error, force bool) *failure {
	switch {
	case we.Code == 0 && we.Status >= 500:
		return fail(typeWeChatBusy, "WeChat is unavailable; retry later", nil)
	case we.Code == 0:
		return fail(typeUpstreamBadResponse, "WeChat answered with an unexpected HTTP status", nil)
	case we.Code == wx.CodeInvalidAppID, we.Code == wx.CodeInvalidAppSecret, we.Code == wx.CodeInvalidCredential:
		return fail(typeInvalidCredentials, "WeChat rejected the app credentials: check appid and appsecret in the credentials secret", nil)
	case force && (we.Code == wx.CodeDailyQuota || we.Code == wx.CodeMinuteQuota):
		return fail(typeForceRefreshLimited, "WeChat refused the forced refresh (20 a day, 30 s apart)", nil)
	case we.Code == wx.CodeDailyQuota:
		return fail(typeWeChatQuotaExceeded, "the account's daily stable_token quota is spent; it resets at 00:00 Asia/Shanghai", nil)
	case we.Code == wx.CodeBusy, we.Code == wx.CodeMinuteQuota:
		return fail(typeWeChatBusy, "WeChat is busy; retry later", nil)
	case we.Code == wx.CodeIPNotAllowed, we.Code == wx.CodeAPIUnauthorized, we.Code == wx.CodeAPIBanned, we.Code == wx.CodeAccountRestricted:
		return fail(typeWeChatUnauthorized, "WeChat refused the call: this IP is not on the account's allow-list, or the account is restricted", nil)
	}
	return fail(typeWeChatError, "WeChat answered with an error", nil)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
