package onboard

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wxindustry/getindustry/internal/wx"
)

func TestAuthorizeURL(t *testing.T) {
	f := &fakeService{}
	h, _ := newTestHandler(t, Config{AuthPageBaseURL: "http://127.0.0.1:9/", H5BaseURL: "http://localhost:9"}, f)
	three := 3
	got, err := h.AuthorizeURL(context.Background(), AuthorizeURLRequest{Action: "authorize_url",
		RedirectURI: "https://merchant.example.com/wx/back?x=1", AuthType: &three, BizAppID: "wx0123456789abcdef"})
	if err != nil {
		t.Fatalf("AuthorizeURL: %v", err)
	}
	wantPC := "http://127.0.0.1:9/cgi-bin/componentloginpage?component_appid=" + testAppID +
		"&pre_auth_code=preauthcode%40%40%40sentinelPRE&redirect_uri=https%3A%2F%2Fmerchant.example.com%2Fwx%2Fback%3Fx%3D1&auth_type=3&biz_appid=wx0123456789abcdef"
	wantH5 := "http://localhost:9/wxaopen/safe/bindcomponent?action=bindcomponent&no_scan=1&component_appid=" + testAppID +
		"&pre_auth_code=preauthcode%40%40%40sentinelPRE&redirect_uri=https%3A%2F%2Fmerchant.example.com%2Fwx%2Fback%3Fx%3D1&auth_type=3&biz_appid=wx0123456789abcdef#wechat_redirect"
	if got.PCURL != wantPC || got.H5URL != wantH5 || got.ExpiresIn != 600 {
		t.Errorf("AuthorizeURL =\n%+v\nwant\n{%s %s 600}", got, wantPC, wantH5)
	}
	if p, _ := f.calls(); p != 1 {
		t.Errorf("pre-auth calls = %d; want 1", p)
	}
}

func TestAuthorizeURLInvalid(t *testing.T) {
	zero, four := 0, 4
	cases := map[string]AuthorizeURLRequest{
		"no redirect":     {},
		"http":            {RedirectURI: "http://merchant.example.com/back"},
		"relative":        {RedirectURI: "/component/callback"},
		"fragment":        {RedirectURI: "https://m.example.com/#x"},
		"user info":       {RedirectURI: "https://u:p@m.example.com/"},
		"javascript":      {RedirectURI: "javascript:alert(1)"},
		"auth_type 0":     {RedirectURI: "https://m.example.com/", AuthType: &zero},
		"auth_type 4":     {RedirectURI: "https://m.example.com/", AuthType: &four},
		"bad biz_appid":   {RedirectURI: "https://m.example.com/", BizAppID: "wx12"},
		"upper biz_appid": {RedirectURI: "https://m.example.com/", BizAppID: "wx0123456789ABCDEF"},
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			f := &fakeService{}
			h, _ := newTestHandler(t, Config{}, f)
			_, err := h.AuthorizeURL(context.Background(), in)
			if !errors.Is(err, ErrInvalidRequest) {
				t.Errorf("AuthorizeURL err = %v; want ErrInvalidRequest", err)
			}
			if p, _ := f.calls(); p != 0 {
				t.Errorf("pre-auth calls = %d; want 0", p)
			}
		})
	}
	f := &fakeService{}
	h, _ := newTestHandler(t, Config{}, f)
	if _, err := h.AuthorizeURL(context.Background(), AuthorizeURLRequest{RedirectURI: "http://127.0.0.1:8080/cb"}); err != nil {
		t.Errorf("loopback http: err = %v; want nil", err)
	}
}

func TestAuthorizeURLWeChatError(t *testing.T) {
	f := &fakeService{preAuthFn: func() (string, int, error) { return "", 0, &wx.Error{Op: "api_create_preauthcode", Code: 61004} }}
	h, _ := newTestHandler(t, Config{}, f)
	_, err := h.AuthorizeURL(context.Background(), AuthorizeURLRequest{RedirectURI: "https://m.example.com/"})
	var we *wx.Error
	if !errors.As(err, &we) || we.Code != 61004 || errors.Is(err, ErrInvalidRequest) {
		t.Errorf("err = %v; want the *wx.Error 61004", err)
	}
	if !strings.HasPrefix(err.Error(), "onboard: authorize_url: ") {
		t.Errorf("err = %q; want the onboard prefix", err)
	}
}
