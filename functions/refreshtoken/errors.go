package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/wxindustry/getindustry/internal/lambdaenv"
	"github.com/wxindustry/getindustry/internal/wx"
)

// Lambda errorTypes the refresher answers (README, "Token refresher
// (optional)"), so that Step Functions Retry and Catch can match them.
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

// failure is a refresh that did not succeed, as the caller sees it (see
// lambdaenv.Failure).
type failure = lambdaenv.Failure

func fail(typ, msg string, cause error) *failure { return lambdaenv.Fail(typ, msg, cause) }

// forceLimited refuses a forced refresh without calling WeChat.
func forceLimited(reason string, after time.Time) *failure {
	return fail(typeForceRefreshLimited, fmt.Sprintf("forced refresh refused: %s; the next one is allowed after %s",
		reason, after.UTC().Format(time.RFC3339)), nil)
}

// classifyWeChat maps a StableToken error to the caller's view: the class
// wx.Classify gives it, with the refresher's own overrides (see
// refresherType). The errcode and rid go into the message, since a Lambda
// error has no other field for them.
func classifyWeChat(err error, force bool) *failure {
	var we *wx.Error
	errors.As(err, &we)
	c := wx.Classify(err, time.Time{})
	f := fail(refresherType(c, force), c.Message, err)
	// The refresher's own wording, where stable_token's case differs from
	// getindustry's: its own errorTypes, its quota, and the allow-list,
	// which is what usually refuses stable_token.
	switch {
	case f.Type == typeInvalidCredentials:
		f.Message = "WeChat rejected the app credentials: check appid and appsecret in the credentials secret"
	case f.Type == typeForceRefreshLimited:
		f.Message = "WeChat refused the forced refresh (20 a day, 30 s apart)"
	case f.Type == typeWeChatError:
		f.Message = "WeChat answered with an error"
	case c.WeChatCode == wx.CodeMinuteQuota:
		f.Message = "WeChat is busy; retry later"
	case c.Kind == wx.KindQuotaExceeded:
		f.Message = "the account's daily stable_token quota is spent; it resets at 00:00 Asia/Shanghai"
	case c.Kind == wx.KindUnauthorized:
		f.Message = "WeChat refused the call: this IP is not on the account's allow-list, or the account is restricted"
	}
	if we != nil {
		f.WxCode, f.RID = we.Code, we.RID
		if we.Code != 0 {
			f.Message += fmt.Sprintf(" (WeChat errcode %d, rid %s)", we.Code, orNone(we.RID))
		}
	}
	return f
}

// refresherType is the errorType of a stable_token failure of class c. It
// is the class's own but for the refresher's overrides: stable_token's
// credential codes (40013, 40125, and 40001 for a wrong appsecret) are
// InvalidCredentials; a quota code on a forced call is WeChat's refusal of
// the force, ForceRefreshLimited; and a token rejection (40014, 42001), which
// cannot concern stable_token since it sends no token, is WeChatError.
func refresherType(c wx.ErrorClass, force bool) string {
	switch {
	case c.WeChatCode == wx.CodeInvalidAppID, c.WeChatCode == wx.CodeInvalidAppSecret, c.WeChatCode == wx.CodeInvalidCredential:
		return typeInvalidCredentials
	case force && (c.WeChatCode == wx.CodeDailyQuota || c.WeChatCode == wx.CodeMinuteQuota):
		return typeForceRefreshLimited
	case c.Kind == wx.KindTokenInvalid:
		return typeWeChatError
	}
	return c.Type
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
