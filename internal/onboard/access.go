package onboard

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// CookieName is the cookie that carries access once the entry page was
// opened with the right key.
const CookieName = "onboard_access"

// cookieMaxAge is how long the access cookie lasts, in seconds: long enough
// for an admin to finish on WeChat's page.
const cookieMaxAge = 12 * 60 * 60

// cookieValue is the access cookie's value, an HMAC of a fixed label under
// the key (never the key); empty when there is no key.
type cookieValue string

// newCookieValue derives the cookie value from key.
func newCookieValue(key string) cookieValue {
	if key == "" {
		return ""
	}
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte("getindustry onboard access cookie v1"))
	return cookieValue(base64.RawURLEncoding.EncodeToString(m.Sum(nil)))
}

// accessResult is what access decided.
type accessResult int

const (
	accessOpen   accessResult = iota // no key configured, or the cookie
	accessByKey                      // the key in the query: set the cookie
	accessDenied                     // neither: 403
)

// access checks the request against the key: open without one; else the
// cookie or the key parameter, compared in constant time.
func (h *Handler) access(r *http.Request) accessResult {
	if h.conf.Key == "" {
		return accessOpen
	}
	if k, ok := r.URL.Query()["key"]; ok && subtle.ConstantTimeCompare([]byte(k[0]), []byte(h.conf.Key)) == 1 {
		return accessByKey
	}
	if c, err := r.Cookie(CookieName); err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(h.cookie)) == 1 {
		return accessOpen
	}
	return accessDenied
}

// setCookie sets the access cookie: HttpOnly, SameSite=Lax (sent on WeChat's
// top-level redirect back to the callback), on our routes only, Secure
// unless the public base is http on a loopback host.
func (h *Handler) setCookie(w http.ResponseWriter, base string) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: string(h.cookie), Path: "/component/",
		MaxAge: cookieMaxAge, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: !strings.HasPrefix(base, "http://")})
}

// domainKey is the context key of the request's domain name.
type domainKey struct{}

// WithDomainName returns ctx carrying the domain name the request was sent
// to, as AWS reports it in the event (a Function URL's
// requestContext.domainName), never the Host header. Without
// Config.PublicBaseURL the public base is "https://" + this name.
func WithDomainName(ctx context.Context, domainName string) context.Context {
	return context.WithValue(ctx, domainKey{}, domainName)
}

// publicBase is Config.PublicBaseURL, else "https://" + the domain name in
// ctx; ok is false when there is neither or the name is not a bare host.
func (h *Handler) publicBase(ctx context.Context) (string, bool) {
	if h.conf.PublicBaseURL != "" {
		return h.conf.PublicBaseURL, true
	}
	d, _ := ctx.Value(domainKey{}).(string)
	if d == "" {
		return "", false
	}
	u, err := url.Parse("https://" + d)
	if err != nil || u.Host != d || u.Path != "" || u.User != nil {
		return "", false
	}
	return "https://" + d, true
}

// isLoopback reports whether host is localhost or a loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
