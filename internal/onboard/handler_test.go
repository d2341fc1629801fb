package onboard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/wxindustry/getindustry/internal/wx"
)

const (
	testAppID   = "wxc0ffee0000000001"
	testKey     = "sentinel-onboard-key-9f8e7d"
	testPreAuth = "preauthcode@@@sentinelPRE"
	testCode    = "queryauthcode@@@sentinelCODE"
)

// fakeService implements PreAuthCoder and Authorizer with function fields
// and counts calls.
type fakeService struct {
	mu        sync.Mutex
	preAuths  int
	auths     map[string]int
	preAuthFn func() (string, int, error)
	authFn    func(code string) (Account, error)
}

var (
	_ PreAuthCoder = (*fakeService)(nil)
	_ Authorizer   = (*fakeService)(nil)
)

func (f *fakeService) CreatePreAuthCode(ctx context.Context) (string, int, error) {
	f.mu.Lock()
	f.preAuths++
	f.mu.Unlock()
	if f.preAuthFn != nil {
		return f.preAuthFn()
	}
	return testPreAuth, 600, nil
}

func (f *fakeService) Authorize(ctx context.Context, code string) (Account, error) {
	f.mu.Lock()
	if f.auths == nil {
		f.auths = map[string]int{}
	}
	f.auths[code]++
	f.mu.Unlock()
	if f.authFn != nil {
		return f.authFn(code)
	}
	return Account{AppID: "wx0123456789abcdef", FuncScopes: []int{1, 15}}, nil
}

func (f *fakeService) calls() (preAuths, auths int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range f.auths {
		auths += n
	}
	return f.preAuths, auths
}

// newTestHandler builds a Handler with conf's defaults filled in and a log
// captured in logs.
func newTestHandler(tb testing.TB, conf Config, f *fakeService) (*Handler, *bytes.Buffer) {
	tb.Helper()
	if conf.ComponentAppID == "" {
		conf.ComponentAppID = testAppID
	}
	var logs bytes.Buffer
	h, err := NewHandler(conf, f, f, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		tb.Fatalf("NewHandler: %v", err)
	}
	return h, &logs
}

