package wx_test

import (
	"strings"
	"testing"

	"github.com/wxindustry/getindustry/internal/wx"
)

func TestNewClient(t *testing.T) {
	tests := []struct {
		name    string
		baseURL string
		src     wx.TokenSource
		opts    wx.Options
		wantErr bool
	}{
		{"wechat https", "https://api.weixin.qq.com", staticToken("t"), wx.Options{}, false},
		{"https with path prefix", "https://proxy.example.com/wechat/", staticToken("t"), wx.Options{}, false},
		{"http loopback v4", "http://127.0.0.1:8080", staticToken("t"), wx.Options{}, false},
		{"http loopback 127/8", "http://127.5.6.7", staticToken("t"), wx.Options{}, false},
		{"http loopback v6", "http://[::1]:9000", staticToken("t"), wx.Options{}, false},
		{"http localhost", "http://LocalHost:9000", staticToken("t"), wx.Options{}, false},
		{"http remote", "http://api.weixin.qq.com", staticToken("t"), wx.Options{}, true},
		{"http private ip", "http://10.0.0.1", staticToken("t"), wx.Options{}, true},
		{"http localhost lookalike", "http://localhost.example.com", staticToken("t"), wx.Options{}, true},
		{"ftp", "ftp://api.weixin.qq.com", staticToken("t"), wx.Options{}, true},
		{"empty", "", staticToken("t"), wx.Options{}, true},
		{"no scheme", "api.weixin.qq.com", staticToken("t"), wx.Options{}, true},
		{"no host", "https://", staticToken("t"), wx.Options{}, true},
		{"user info", "https://user:pw@api.weixin.qq.com", staticToken("t"), wx.Options{}, true},
		{"query", "https://api.weixin.qq.com/?access_token=x", staticToken("t"), wx.Options{}, true},
		{"fragment", "https://api.weixin.qq.com/#x", staticToken("t"), wx.Options{}, true},
		{"unparsable", "https://[::1", staticToken("t"), wx.Options{}, true},
		{"unparsable with a password", "https://svc:pw@api.weixin.qq.com/%zz", staticToken("t"), wx.Options{}, true},
		{"port 0", "https://api.weixin.qq.com:0", staticToken("t"), wx.Options{}, true},
		{"port over 65535", "https://api.weixin.qq.com:70000", staticToken("t"), wx.Options{}, true},
		{"port 65535", "https://api.weixin.qq.com:65535", staticToken("t"), wx.Options{}, false},
		{"empty host with a port", "https://:443", staticToken("t"), wx.Options{}, true},
		{"nil token source (stable_token only)", "https://api.weixin.qq.com", nil, wx.Options{}, false},
		{"negative attempt timeout", "https://api.weixin.qq.com", staticToken("t"), wx.Options{AttemptTimeout: -1}, true},
		{"negative max attempts", "https://api.weixin.qq.com", staticToken("t"), wx.Options{MaxAttempts: -1}, true},
		{"negative quota pause", "https://api.weixin.qq.com", staticToken("t"), wx.Options{MinuteQuotaPause: -1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := wx.NewClient(tt.baseURL, tt.src, tt.opts)
			if tt.wantErr {
				if err == nil || c != nil {
					t.Fatalf("NewClient(%q) = %v, %v; want an error", tt.baseURL, c, err)
				}
				if !strings.HasPrefix(err.Error(), "wx: ") || strings.Contains(err.Error(), "pw") {
					t.Errorf("NewClient(%q) err = %q; want a wx: error without the password", tt.baseURL, err)
				}
				return
			}
			if err != nil || c == nil {
				t.Fatalf("NewClient(%q) = %v, %v; want a client", tt.baseURL, c, err)
			}
		})
	}
}
