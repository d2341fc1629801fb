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
			q := url.Values{"auth_type": {"1"}, "utm_source": {onboardtest.XSS}}
			if c.key != "" {
				q.Set("key", c.key)
			}

			flow := onboardtest.Flow{Base: env.base, Query: q, AuthPage: c.authPage,
				Viewed: func(tb testing.TB) {
					if n := env.sim.ComponentCalls("api_create_preauthcode"); n != 0 {
						tb.Errorf("page view: %d api_create_preauthcode; want 0", n)
					}
				},
				Clicked: func(tb testing.TB) {
					if n := env.sim.ComponentCalls("api_create_preauthcode"); n != 1 {
						tb.Errorf("click: %d api_create_preauthcode; want 1", n)
					}
					if st := env.sim.AuthPageStats(); st.Views != 1 || st.Refused != 0 {
						tb.Errorf("authorization page stats %+v; want 1 view (Referer and redirect_uri on our domain)", st)
					}
				}}
			if i == 0 {
				flow.Screenshot = saveScreenshot
			}
			r := onboardtest.Authorize(t, b, flow)
			if c.key != "" && strings.Contains(r.Redirect.Header.Get("Location"), c.key) {
				t.Error("the key is in the Location")
			}
			if c.order == wxtest.RedirectBeforePush {
				res, err := env.sim.SendHeldPushes(context.Background())
				if err != nil || len(res) != 1 || res[0].Body != "success" {
					t.Fatalf("held push = %+v, %v; want one success", res, err)
				}
			}
			if st, ok := env.sim.Authorizer(r.AppID); !ok || !st.Authorized || r.Scopes != "1, 15" {
				t.Errorf("callback page names %q with scopes %q; want the authorized account with 1, 15", r.AppID, r.Scopes)
			}

			// One authorization: one exchange, whichever came first.
			calls, exchanges, pushes := env.platform.counts()
			if len(calls) != 1 || pushes != 1 {
				t.Fatalf("Authorize calls %v, pushes %d; want one code, one push", calls, pushes)
			}
			page := b.HTML(t)
			for code, n := range calls {
				if n != 2 || exchanges[code] != 1 {
					t.Errorf("code: %d Authorize calls, %d exchanges; want 2 (push and callback), 1", n, exchanges[code])
				}
				if strings.Contains(page, code) || c.key != "" && strings.Contains(page, c.key) {
					t.Error("the authorization code or the key is on the callback page")
				}
			}
			if n := env.sim.ComponentCalls("api_query_auth"); n != 1 {
				t.Errorf("api_query_auth calls = %d; want 1", n)
			}

			// A reload answers from memory: no WeChat call.
			again := b.Open(t, r.Callback.URL)
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
		all.Set(k, onboardtest.XSS)
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
		onboardtest.CheckHeaders(t, path, res)
		onboardtest.CheckNoScriptRan(t, path, b)
	}
	if n := env.sim.ComponentCalls("api_create_preauthcode"); n != 0 {
		t.Errorf("api_create_preauthcode calls = %d; want 0", n)
	}
}
