package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/onboard"
	"github.com/wxindustry/getindustry/internal/onboard/onboardtest"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// browserless is an HTTP client that keeps cookies and stops at redirects.
func browserless(tb testing.TB) *http.Client {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// get fetches url with c (optionally as a phone) and returns the response
// and its body.
func get(tb testing.TB, c *http.Client, rawURL, ua string) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if ua != "" {
		req.Header.Set("User-Agent", ua)
	}
	res, err := c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// wantPageHeaders fails unless res carries the onboarding's security headers.
func wantPageHeaders(tb testing.TB, what string, res *http.Response) {
	tb.Helper()
	onboardtest.CheckHeaders(tb, what, onboardtest.Response{URL: res.Request.URL.String(), Status: res.StatusCode, Header: res.Header})
}

// TestOnboardingRoutes serves the three routes through the function's
// Function URL handling: the page view calls no WeChat API, the click one
// api_create_preauthcode and redirects to WeChat's page with redirect_uri
// on the event's domainName (never the Host header), the callback writes
// the account; every answer carries the security headers.
func TestOnboardingRoutes(t *testing.T) {
	e := newEnv(t)
	e.pushTicket(t)
	e.mustRun(t, e.h, `{"action":"refresh"}`)
	base := strings.TrimSuffix(e.url, "/component/events")
	c := browserless(t)
	calls := e.wechatCalls() + e.sim.ComponentCalls("api_create_preauthcode")

	res, body := get(t, c, base+onboard.PathAuthorize+"?auth_type=2", "")
	if res.StatusCode != 200 || !strings.Contains(body, `id="authorize"`) || !strings.Contains(body, "auth_type=2") {
		t.Fatalf("entry page: %d\n%s", res.StatusCode, body)
	}
	wantPageHeaders(t, "entry page", res)
	if n := e.wechatCalls() + e.sim.ComponentCalls("api_create_preauthcode"); n != calls {
		t.Errorf("page view: %d WeChat calls; want 0", n-calls)
	}

	for _, tc := range []struct{ ua, path string }{{onboardtest.DesktopUA, wxtest.PathComponentLoginPage}, {onboardtest.PhoneUA, wxtest.PathBindComponent}} {
		before := e.sim.ComponentCalls("api_create_preauthcode")
		res, _ = get(t, c, base+onboard.PathAuthorizeGo+"?auth_type=2", tc.ua)
		loc, err := url.Parse(res.Header.Get("Location"))
		if res.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), e.wxURL+tc.path+"?") {
			t.Fatalf("click as %.20s: %d Location %q; want 302 to %s", tc.ua, res.StatusCode, res.Header.Get("Location"), tc.path)
		}
		wantPageHeaders(t, "redirect", res)
		q := loc.Query()
		if want := "https://" + frontDomain + onboard.PathCallback; q.Get("redirect_uri") != want || q.Get("component_appid") != componentAppID || q.Get("auth_type") != "2" {
			t.Errorf("Location query %v; want redirect_uri %s (the event's domainName, not the Host header)", q, want)
		}
		if n := e.sim.ComponentCalls("api_create_preauthcode") - before; n != 1 {
			t.Errorf("click: %d api_create_preauthcode; want 1", n)
		}
	}

	appID, code, err := e.sim.AuthorizeAccount(1, 7)
	if err != nil {
		t.Fatal(err)
	}
	res, body = get(t, c, base+onboard.PathCallback+"?auth_code="+url.QueryEscape(code)+"&expires_in=3600", "")
	if res.StatusCode != 200 || !strings.Contains(body, appID) || strings.Contains(body, code) {
		t.Fatalf("callback: %d, page names %s: %v, holds the code: %v", res.StatusCode, appID, strings.Contains(body, appID), strings.Contains(body, code))
	}
	wantPageHeaders(t, "callback page", res)
	e.wantServing(t, appID)
	if res, _ = get(t, c, base+onboard.PathCallback+"?auth_code=unknown", ""); res.StatusCode != 400 {
		t.Errorf("callback with an unknown code: %d; want 400", res.StatusCode)
	}
	e.noSecretIn(t, "the logs", e.logs.String(), appID)
	if strings.Contains(e.logs.String(), code) {
		t.Errorf("the logs hold the authorization code:\n%s", e.logs.String())
	}
	var pages, pushes, refused float64
	for _, line := range strings.Split(strings.TrimSpace(e.logs.String()), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if rec["msg"] == "page" {
			pages++
		}
		if rec["_aws"] != nil {
			p, _ := rec["Pushes"].(float64)
			r, _ := rec["PushesRefused"].(float64)
			pushes, refused = pushes+p, refused+r
		}
	}
	if pages != 5 || pushes != 1 || refused != 0 {
		t.Errorf("%v page summary lines, Pushes %v, PushesRefused %v; want 5, 1 (the ticket), 0", pages, pushes, refused)
	}
}

