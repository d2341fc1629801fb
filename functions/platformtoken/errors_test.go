package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/wxindustry/getindustry/internal/wx"
)

// TestClassifyWeChat checks the platform's overrides of wx.Classify and
// that the shared classes come through with their wording.
func TestClassifyWeChat(t *testing.T) {
	code := func(c int) error { return &wx.Error{Op: "api_component_token", Code: c, Status: http.StatusOK} }
	for _, tc := range []struct {
		err      error
		wantType string
		wantMsg  string
	}{
		{code(wx.CodeTicketExpired), typeTicketUnavailable, "component_verify_ticket"},
		{code(wx.CodeTicketInvalid), typeTicketUnavailable, "(WeChat errcode 61006)"},
		{code(wx.CodeInvalidCredential), typeInvalidCredentials, "component_appsecret"},
		{code(wx.CodeInvalidAppSecret), typeInvalidCredentials, "component_appsecret"},
		{code(codeInvalidComponent), typeInvalidCredentials, "component_appid"},
		{code(wx.CodeComponentIPNotAllowed), typeWeChatUnauthorized, "platform's allow-list"},
		{code(wx.CodeDailyQuota), typeWeChatQuotaExceeded, "the platform's daily quota"},
		{code(wx.CodeMinuteQuota), typeWeChatBusy, "WeChat is busy; retry later (WeChat errcode 45011)"},
		{code(wx.CodeBusy), typeWeChatBusy, "WeChat is busy"},
		{code(wx.CodeTokenExpired), typeWeChatError, "WeChat answered with an error (WeChat errcode 42001)"},
		{code(wx.CodeRefreshTokenInvalid), typeWeChatError, "(WeChat errcode 61023)"},
		{&wx.Error{Op: "x", Status: http.StatusBadGateway}, typeWeChatBusy, "WeChat is unavailable"},
		{&wx.Error{Op: "x", Status: http.StatusNotFound}, typeUpstreamBadResponse, "unexpected HTTP status"},
		{fmt.Errorf("wx: x: %w", wx.ErrTimeout), typeUpstreamTimeout, "did not answer in time"},
		{context.DeadlineExceeded, typeUpstreamTimeout, "did not answer in time"},
		{fmt.Errorf("wx: x: %w", wx.ErrUnavailable), typeWeChatBusy, "cannot be reached"},
		{fmt.Errorf("wx: x: %w", wx.ErrBadResponse), typeUpstreamBadResponse, "could not be understood"},
		{fmt.Errorf("boom"), typeInternal, "internal error"},
	} {
		f := classifyWeChat(tc.err)
		if f.Type != tc.wantType || !strings.Contains(f.Message, tc.wantMsg) || f.Cause != tc.err {
			t.Errorf("classifyWeChat(%v) = %s %q; want %s with %q and the cause kept", tc.err, f.Type, f.Message, tc.wantType, tc.wantMsg)
		}
	}
}
