package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/token"
	"github.com/wxindustry/getindustry/internal/wx"
)

func TestClassify(t *testing.T) {
	// 2026-11-25 23:59:00 in Shanghai: one minute before WeChat's quota reset.
	now := time.Date(2026, 11, 25, 15, 59, 0, 0, time.UTC)
	wxErr := func(code int) error {
		return fmt.Errorf("get industry: %w", &wx.Error{Op: "get_industry", Code: code, Status: 200, Message: "m rid: r-1", RID: "r-1"})
	}
	tests := []struct {
		name       string
		err        error
		status     int
		code, typ  string
		retryAfter int
		wechat     bool
	}{
		{"secret not found", &token.Error{Reason: "secret not found"}, 500, "token_unavailable", "TokenUnavailable", 0, false},
		{"secrets manager throttled", fmt.Errorf("wx: %w", &token.Error{Reason: "throttled", Transient: true}), 503, "token_unavailable", "TokenUnavailable", 0, false},
		{"no item for the appid", fmt.Errorf("wx: %w", &token.Error{Table: "t", AppID: "wx0123456789abcdef", Reason: "no item for the appid", Err: token.ErrAccountNotFound}),
			404, "account_not_found", "AccountNotFound", 0, false},
		{"item without access_token", &token.Error{Table: "t", AppID: "wx0123456789abcdef", Reason: "item has no access_token", Transient: true},
			503, "token_unavailable", "TokenUnavailable", 0, false},
		{"40001", wxErr(40001), 502, "wechat_token_invalid", "WeChatTokenInvalid", 0, true},
		{"40014", wxErr(40014), 502, "wechat_token_invalid", "WeChatTokenInvalid", 0, true},
		{"42001", wxErr(42001), 502, "wechat_token_invalid", "WeChatTokenInvalid", 0, true},
		{"41001 is a bug, not a token problem", wxErr(41001), 502, "wechat_error", "WeChatError", 0, true},
		{"-1 busy", wxErr(-1), 503, "wechat_busy", "WeChatBusy", 2, true},
		{"45011 minute quota", wxErr(45011), 503, "wechat_busy", "WeChatBusy", 60, true},
		{"45009 daily quota", wxErr(45009), 503, "wechat_quota_exceeded", "WeChatQuotaExceeded", 60, true},
		{"48001", wxErr(48001), 502, "wechat_unauthorized", "WeChatUnauthorized", 0, true},
		{"48004", wxErr(48004), 502, "wechat_unauthorized", "WeChatUnauthorized", 0, true},
		{"50002", wxErr(50002), 502, "wechat_unauthorized", "WeChatUnauthorized", 0, true},
		{"40164", wxErr(40164), 502, "wechat_unauthorized", "WeChatUnauthorized", 0, true},
		{"unknown errcode", wxErr(47001), 502, "wechat_error", "WeChatError", 0, true},
		{"HTTP 502 from WeChat", &wx.Error{Op: "get_industry", Status: 502}, 503, "wechat_busy", "WeChatBusy", 2, false},
		{"HTTP 404 from WeChat", &wx.Error{Op: "get_industry", Status: 404}, 502, "upstream_bad_response", "UpstreamBadResponse", 0, false},
		{"attempts timed out", fmt.Errorf("wx: %w", wx.ErrTimeout), 504, "upstream_timeout", "UpstreamTimeout", 0, false},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), 504, "upstream_timeout", "UpstreamTimeout", 0, false},
		{"connection errors", fmt.Errorf("wx: %w", wx.ErrUnavailable), 503, "wechat_busy", "WeChatBusy", 2, false},
		{"bad reply", fmt.Errorf("wx: %w", wx.ErrBadResponse), 502, "upstream_bad_response", "UpstreamBadResponse", 0, false},
		{"anything else", errors.New("boom"), 500, "internal", "Internal", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(tt.err, now)
			if got.Status != tt.status || got.Code != tt.code || got.Type != tt.typ || got.RetryAfter != tt.retryAfter {
				t.Errorf("classify() = %d %s %s retry-after %d; want %d %s %s retry-after %d",
					got.Status, got.Code, got.Type, got.RetryAfter, tt.status, tt.code, tt.typ, tt.retryAfter)
			}
			if tt.wechat != (got.WeChatCode != 0) || (tt.wechat && got.RID != "r-1") {
				t.Errorf("classify() wechat fields = %d %q; want them only when WeChat sent an errcode", got.WeChatCode, got.RID)
			}
			if got.Message == "" {
				t.Error("classify() message is empty")
			}
		})
	}
}

// TestRetryAfterFromWeChat: when WeChat's 5xx asks for a longer wait than
// the function's own, the answer passes WeChat's on.
func TestRetryAfterFromWeChat(t *testing.T) {
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer busy.Close()
	s := newStack(t, map[string]string{"WX_API_BASE_URL": busy.URL})
	out, err := s.invoke(t, functionURLEvent(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := decodeHTTPAnswer(t, out)
	if a.StatusCode != 503 || a.header("Retry-After") != "30" {
		t.Errorf("answer = %d Retry-After %q; want 503 with WeChat's 30", a.StatusCode, a.header("Retry-After"))
	}
}