// TestOnboardingKey: with onboard_key in the credentials secret the routes
// want the key, then the cookie; without either they answer 403 with no
// WeChat call; a rotated key takes effect once the credentials are read
// again (credentialsTTL); a secret that cannot be read answers the 500
// page with the headers.
func TestOnboardingKey(t *testing.T) {
	e := newEnv(t)
	const key1, key2 = "SENTINEL-onboard-key-1", "SENTINEL-onboard-key-2"
	e.sm.SetSecret(secretID, strings.TrimSuffix(credsJSON, "}")+`,"onboard_key":"`+key1+`"}`)
	e.pushTicket(t)
	e.mustRun(t, e.h, `{"action":"refresh"}`)
	base := strings.TrimSuffix(e.url, "/component/events")

	for _, p := range []string{onboard.PathAuthorize, onboard.PathAuthorizeGo, onboard.PathCallback + "?auth_code=x"} {
		res, _ := get(t, browserless(t), base+p, "")
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s without the key: %d; want 403", p, res.StatusCode)
		}
		wantPageHeaders(t, p, res)
	}
	if n := e.sim.ComponentCalls("api_create_preauthcode") + e.sim.ComponentCalls("api_query_auth"); n != 0 {
		t.Errorf("refused requests made %d WeChat calls; want 0", n)
	}
	c := browserless(t)
	if res, _ := get(t, c, base+onboard.PathAuthorize+"?key="+key1, ""); res.StatusCode != 200 || len(res.Cookies()) != 1 {
		t.Fatalf("entry page with the key: %d, cookies %v; want 200 and the access cookie", res.StatusCode, res.Cookies())
	}
	res, _ := get(t, c, base+onboard.PathAuthorizeGo, "")
	if res.StatusCode != http.StatusFound || strings.Contains(res.Header.Get("Location"), key1) {
		t.Fatalf("click with the cookie: %d %q; want 302 without the key", res.StatusCode, res.Header.Get("Location"))
	}

	e.sm.SetSecret(secretID, strings.TrimSuffix(credsJSON, "}")+`,"onboard_key":"`+key2+`"}`)
	e.clock.Advance(credentialsTTL)
	if res, _ := get(t, browserless(t), base+onboard.PathAuthorize+"?key="+key1, ""); res.StatusCode != http.StatusForbidden {
		t.Errorf("the old key after rotation: %d; want 403", res.StatusCode)
	}
	if res, _ := get(t, browserless(t), base+onboard.PathAuthorize+"?key="+key2, ""); res.StatusCode != 200 {
		t.Errorf("the new key after rotation: %d; want 200", res.StatusCode)
	}
	if strings.Contains(e.logs.String(), "onboard-key") {
		t.Errorf("the logs hold the key:\n%s", e.logs.String())
	}

	e.sm.SetSecret(secretID, `not json`)
	e.clock.Advance(credentialsTTL)
	res, _ = get(t, browserless(t), base+onboard.PathAuthorize, "")
	if res.StatusCode != http.StatusInternalServerError {
		t.Errorf("entry page without usable credentials: %d; want 500", res.StatusCode)
	}
	wantPageHeaders(t, "500 page", res)
}

// TestAuthorizeURL: the direct authorize_url invoke answers both of
// WeChat's pages for one pre_auth_code, and InvalidRequest, with no WeChat
// call, for a bad redirect_uri, auth_type or biz_appid.
func TestAuthorizeURL(t *testing.T) {
	e := newEnv(t)
	e.pushTicket(t)
	e.mustRun(t, e.h, `{"action":"refresh"}`)
	out, err := e.h.Invoke(lambdaCtx(t), []byte(`{"action":"authorize_url","redirect_uri":"https://platform.example/back?x=1","auth_type":3,"biz_appid":"wx0123456789abcdef"}`))
	var urls onboard.AuthorizeURLs
	if err != nil || json.Unmarshal(out, &urls) != nil {
		t.Fatalf("authorize_url = %s, %v", out, err)
	}
	pc, _ := url.Parse(urls.PCURL)
	h5, _ := url.Parse(urls.H5URL)
	if urls.ExpiresIn != 600 || pc == nil || h5 == nil || pc.Path != wxtest.PathComponentLoginPage || h5.Path != wxtest.PathBindComponent ||
		pc.Query().Get("redirect_uri") != "https://platform.example/back?x=1" || pc.Query().Get("pre_auth_code") != h5.Query().Get("pre_auth_code") ||
		pc.Query().Get("auth_type") != "3" || h5.Query().Get("biz_appid") != "wx0123456789abcdef" {
		t.Errorf("authorize_url = %s; want both pages for one code, the redirect_uri and parameters as given", out)
	}
	if n := e.sim.ComponentCalls("api_create_preauthcode"); n != 1 {
		t.Errorf("api_create_preauthcode calls = %d; want 1", n)
	}
	for name, payload := range map[string]string{
		"http redirect_uri": `{"action":"authorize_url","redirect_uri":"http://platform.example/back"}`,
		"no redirect_uri":   `{"action":"authorize_url"}`,
		"auth_type 4":       `{"action":"authorize_url","redirect_uri":"https://platform.example/","auth_type":4}`,
		"auth_type string":  `{"action":"authorize_url","redirect_uri":"https://platform.example/","auth_type":"1"}`,
		"bad biz_appid":     `{"action":"authorize_url","redirect_uri":"https://platform.example/","biz_appid":"<script>"}`,
	} {
		_, ie := e.run(t, e.h, payload)
		if ie == nil || ie.Type != typeInvalidRequest || strings.Contains(ie.Message, "onboard:") {
			t.Errorf("%s: %+v; want InvalidRequest with onboard's reason", name, ie)
		}
	}
	if n := e.sim.ComponentCalls("api_create_preauthcode"); n != 1 {
		t.Errorf("api_create_preauthcode calls after refused requests = %d; want still 1", n)
	}
	e.sm.SetSecret(secretID, `{}`)
	e.clock.Advance(credentialsTTL + time.Second)
	if _, ie := e.run(t, e.h, `{"action":"authorize_url","redirect_uri":"https://platform.example/"}`); ie == nil || ie.Type != typeCredentialsUnavailable {
		t.Errorf("authorize_url without credentials: %+v; want CredentialsUnavailable", ie)
	}
}
