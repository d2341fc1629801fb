package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/wxindustry/getindustry/internal/wx"
)

// TestClassifyWeChat checks the refresher's overrides of wx.Classify: its
// own errorTypes for the credential codes and a refused force, WeChatError
// for a token rejection, its own wording, and the errcode and rid in the
// message.
func TestClassifyWeChat(t *testing.T) {
	wxErr := func(code int) error {
		return fmt.Errorf("x: %w", &wx.Error{Op: "stable_token", Code: code, Status: 200, RID: "r-1"})
	}
	tests := []struct {
		err     error
		force   bool
		typ     string
		message string // prefix
	}{
		{wxErr(40013), false, "InvalidCredentials", "WeChat rejected the app credentials"},
		{wxErr(40125), true, "InvalidCredentials", "WeChat rejected the app credentials"},
		{wxErr(40001), false, "InvalidCredentials", "WeChat rejected the app credentials"},
		{wxErr(40014), false, "WeChatError", "WeChat answered with an error"},
		{wxErr(42001), false, "WeChatError", "WeChat answered with an error"},
		{wxErr(45009), true, "ForceRefreshLimited", "WeChat refused the forced refresh"},
		{wxErr(45011), true, "ForceRefreshLimited", "WeChat refused the forced refresh"},
		{wxErr(45009), false, "WeChatQuotaExceeded", "the account's daily stable_token quota is spent"},
		{wxErr(45011), false, "WeChatBusy", "WeChat is busy; retry later"},
		{wxErr(-1), false, "WeChatBusy", "WeChat is busy; retry later"},
		{wxErr(40164), false, "WeChatUnauthorized", "WeChat refused the call: this IP is not on the account's allow-list"},
		{wxErr(48001), false, "WeChatUnauthorized", "WeChat refused the call: this IP is not on the account's allow-list"},
		{wxErr(47001), false, "WeChatError", "WeChat answered with an error"},
		{&wx.Error{Op: "stable_token", Status: 502}, false, "WeChatBusy", "WeChat is unavailable; retry later"},
		{&wx.Error{Op: "stable_token", Status: 404}, false, "UpstreamBadResponse", "WeChat answered with an unexpected HTTP status"},
		{fmt.Errorf("x: %w", wx.ErrTimeout), true, "UpstreamTimeout", "WeChat did not answer in time"},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), false, "UpstreamTimeout", "WeChat did not answer in time"},
		{fmt.Errorf("x: %w", wx.ErrUnavailable), false, "WeChatBusy", "WeChat cannot be reached; retry later"},
		{fmt.Errorf("x: %w", wx.ErrBadResponse), false, "UpstreamBadResponse", "WeChat sent a reply that could not be understood"},
		{errors.New("boom"), false, "Internal", "internal error"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v/force=%v", tt.err, tt.force), func(t *testing.T) {
			f := classifyWeChat(tt.err, tt.force)
			if f.Type != tt.typ || !strings.HasPrefix(f.Message, tt.message) || f.Cause != tt.err {
				t.Errorf("classifyWeChat() = %s %q (cause %v); want %s %q...", f.Type, f.Message, f.Cause, tt.typ, tt.message)
			}
			var we *wx.Error
			if errors.As(tt.err, &we) && we.Code != 0 && !strings.HasSuffix(f.Message, fmt.Sprintf("(WeChat errcode %d, rid r-1)", we.Code)) {
				t.Errorf("message %q; want the errcode and rid at its end", f.Message)
			}
		})
	}
}
