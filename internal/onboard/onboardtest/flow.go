package onboardtest

import (
	"net/url"
	"strings"
	"testing"
)

// Paths of the onboarding routes, as the function serves them.
const (
	pathAuthorize   = "/component/authorize"
	pathAuthorizeGo = "/component/authorize/go"
	pathCallback    = "/component/callback"
)

// Flow is one authorization for Authorize: where our pages are and what to
// check between the steps. The counts belong to the caller (the simulator
// in process, or its /_sim/component/stats under the emulator).
type Flow struct {
	Base       string                          // our public base URL, e.g. "http://127.0.0.1:8080"
	Query      url.Values                      // the entry page's query: auth_type, biz_appid, key, ...
	AuthPage   string                          // the path WeChat's page must be on (PC or H5)
	Viewed     func(tb testing.TB)             // after the entry page, before the click; may be nil
	Clicked    func(tb testing.TB)             // on WeChat's page, before the consent; may be nil
	Screenshot func(tb testing.TB, png []byte) // gets the entry page's screenshot; may be nil
}

// Result is what the browser saw.
type Result struct {
	Entry, AuthPage, Redirect, Callback Response
	AppID, Scopes                       string // as the callback page names them
}

// Authorize plays the admin: opens the entry page, clicks #authorize, lands
// (through our one 302) on WeChat's page, clicks #confirm and lands on our
// callback. It fails tb unless each page is 200, the redirect is ours, our
// answers carry the security headers and no script ran; it returns what
// the callback page names.
func Authorize(tb testing.TB, b *Browser, f Flow) Result {
	tb.Helper()
	var r Result
	r.Entry = b.Open(tb, f.Base+pathAuthorize+"?"+f.Query.Encode())
	if r.Entry.Status != 200 {
		tb.Fatalf("entry page: status %d; want 200", r.Entry.Status)
	}
	CheckHeaders(tb, "entry page", r.Entry)
	CheckNoScriptRan(tb, "entry page", b)
	if f.Screenshot != nil {
		f.Screenshot(tb, b.Screenshot(tb))
	}
	if f.Viewed != nil {
		f.Viewed(tb)
	}

	before := len(b.Redirects())
	r.AuthPage = b.Click(tb, "authorize")
	if u, _ := url.Parse(r.AuthPage.URL); r.AuthPage.Status != 200 || u == nil || u.Path != f.AuthPage {
		tb.Fatalf("click landed on %d %s; want 200 on %s", r.AuthPage.Status, r.AuthPage.URL, f.AuthPage)
	}
	redirects := b.Redirects()[before:]
	if len(redirects) != 1 || !strings.HasPrefix(redirects[0].URL, f.Base+pathAuthorizeGo) || redirects[0].Status != 302 {
		tb.Fatalf("redirects = %+v; want our one 302 from %s", redirects, pathAuthorizeGo)
	}
	r.Redirect = redirects[0]
	CheckHeaders(tb, "redirect", r.Redirect)
	if f.Clicked != nil {
		f.Clicked(tb)
	}

	r.Callback = b.Click(tb, "confirm")
	if !strings.HasPrefix(r.Callback.URL, f.Base+pathCallback+"?") || r.Callback.Status != 200 {
		tb.Fatalf("confirm landed on %d %s; want 200 on %s", r.Callback.Status, r.Callback.URL, pathCallback)
	}
	CheckHeaders(tb, "callback page", r.Callback)
	CheckNoScriptRan(tb, "callback page", b)
	r.AppID, _ = b.Text(tb, "appid")
	r.Scopes, _ = b.Text(tb, "scopes")
	return r
}

// CheckHeaders fails tb unless r carries the headers of every onboarding
// page and redirect: no-store, nosniff, strict-origin-when-cross-origin, and
// a Content-Security-Policy with no script source and frame-ancestors 'none'.
func CheckHeaders(tb testing.TB, what string, r Response) {
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

// CheckNoScriptRan fails tb if a dialog opened or window.__x is set: put
// a script that sets it in every query parameter.
func CheckNoScriptRan(tb testing.TB, what string, b *Browser) {
	tb.Helper()
	if d := b.Dialogs(); len(d) != 0 {
		tb.Errorf("%s: dialogs %q; want none", what, d)
	}
	if g := b.Global(tb, "__x"); g != "undefined" {
		tb.Errorf("%s: typeof window.__x = %q; want undefined", what, g)
	}
}

// XSS is a value for every query parameter: a script and an event handler
// that set window.__x and open a dialog, which must run nowhere.
const XSS = `<script>window.__x=1;alert(1)</script>"><img src=x onerror="window.__x=1;alert(2)">`
