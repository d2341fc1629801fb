package wx

import (
	"net/http"
	"testing"
	"time"
)

func TestErrorString(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"errcode", &Error{Op: "get_industry", Code: 40001, Status: 200, Message: "invalid credential rid: x"},
			"wx: get_industry: errcode 40001: invalid credential rid: x"},
		{"errcode without message", &Error{Op: "get_industry", Code: 45009, Status: 200}, "wx: get_industry: errcode 45009"},
		{"http status", &Error{Op: "get_industry", Status: 502}, "wx: get_industry: http status 502"},
		{"busy", &Error{Op: "get_industry", Code: -1, Status: 200, Message: "system error"}, "wx: get_industry: errcode -1: system error"},
		{"no op", &Error{Code: 48001, Message: "api unauthorized"}, "wx: errcode 48001: api unauthorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestTokenRejected(t *testing.T) {
	for _, code := range []int{-1, 0, 40001, 40014, 42001, 41001, 45009, 45011, 48001, 48004, 50002, 40164} {
		want := code == 40001 || code == 40014 || code == 42001
		if got := (&Error{Code: code}).TokenRejected(); got != want {
			t.Errorf("(&Error{Code: %d}).TokenRejected() = %v; want %v", code, got, want)
		}
	}
}

func TestParseRID(t *testing.T) {
	tests := []struct {
		msg  string
		want string
	}{
		{"invalid credential, access_token is invalid or not latest rid: 6582c8a7-1b2c3d4e", "6582c8a7-1b2c3d4e"},
		{"system error rid: 6582c8a7-1b2c3d4e-5f6a7b8c", "6582c8a7-1b2c3d4e-5f6a7b8c"},
		{"more details at https://mmbizurl.cn/s/JtxxFh33r rid: 65c1e2f1-3e4f5a6b-7c8d9e0f", "65c1e2f1-3e4f5a6b-7c8d9e0f"},
		{"api unauthorized,rid:abc", "abc"},
		{"user limited rid: abc trailing", "abc"},
		{"system error", ""},
		{"rid:", ""},
		{"rid: ", ""},
		{"hybrid:abc", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.msg, func(t *testing.T) {
			if got := parseRID(tt.msg); got != tt.want {
				t.Errorf("parseRID(%q) = %q; want %q", tt.msg, got, tt.want)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want time.Duration
	}{
		{"empty", "", 0},
		{"seconds", "3", 3 * time.Second},
		{"zero", "0", 0},
		{"negative", "-5", 0},
		{"garbage", "soon", 0},
		{"past date", "Wed, 21 Oct 2015 07:28:00 GMT", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseRetryAfter(tt.in); got != tt.want {
				t.Errorf("parseRetryAfter(%q) = %v; want %v", tt.in, got, tt.want)
			}
		})
	}
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	if got := parseRetryAfter(future); got <= 0 || got > time.Hour {
		t.Errorf("parseRetryAfter(%q) = %v; want about an hour", future, got)
	}
}
