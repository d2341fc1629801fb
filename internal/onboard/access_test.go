package onboard

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestKey(t *testing.T) {
	f := &fakeService{}
	h, logs := newTestHandler(t, Config{Key: testKey}, f)

	// No key, a wrong key, a forged cookie: 403 everywhere, no WeChat call.
	for _, target := range []string{PathAuthorize, PathAuthorize + "?key=wrong", PathAuthorizeGo, PathCallback + "?auth_code=c"} {
		for _, cookie := range []string{"", "forged"} {
			res := serve(h, "GET", target, func(r *http.Request) {
				if cookie != "" {
					r.AddCookie(&http.Cookie{Name: CookieName, Value: cookie})
				}
			})
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("GET %s (cookie %q): status %d; want 403", target, cookie, res.StatusCode)
			}
			checkHeaders(t, res)
		}
	}
	if p, a := f.calls(); p != 0 || a != 0 {
		t.Fatalf("refused requests made %d pre-auth and %d authorize calls; want 0", p, a)
	}

	// The key: a page whose link has no key, and the cookie.
	res := serve(h, "GET", PathAuthorize+"?key="+url.QueryEscape(testKey), nil)
	b := body(t, res)
	if res.StatusCode != 200 {
		t.Fatalf("with the key: status %d; want 200", res.StatusCode)
	}
	cookies := res.Cookies()
	if len(cookies) != 1 || cookies[0].Name != CookieName {
		t.Fatalf("cookies = %v; want one %s", cookies, CookieName)
	}
	c := cookies[0]
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || !c.Secure || c.Path != "/component/" {
		t.Errorf("cookie = %+v; want HttpOnly, SameSite=Lax, Secure, Path=/component/", c)
	}
	if strings.Contains(c.Value, testKey) || strings.Contains(b, testKey) {
		t.Error("the key is in the cookie or on the page")
	}

	// The cookie opens the click and the callback.
	withCookie := func(r *http.Request) { r.AddCookie(&http.Cookie{Name: CookieName, Value: c.Value}) }
	res = serve(h, "GET", PathAuthorizeGo, withCookie)
	if res.StatusCode != http.StatusFound || strings.Contains(res.Header.Get("Location"), testKey) {
		t.Errorf("click with cookie: status %d, Location %q; want 302 without the key", res.StatusCode, res.Header.Get("Location"))
	}
	res = serve(h, "GET", PathCallback+"?auth_code=c", withCookie)
	if res.StatusCode != 200 {
		t.Errorf("callback with cookie: status %d; want 200", res.StatusCode)
	}
	// So does the key, and the callback with the key sets no cookie of its own.
	res = serve(h, "GET", PathAuthorizeGo+"?key="+url.QueryEscape(testKey), nil)
	if res.StatusCode != http.StatusFound || strings.Contains(res.Header.Get("Location"), url.QueryEscape(testKey)) {
		t.Errorf("click with key: status %d; want 302 without the key", res.StatusCode)
	}
	if strings.Contains(logs.String(), testKey) {
		t.Error("the key is in a log line")
	}
}

func TestCookieNotSecureOnLoopbackHTTP(t *testing.T) {
	h, _ := newTestHandler(t, Config{Key: testKey, PublicBaseURL: "http://127.0.0.1:8080"}, &fakeService{})
	res := serve(h, "GET", PathAuthorize+"?key="+url.QueryEscape(testKey), nil)
	if cs := res.Cookies(); len(cs) != 1 || cs[0].Secure {
		t.Errorf("cookies = %v; want one, not Secure", cs)
	}
}

func TestDomainNameChecked(t *testing.T) {
	h, _ := newTestHandler(t, Config{}, &fakeService{})
	for _, d := range []string{"", "a.example/x", "u@a.example", "a.example?x"} {
		r := httptestRequest(PathAuthorizeGo)
		r = r.WithContext(WithDomainName(r.Context(), d))
		w := newRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 500 {
			t.Errorf("domain %q: status %d; want 500", d, w.Code)
		}
	}
}
