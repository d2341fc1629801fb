package onboard_test

import (
	"bytes"
	"context"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxindustry/getindustry/internal/onboard"
	"github.com/wxindustry/getindustry/internal/onboard/onboardtest"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "write the entry page's screenshot to docs/onboarding.png")

// xss goes into every query parameter: it must run nowhere.
const xss = `<script>window.__x=1;alert(1)</script>"><img src=x onerror="window.__x=1;alert(2)">`

// checkBrowserHeaders asserts the headers of every page and redirect, as
// the browser received them.
func checkBrowserHeaders(tb testing.TB, what string, r onboardtest.Response) {
	tb.Helper()
	for k, v := range map[string]string{
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "strict-origin-when-cross-origin",
	} {
		if got := r.Header.Get(k); got != v {
			tb.Errorf("%s: %s = %q; want %q", what, k, got, v)
		}
	}
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "script-src") {
		tb.Errorf("%s: Content-Security-Policy = %q; want no script, frame-ancestors 'none'", what, csp)
	}
}

// checkNoScriptRan asserts that no dialog opened and window.__x is unset.
func checkNoScriptRan(tb testing.TB, what string, b *onboardtest.Browser) {
	tb.Helper()
	if d := b.Dialogs(); len(d) != 0 {
		tb.Errorf("%s: dialogs %q; want none", what, d)
	}
	if g := b.Global(tb, "__x"); g != "undefined" {
		tb.Errorf("%s: typeof window.__x = %q; want undefined", what, g)
	}
}

func TestBrowserAuthorize(t *testing.T) {
	onboardtest.ChromePath(t)
	const key = "sentinel-onboard-key-browser"
	cases := []struct {
		name, ua string
		order    wxtest.PushOrder
		key      string
		authPage string
	}{
		{"pc push first", onboardtest.DesktopUA, wxtest.PushBeforeRedirect, "", wxtest.PathComponentLoginPage},
		{"pc redirect first", onboardtest.DesktopUA, wxtest.RedirectBeforePush, "", wxtest.PathComponentLoginPage},
		{"phone push first", onboardtest.PhoneUA, wxtest.PushBeforeRedirect, "", wxtest.PathBindComponent},
		{"phone with key redirect first", onboardtest.PhoneUA, wxtest.RedirectBeforePush, key, wxtest.PathBindComponent},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := newFlowEnv(t, c.order, c.key)
			b := onboardtest.NewBrowser(t, c.ua)
			q := url.Values{"auth_type": {"1"}, "utm_source": {xss}}
			if c.key != "" {
				q.Set("key", c.key)
			}

			// The page view: our page, no WeChat call.
			entry := b.Open(t, env.base+onboard.PathAuthorize+"?"+q.Encode())
			if entry.Status != 200 {
				t.Fatalf("entry page: status %d; want 200", entry.Status)
			}
			checkBrowserHeaders(t, "entry page", entry)
			checkNoScriptRan(t, "entry page", b)
			if i == 0 {
				saveScreenshot(t, b.Screenshot(t))
			}
			if n := env.sim.ComponentCalls("api_create_preauthcode"); n != 0 {
				t.Errorf("page view: %d api_create_preauthcode; want 0", n)
			}

			// The click: one pre_auth_code, our 302, WeChat's page accepts our Referer.
			wxPage := b.Click(t, "authorize")
			if u, _ := url.Parse(wxPage.URL); wxPage.Status != 200 || u.Path != c.authPage {
				t.Fatalf("click landed on %d %s; want 200 %s", wxPage.Status, wxPage.URL, c.authPage)
			}
			if n := env.sim.ComponentCalls("api_create_preauthcode"); n != 1 {
				t.Errorf("click: %d api_create_preauthcode; want 1", n)
			}
			if st := env.sim.AuthPageStats(); st.Views != 1 || st.Refused != 0 {
				t.Fatalf("authorization page stats %+v; want 1 view (Referer and redirect_uri on our domain)", st)
			}
			redirects := b.Redirects()
			if len(redirects) != 1 || !strings.HasPrefix(redirects[0].URL, env.base+onboard.PathAuthorizeGo) || redirects[0].Status != 302 {
				t.Fatalf("redirects = %+v; want our one 302", redirects)
			}
			checkBrowserHeaders(t, "redirect", redirects[0])
			if c.key != "" && strings.Contains(redirects[0].Header.Get("Location"), c.key) {
				t.Error("the key is in the Location")
			}

			// The consent: WeChat pushes and redirects, in either order.
			done := b.Click(t, "confirm")
			if !strings.HasPrefix(done.URL, env.base+onboard.PathCallback+"?") || done.Status != 200 {
				t.Fatalf("confirm landed on %d %s; want 200 on our callback", done.Status, done.URL)
			}
			checkBrowserHeaders(t, "callback page", done)
			if c.order == wxtest.RedirectBeforePush {
				res, err := env.sim.SendHeldPushes(context.Background())
				if err != nil || len(res) != 1 || res[0].Body != "success" {
					t.Fatalf("held push = %+v, %v; want one success", res, err)
				}
			}
			appID, _ := b.Text(t, "appid")
			scopes, _ := b.Text(t, "scopes")
			if st, ok := env.sim.Authorizer(appID); !ok || !st.Authorized || scopes != "1, 15" {
				t.Errorf("callback page names %q with scopes %q; want the authorized account with 1, 15", appID, scopes)
			}
			checkNoScriptRan(t, "callback page", b)

			// One authorization: one exchange, whichever came first.
			calls, exchanges, pushes := env.platform.counts()
			if len(calls) != 1 || pushes != 1 {
				t.Fatalf("Authorize calls %v, pushes %d; want one code, one push", calls, pushes)
			}
			for code, n := range calls {
				if n != 2 || exchanges[code] != 1 {
					t.Errorf("code: %d Authorize calls, %d exchanges; want 2 (push and callback), 1", n, exchanges[code])
				}
				if strings.Contains(done.URL, code) && strings.Contains(appID+scopes, code) {
					t.Error("the code is on the page")
				}
			}
			if n := env.sim.ComponentCalls("api_query_auth"); n != 1 {
				t.Errorf("api_query_auth calls = %d; want 1", n)
			}

			// A reload answers from memory: no WeChat call.
			again := b.Open(t, done.URL)
			if again.Status != 200 || env.sim.ComponentCalls("api_query_auth") != 1 {
				t.Errorf("reload: status %d, api_query_auth %d; want 200, still 1", again.Status, env.sim.ComponentCalls("api_query_auth"))
			}
		})
	}
}

