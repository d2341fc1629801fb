package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/wxindustry/getindustry/internal/onboard"
)

var (
	goLink     = regexp.MustCompile(`href="((?:/component/)?authorize/go[^"]*)"`)
	formAction = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	formInput  = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
	appIDRe    = regexp.MustCompile(`wx[0-9a-f]{16}`)
)

// browser is what the onboarding flow needs of a browser: one request at a
// time, no redirect followed by itself, the Referer set, and cookies kept
// by hand (the onboarding cookie is Secure; browsers send it to loopback
// over http, Go's cookie jar does not).
type browser struct {
	client  *http.Client
	cookies map[string]string
}

func newBrowser() *browser {
	return &browser{cookies: map[string]string{}, client: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends one request and returns the status, the Location and the body.
func (b *browser) do(ctx context.Context, method, u, referer string, form url.Values) (int, string, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return 0, "", "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if referer != "" {
		req.Header.Set("Referer", referer)
	}
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		b.cookies[c.Name] = c.Value
	}
	out, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, "", "", err
	}
	loc := resp.Header.Get("Location")
	if loc != "" {
		if l, err := req.URL.Parse(loc); err == nil {
			loc = l.String()
		}
	}
	return resp.StatusCode, loc, string(out), nil
}

// onboardOnce clicks through the onboarding flow without a browser, from
// base's entry page to the callback page, printing one line a step, and
// returns the appid the callback page names. No code or token is printed.
func onboardOnce(ctx context.Context, base string, stdout io.Writer) (string, error) {
	b := newBrowser()
	entry := base + onboard.PathAuthorize
	status, _, page, err := b.do(ctx, http.MethodGet, entry, "", nil)
	if err != nil {
		return "", err
	}
	m := goLink.FindStringSubmatch(page)
	if status != http.StatusOK || m == nil {
		return "", fmt.Errorf("onboarding: GET %s: HTTP %d, no link to %s", onboard.PathAuthorize, status, onboard.PathAuthorizeGo)
	}
	fmt.Fprintf(stdout, "onboarding: GET %s: HTTP %d, the entry page links to %s\n", onboard.PathAuthorize, status, onboard.PathAuthorizeGo)
	status, wechat, _, err := b.do(ctx, http.MethodGet, resolve(entry, html.UnescapeString(m[1])), entry, nil)
	if err != nil {
		return "", err
	}
	if status != http.StatusFound || wechat == "" {
		return "", fmt.Errorf("onboarding: the click: HTTP %d; want 302 to WeChat", status)
	}
	wu, _ := url.Parse(wechat)
	fmt.Fprintf(stdout, "onboarding: the click: HTTP %d to the (simulated) WeChat page %s\n", status, wu.Path)
	status, _, page, err = b.do(ctx, http.MethodGet, wechat, entry, nil)
	if err != nil {
		return "", err
	}
	action := formAction.FindStringSubmatch(page)
	if status != http.StatusOK || action == nil {
		return "", fmt.Errorf("onboarding: WeChat's page: HTTP %d, no confirm form", status)
	}
	form := url.Values{}
	for _, in := range formInput.FindAllStringSubmatch(page, -1) {
		form.Add(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
	}
	status, callback, _, err := b.do(ctx, http.MethodPost, wu.ResolveReference(&url.URL{Path: html.UnescapeString(action[1])}).String(), wechat, form)
	if err != nil {
		return "", err
	}
	cu, _ := url.Parse(callback)
	if status != http.StatusFound || cu == nil || cu.Path != onboard.PathCallback {
		return "", fmt.Errorf("onboarding: confirm: HTTP %d to %q; want 302 to the callback", status, cu)
	}
	fmt.Fprintf(stdout, "onboarding: the admin confirms: HTTP %d back to %s (with the authorization code)\n", status, onboard.PathCallback)
	status, _, page, err = b.do(ctx, http.MethodGet, callback, wechat, nil)
	if err != nil {
		return "", err
	}
	appID := appIDRe.FindString(page)
	if status != http.StatusOK || appID == "" {
		return "", fmt.Errorf("onboarding: callback page: HTTP %d, no account named", status)
	}
	fmt.Fprintf(stdout, "onboarding: callback page: HTTP %d, names the account %s\n", status, appID)
	return appID, nil
}

// resolve returns ref relative to base.
func resolve(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := b.Parse(ref)
	if err != nil {
		return ref
	}
	return r.String()
}