// serve runs one request; ctx carries the Function URL's domain name.
func serve(h http.Handler, method, target string, mod func(*http.Request)) *http.Response {
	r := httptest.NewRequest(method, target, nil)
	r = r.WithContext(WithDomainName(r.Context(), "abc.lambda-url.ap-east-1.on.aws"))
	r.Host = "evil.example"
	if mod != nil {
		mod(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func body(tb testing.TB, res *http.Response) string {
	tb.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// checkHeaders asserts the headers every page and redirect carries.
func checkHeaders(tb testing.TB, res *http.Response) {
	tb.Helper()
	want := map[string]string{
		"Cache-Control":           "no-store",
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": contentSecurityPolicy,
		"Referrer-Policy":         "strict-origin-when-cross-origin",
	}
	for k, v := range want {
		if got := res.Header.Get(k); got != v {
			tb.Errorf("%s = %q; want %q", k, got, v)
		}
	}
	if res.StatusCode != http.StatusFound {
		if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			tb.Errorf("Content-Type = %q; want text/html; charset=utf-8", ct)
		}
	}
}

func TestEntryPage(t *testing.T) {
	f := &fakeService{}
	h, _ := newTestHandler(t, Config{}, f)
	res := serve(h, "GET", "/component/authorize?auth_type=3&biz_appid=wx0123456789abcdef", nil)
	b := body(t, res)
	if res.StatusCode != 200 {
		t.Fatalf("status = %d; want 200", res.StatusCode)
	}
	checkHeaders(t, res)
	if !strings.Contains(b, `id="authorize" href="authorize/go?auth_type=3&amp;biz_appid=wx0123456789abcdef"`) {
		t.Errorf("entry page has no link with the parameters:\n%s", b)
	}
	if strings.Contains(b, "<script") {
		t.Error("entry page has a script")
	}
	if p, a := f.calls(); p != 0 || a != 0 {
		t.Errorf("page view made %d pre-auth and %d authorize calls; want 0, 0", p, a)
	}
	if res.Header.Get("Set-Cookie") != "" {
		t.Error("cookie set without a key configured")
	}
}

func TestBadParams(t *testing.T) {
	for _, q := range []string{"auth_type=0", "auth_type=4", "auth_type=1x", "auth_type=", "biz_appid=wx123",
		"biz_appid=WX0123456789ABCDEF", "biz_appid=", "biz_appid=%3Cscript%3Ealert(1)%3C/script%3E"} {
		for _, path := range []string{PathAuthorize, PathAuthorizeGo} {
			t.Run(path+"?"+q, func(t *testing.T) {
				f := &fakeService{}
				h, _ := newTestHandler(t, Config{}, f)
				res := serve(h, "GET", path+"?"+q, nil)
				b := body(t, res)
				if res.StatusCode != 400 {
					t.Errorf("status = %d; want 400", res.StatusCode)
				}
				checkHeaders(t, res)
				if strings.Contains(b, "<script>") {
					t.Errorf("page shows the request unescaped:\n%s", b)
				}
				if p, _ := f.calls(); p != 0 {
					t.Errorf("pre-auth calls = %d; want 0", p)
				}
			})
		}
	}
}

func TestClickRedirects(t *testing.T) {
	redirect := url.QueryEscape("https://abc.lambda-url.ap-east-1.on.aws/component/callback")
	cases := map[string]struct {
		ua, query, want string
	}{
		"pc": {"Mozilla/5.0 (X11; Linux x86_64) Chrome/148", "",
			"https://mp.weixin.qq.com/cgi-bin/componentloginpage?component_appid=" + testAppID +
				"&pre_auth_code=" + url.QueryEscape(testPreAuth) + "&redirect_uri=" + redirect + "&auth_type=1"},
		"phone": {"Mozilla/5.0 (iPhone) Mobile/15E148", "?auth_type=2&biz_appid=wx0123456789abcdef",
			"https://open.weixin.qq.com/wxaopen/safe/bindcomponent?action=bindcomponent&no_scan=1&component_appid=" + testAppID +
				"&pre_auth_code=" + url.QueryEscape(testPreAuth) + "&redirect_uri=" + redirect + "&auth_type=2&biz_appid=wx0123456789abcdef#wechat_redirect"},
		"wechat": {"Mozilla/5.0 (Linux; Android 14) MicroMessenger/8.0.50", "",
			"https://open.weixin.qq.com/wxaopen/safe/bindcomponent?action=bindcomponent&no_scan=1&component_appid=" + testAppID +
				"&pre_auth_code=" + url.QueryEscape(testPreAuth) + "&redirect_uri=" + redirect + "&auth_type=1#wechat_redirect"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := &fakeService{}
			h, logs := newTestHandler(t, Config{}, f)
			res := serve(h, "GET", PathAuthorizeGo+c.query, func(r *http.Request) { r.Header.Set("User-Agent", c.ua) })
			if res.StatusCode != http.StatusFound {
				t.Fatalf("status = %d; want 302", res.StatusCode)
			}
			checkHeaders(t, res)
			if got := res.Header.Get("Location"); got != c.want {
				t.Errorf("Location =\n%s\nwant\n%s", got, c.want)
			}
			if p, _ := f.calls(); p != 1 {
				t.Errorf("pre-auth calls = %d; want 1", p)
			}
			if strings.Contains(logs.String(), testPreAuth) {
				t.Errorf("log has the pre_auth_code: %s", logs)
			}
		})
	}
}

func TestPublicBase(t *testing.T) {
	f := &fakeService{}
	h, _ := newTestHandler(t, Config{PublicBaseURL: "https://onboard.example.com/"}, f)
	res := serve(h, "GET", PathAuthorizeGo, nil)
	if loc := res.Header.Get("Location"); !strings.Contains(loc, "redirect_uri="+url.QueryEscape("https://onboard.example.com/component/callback")+"&") {
		t.Errorf("Location = %s; want redirect_uri on WX_PUBLIC_BASE_URL", loc)
	}
	// Without a domain name in the context and no WX_PUBLIC_BASE_URL, never the Host header.
	h, logs := newTestHandler(t, Config{}, f)
	r := httptest.NewRequest("GET", PathAuthorizeGo, nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 500 || strings.Contains(w.Header().Get("Location"), "example.com") {
		t.Errorf("status = %d, Location %q; want 500 and none", w.Code, w.Header().Get("Location"))
	}
	if !strings.Contains(logs.String(), "no public base URL") {
		t.Errorf("log = %s; want the misconfiguration", logs)
	}
	for _, bad := range []string{"http://onboard.example.com", "ftp://x", "https://x/?a=1"} {
		if _, err := NewHandler(Config{ComponentAppID: testAppID, PublicBaseURL: bad}, f, f, nil); err == nil {
			t.Errorf("NewHandler(PublicBaseURL %q) = nil error; want one", bad)
		}
	}
}

func TestClickWeChatFails(t *testing.T) {
	f := &fakeService{preAuthFn: func() (string, int, error) { return "", 0, &wx.Error{Op: "api_create_preauthcode", Code: -1} }}
	h, _ := newTestHandler(t, Config{}, f)
	res := serve(h, "GET", PathAuthorizeGo, nil)
	if res.StatusCode != http.StatusBadGateway || res.Header.Get("Location") != "" {
		t.Errorf("status = %d, Location %q; want 502, none", res.StatusCode, res.Header.Get("Location"))
	}
	checkHeaders(t, res)
}

func TestCallback(t *testing.T) {
	cases := map[string]struct {
		query  string
		err    error
		status int
		calls  int
	}{
		"ok":              {"?auth_code=" + url.QueryEscape(testCode) + "&expires_in=3600", nil, 200, 1},
		"no code":         {"?expires_in=3600", nil, 400, 0},
		"huge code":       {"?auth_code=" + strings.Repeat("a", 513), nil, 400, 0},
		"refused":         {"?auth_code=x", fmt.Errorf("platform: query auth: %w", ErrRefused), 400, 1},
		"wechat 61009":    {"?auth_code=x", &wx.Error{Op: "api_query_auth", Code: wx.CodeAuthCodeInvalid}, 400, 1},
		"wechat 61010":    {"?auth_code=x", &wx.Error{Op: "api_query_auth", Code: wx.CodeAuthCodeExpired}, 400, 1},
		"wechat busy":     {"?auth_code=x", &wx.Error{Op: "api_query_auth", Code: -1}, 502, 1},
		"store failed":    {"?auth_code=x", errors.New("platform: write account: throttled"), 502, 1},
		"script in query": {"?auth_code=%3Cscript%3Ewindow.__x%3D1%3C%2Fscript%3E", ErrRefused, 400, 1},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := &fakeService{authFn: func(code string) (Account, error) {
				if c.err != nil {
					return Account{}, c.err
				}
				return Account{AppID: "wx0123456789abcdef", FuncScopes: []int{1, 15}}, nil
			}}
			h, logs := newTestHandler(t, Config{}, f)
			res := serve(h, "GET", PathCallback+c.query, nil)
			b := body(t, res)
			if res.StatusCode != c.status {
				t.Errorf("status = %d; want %d", res.StatusCode, c.status)
			}
			checkHeaders(t, res)
			if _, a := f.calls(); a != c.calls {
				t.Errorf("Authorize calls = %d; want %d", a, c.calls)
			}
			if c.status == 200 && !(strings.Contains(b, `<dd id="appid">wx0123456789abcdef</dd>`) && strings.Contains(b, `<dd id="scopes">1, 15</dd>`)) {
				t.Errorf("page does not name the account and scopes:\n%s", b)
			}
			for _, leak := range []string{testCode, "<script>", "sentinel"} {
				if strings.Contains(b, leak) || strings.Contains(logs.String(), leak) {
					t.Errorf("%q on the page or in the log", leak)
				}
			}
		})
	}
}

func TestMethodsAndPaths(t *testing.T) {
	h, _ := newTestHandler(t, Config{}, &fakeService{})
	res := serve(h, "POST", PathAuthorize, nil)
	if res.StatusCode != 405 || res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: status %d, Allow %q; want 405, GET, HEAD", res.StatusCode, res.Header.Get("Allow"))
	}
	checkHeaders(t, res)
	res = serve(h, "GET", "/component/authorize/", nil)
	if res.StatusCode != 404 {
		t.Errorf("trailing slash: status %d; want 404", res.StatusCode)
	}
	res = serve(h, "HEAD", PathAuthorize, nil)
	if b := body(t, res); res.StatusCode != 200 || b != "" {
		t.Errorf("HEAD: status %d, body %d bytes; want 200, none", res.StatusCode, len(b))
	}
	f := &fakeService{}
	h, _ = newTestHandler(t, Config{}, f)
	for _, path := range []string{PathAuthorizeGo, PathCallback + "?auth_code=c"} {
		res = serve(h, "HEAD", path, nil)
		if res.StatusCode != 405 || res.Header.Get("Allow") != "GET" {
			t.Errorf("HEAD %s: status %d, Allow %q; want 405, GET", path, res.StatusCode, res.Header.Get("Allow"))
		}
	}
	if p, a := f.calls(); p != 0 || a != 0 {
		t.Errorf("HEAD made %d pre-auth and %d authorize calls; want 0", p, a)
	}
}

func httptestRequest(target string) *http.Request { return httptest.NewRequest("GET", target, nil) }

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

// TestServeProblem: the page a caller without a Handler answers carries the
// status and the headers of every page.
func TestServeProblem(t *testing.T) {
	w := httptest.NewRecorder()
	ServeProblem(w, httptest.NewRequest("GET", PathAuthorize+"?x=<script>", nil), http.StatusInternalServerError)
	if w.Code != 500 || w.Header().Get("Cache-Control") != "no-store" || !strings.Contains(w.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
		!strings.Contains(w.Body.String(), "Service misconfigured") || strings.Contains(w.Body.String(), "<script>") {
		t.Errorf("ServeProblem: %d %v\n%s", w.Code, w.Header(), w.Body)
	}
}