// saveScreenshot checks the PNG and, with -update-screenshot, writes it to
// docs/onboarding.png for the README.
func saveScreenshot(tb testing.TB, png []byte) {
	tb.Helper()
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		tb.Fatalf("screenshot is not a PNG (%d bytes)", len(png))
	}
	if !*updateScreenshot {
		return
	}
	path := filepath.Join("..", "..", "docs", "onboarding.png")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("wrote %s (%d bytes)", path, len(png))
}

func TestBrowserScriptsRunNowhere(t *testing.T) {
	onboardtest.ChromePath(t)
	env := newFlowEnv(t, wxtest.PushBeforeRedirect, "")
	b := onboardtest.NewBrowser(t, onboardtest.PhoneUA)
	all := url.Values{}
	for _, k := range []string{"auth_type", "biz_appid", "key", "auth_code", "expires_in", "redirect_uri", "x"} {
		all.Set(k, xss)
	}
	cases := map[string]int{
		onboard.PathAuthorize:        400,
		onboard.PathAuthorizeGo:      400,
		onboard.PathCallback:         400, // the simulator refuses the code: 61009
		"/component/authorize/other": 404,
	}
	for path, status := range cases {
		res := b.Open(t, env.base+path+"?"+all.Encode())
		if res.Status != status {
			t.Errorf("%s: status %d; want %d", path, res.Status, status)
		}
		checkBrowserHeaders(t, path, res)
		checkNoScriptRan(t, path, b)
	}
	if n := env.sim.ComponentCalls("api_create_preauthcode"); n != 0 {
		t.Errorf("api_create_preauthcode calls = %d; want 0", n)
	}
}
