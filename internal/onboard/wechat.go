package onboard

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Paths of WeChat's authorization pages.
const (
	PathComponentLoginPage = "/cgi-bin/componentloginpage"    // PC, on WX_AUTH_PAGE_BASE_URL
	PathBindComponent      = "/wxaopen/safe/bindcomponent"    // H5, on WX_AUTH_H5_BASE_URL
	h5Fragment             = "#wechat_redirect"               // WeChat's H5 pages want it
	h5Prefix               = "action=bindcomponent&no_scan=1" // the H5 page's fixed parameters
)

// pcURL is WeChat's PC authorization page for a pre_auth_code, parameters in
// WeChat's documented order.
func (h *Handler) pcURL(code, redirectURI string, p params) string {
	return h.conf.AuthPageBaseURL + PathComponentLoginPage + "?" + authQuery(h.conf.ComponentAppID, code, redirectURI, p)
}

// h5URL is WeChat's H5 authorization page (a phone, or WeChat's browser).
func (h *Handler) h5URL(code, redirectURI string, p params) string {
	return h.conf.H5BaseURL + PathBindComponent + "?" + h5Prefix + "&" +
		authQuery(h.conf.ComponentAppID, code, redirectURI, p) + h5Fragment
}

// authQuery is component_appid, pre_auth_code, redirect_uri, auth_type and
// biz_appid (when set), escaped.
func authQuery(appID, code, redirectURI string, p params) string {
	var b strings.Builder
	b.WriteString("component_appid=" + url.QueryEscape(appID))
	b.WriteString("&pre_auth_code=" + url.QueryEscape(code))
	b.WriteString("&redirect_uri=" + url.QueryEscape(redirectURI))
	b.WriteString("&auth_type=" + strconv.Itoa(p.authType))
	if p.bizAppID != "" {
		b.WriteString("&biz_appid=" + p.bizAppID)
	}
	return b.String()
}

// AuthorizeURLRequest is the direct invocation
// {"action":"authorize_url","redirect_uri":"https://…"[,"auth_type":N][,"biz_appid":"wx…"]}.
type AuthorizeURLRequest struct {
	Action      string `json:"action"`       // "authorize_url"; the function routes on it
	RedirectURI string `json:"redirect_uri"` // https, or http on a loopback host
	AuthType    *int   `json:"auth_type"`    // 1..3; nil: 1
	BizAppID    string `json:"biz_appid"`    // optional
}

// AuthorizeURLs is AuthorizeURL's answer: both pages for one pre_auth_code.
type AuthorizeURLs struct {
	PCURL     string `json:"pc_url"`
	H5URL     string `json:"h5_url"`
	ExpiresIn int    `json:"expires_in"` // seconds the pre_auth_code has left
}

// AuthorizeURL answers the direct invocation for platforms whose own web app
// holds the entry page (a link on a page of the registered domain, with
// redirect_uri on it too): one api_create_preauthcode, and WeChat's PC and H5
// authorization pages for it. It returns an error wrapping ErrInvalidRequest
// for a bad redirect_uri, auth_type or biz_appid (no WeChat call), else the
// PreAuthCoder's error wrapped.
func (h *Handler) AuthorizeURL(ctx context.Context, in AuthorizeURLRequest) (*AuthorizeURLs, error) {
	p := params{authType: 1, bizAppID: in.BizAppID}
	if in.AuthType != nil {
		p.authType = *in.AuthType
	}
	switch {
	case !redirectURIOK(in.RedirectURI):
		return nil, fmt.Errorf("onboard: authorize_url: redirect_uri %q: want an absolute https URL (http only on a loopback host): %w", in.RedirectURI, ErrInvalidRequest)
	case p.authType < 1 || p.authType > 3:
		return nil, fmt.Errorf("onboard: authorize_url: auth_type %d: want 1, 2 or 3: %w", p.authType, ErrInvalidRequest)
	case p.bizAppID != "" && !appIDPattern.MatchString(p.bizAppID):
		return nil, fmt.Errorf("onboard: authorize_url: biz_appid %q: want wx and 16 hex digits: %w", p.bizAppID, ErrInvalidRequest)
	}
	code, expiresIn, err := h.codes.CreatePreAuthCode(ctx)
	if err != nil {
		return nil, fmt.Errorf("onboard: authorize_url: %w", err)
	}
	return &AuthorizeURLs{PCURL: h.pcURL(code, in.RedirectURI, p), H5URL: h.h5URL(code, in.RedirectURI, p), ExpiresIn: expiresIn}, nil
}

// redirectURIOK reports whether raw is an absolute https URL, or http on a
// loopback host, with a host, no user info and no fragment.
func redirectURIOK(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return false
	}
	return u.Scheme == "https" || u.Scheme == "http" && isLoopback(u.Hostname())
}
