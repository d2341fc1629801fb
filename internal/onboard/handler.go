package onboard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/wxindustry/getindustry/internal/wx"
)

// The routes Handler serves; the function mounts Handler on all three.
const (
	PathAuthorize   = "/component/authorize"    // the entry page
	PathAuthorizeGo = "/component/authorize/go" // the click: one pre_auth_code, 302 to WeChat
	PathCallback    = "/component/callback"     // WeChat's redirect back with auth_code
)

// WeChat's hosts of the authorization page, used when Config leaves them empty.
const (
	DefaultAuthPageBaseURL = "https://mp.weixin.qq.com"
	DefaultH5BaseURL       = "https://open.weixin.qq.com"
)

// PreAuthCoder asks WeChat for a pre_auth_code (api_create_preauthcode). The
// platform token service implements it with its component_access_token.
type PreAuthCoder interface {
	CreatePreAuthCode(ctx context.Context) (code string, expiresIn int, err error)
}

// Authorizer exchanges an authorization code for the account that granted it.
// The platform token service implements it with exactly one api_query_auth
// per code, shared with the authorized push for the same code, whichever
// comes first, and writes the account's item before it returns; for a code
// already exchanged it answers from its table without calling WeChat. It
// returns an error that wraps ErrRefused (or a *wx.Error with errcode 61009
// or 61010) for a code WeChat refuses or the service does not know.
type Authorizer interface {
	Authorize(ctx context.Context, authCode string) (Account, error)
}

// Account is an authorized account as the callback page shows it.
type Account struct {
	AppID      string // authorizer_appid
	FuncScopes []int  // the granted permission sets (funcscope_category ids)
}

// ErrRefused is wrapped by an Authorizer's error for a code that is refused
// or unknown: the callback answers 400 and nothing is written.
var ErrRefused = errors.New("authorization code refused")

// ErrInvalidRequest is wrapped by AuthorizeURL's error for a request it
// refuses without calling WeChat; the function answers it as InvalidRequest.
var ErrInvalidRequest = errors.New("onboard: invalid request")

// Config is the onboarding's settings; see NewHandler.
type Config struct {
	ComponentAppID  string // the platform's component_appid
	PublicBaseURL   string // WX_PUBLIC_BASE_URL; "": "https://" + the request's domain (WithDomainName)
	AuthPageBaseURL string // WX_AUTH_PAGE_BASE_URL; "": DefaultAuthPageBaseURL
	H5BaseURL       string // WX_AUTH_H5_BASE_URL; "": DefaultH5BaseURL
	Key             string // onboard_key; "": the pages are open to anyone with the link
}

// Handler is the http.Handler of the onboarding routes. Create it with
// NewHandler; it is safe for concurrent use if its PreAuthCoder and
// Authorizer are.
type Handler struct {
	conf   Config
	codes  PreAuthCoder
	auth   Authorizer
	log    *slog.Logger
	cookie cookieValue
}

// NewHandler returns the onboarding handler. The base URLs must be https, or
// http on a loopback host, without a query; the component appid must be set.
// A nil log discards. It returns an error naming each bad setting.
func NewHandler(conf Config, codes PreAuthCoder, auth Authorizer, log *slog.Logger) (*Handler, error) {
	if conf.AuthPageBaseURL == "" {
		conf.AuthPageBaseURL = DefaultAuthPageBaseURL
	}
	if conf.H5BaseURL == "" {
		conf.H5BaseURL = DefaultH5BaseURL
	}
	var errs []error
	if conf.ComponentAppID == "" {
		errs = append(errs, errors.New("onboard: component appid must not be empty"))
	}
	for name, v := range map[string]*string{"WX_PUBLIC_BASE_URL": &conf.PublicBaseURL,
		"WX_AUTH_PAGE_BASE_URL": &conf.AuthPageBaseURL, "WX_AUTH_H5_BASE_URL": &conf.H5BaseURL} {
		if *v == "" {
			continue
		}
		if err := wx.CheckBaseURL(*v); err != nil {
			errs = append(errs, fmt.Errorf("onboard: %s: %w", name, err))
		}
		*v = strings.TrimSuffix(*v, "/")
	}
	if codes == nil || auth == nil {
		errs = append(errs, errors.New("onboard: PreAuthCoder and Authorizer must not be nil"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{conf: conf, codes: codes, auth: auth, log: log, cookie: newCookieValue(conf.Key)}, nil
}

// ServeHTTP serves the three routes with GET (the entry page with HEAD too:
// the routes that call WeChat never answer a HEAD) and 405 with Allow for
// another method, a 404 page for another path. Access (the key) is checked
// before anything else.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var serve func(http.ResponseWriter, *http.Request)
	switch r.URL.Path {
	case PathAuthorize:
		serve = h.entry
	case PathAuthorizeGo:
		serve = h.click
	case PathCallback:
		serve = h.callback
	default:
		h.problem(w, r, http.StatusNotFound)
		return
	}
	allow := "GET"
	if r.URL.Path == PathAuthorize {
		allow = "GET, HEAD"
	}
	if r.Method != http.MethodGet && !(r.Method == http.MethodHead && r.URL.Path == PathAuthorize) {
		w.Header().Set("Allow", allow)
		h.problem(w, r, http.StatusMethodNotAllowed)
		return
	}
	serve(w, r)
}

// entry serves the entry page: no WeChat call, one link to the click route
// with auth_type and biz_appid, and the access cookie when the key was given.
func (h *Handler) entry(w http.ResponseWriter, r *http.Request) {
	acc, p, base, ok := h.begin(w, r, "authorize")
	if !ok {
		return
	}
	if acc == accessByKey {
		h.setCookie(w, base)
	}
	q := url.Values{"auth_type": {strconv.Itoa(p.authType)}}
	if p.bizAppID != "" {
		q.Set("biz_appid", p.bizAppID)
	}
	h.render(w, r, http.StatusOK, pageEntry, pageData{Link: "authorize/go?" + q.Encode()})
}

// begin is what the entry page and the click check first, in this order:
// access (403), the parameters (400) and the public base URL (500). When
// one fails it has answered, and ok is false.
func (h *Handler) begin(w http.ResponseWriter, r *http.Request, route string) (acc accessResult, p params, base string, ok bool) {
	if acc = h.access(r); acc == accessDenied {
		h.problem(w, r, http.StatusForbidden)
		return acc, p, "", false
	}
	if p, ok = parseParams(r.URL.Query()); !ok {
		h.problem(w, r, http.StatusBadRequest)
		return acc, p, "", false
	}
	if base, ok = h.publicBase(r.Context()); !ok {
		h.log.LogAttrs(r.Context(), slog.LevelError, "no public base URL", slog.String("route", route))
		h.problem(w, r, http.StatusInternalServerError)
	}
	return acc, p, base, ok
}

// click costs one api_create_preauthcode and redirects to WeChat's page: the
// H5 one for a phone's User-Agent, else the PC one.
func (h *Handler) click(w http.ResponseWriter, r *http.Request) {
	_, p, base, ok := h.begin(w, r, "authorize/go")
	if !ok {
		return
	}
	code, _, err := h.codes.CreatePreAuthCode(r.Context())
	if err != nil {
		h.log.LogAttrs(r.Context(), slog.LevelError, "create pre-auth code failed", slog.Any("error", err))
		h.problem(w, r, http.StatusBadGateway)
		return
	}
	target, page := h.pcURL(code, base+PathCallback, p), "pc"
	if isPhone(r.UserAgent()) {
		target, page = h.h5URL(code, base+PathCallback, p), "h5"
	}
	h.log.LogAttrs(r.Context(), slog.LevelInfo, "redirect to authorization page", slog.String("page", page),
		slog.Int("auth_type", p.authType), slog.String("biz_appid", p.bizAppID))
	secureHeaders(w.Header())
	w.Header().Set("Location", target)
	w.WriteHeader(http.StatusFound)
}

// callback exchanges the authorization code through the Authorizer and
// names the account: 400 without a code or for a refused one, 502 when the
// exchange failed otherwise (a reload tries again).
func (h *Handler) callback(w http.ResponseWriter, r *http.Request) {
	if h.access(r) == accessDenied {
		h.problem(w, r, http.StatusForbidden)
		return
	}
	code := r.URL.Query().Get("auth_code")
	if code == "" || len(code) > maxAuthCodeLen {
		h.problem(w, r, http.StatusBadRequest)
		return
	}
	a, err := h.auth.Authorize(r.Context(), code)
	switch {
	case refused(err):
		h.log.LogAttrs(r.Context(), slog.LevelWarn, "authorization code refused", slog.String("error", scrub(err, code)))
		h.problem(w, r, http.StatusBadRequest)
		return
	case err != nil:
		h.log.LogAttrs(r.Context(), slog.LevelError, "authorization failed", slog.String("error", scrub(err, code)))
		h.problem(w, r, http.StatusBadGateway)
		return
	}
	h.log.LogAttrs(r.Context(), slog.LevelInfo, "account authorized", slog.String("appid", a.AppID),
		slog.Any("func_scopes", a.FuncScopes))
	h.render(w, r, http.StatusOK, pageDone, pageData{Account: &a})
}

// maxAuthCodeLen bounds an authorization code passed on to WeChat (WeChat's
// are about 60 characters).
const maxAuthCodeLen = 512

// refused reports whether err means the code itself was refused.
func refused(err error) bool {
	var we *wx.Error
	return errors.Is(err, ErrRefused) ||
		errors.As(err, &we) && (we.Code == wx.CodeAuthCodeInvalid || we.Code == wx.CodeAuthCodeExpired)
}

// scrub is err's text with the authorization code replaced, for a log line.
func scrub(err error, code string) string {
	return strings.ReplaceAll(err.Error(), code, "REDACTED")
}

// isPhone reports whether a User-Agent is WeChat's in-app browser or a phone's.
func isPhone(ua string) bool {
	return strings.Contains(ua, "MicroMessenger") || strings.Contains(ua, "Mobile")
}

// params are the entry and click routes' query, validated.
type params struct {
	authType int    // 1 Official Accounts, 2 Mini Programs, 3 both
	bizAppID string // the one account allowed to authorize, or ""
}

// appIDPattern is the shape of an appid.
var appIDPattern = regexp.MustCompile(`^wx[0-9a-f]{16}$`)

// parseParams reads auth_type (default 1; 1..3) and biz_appid (optional,
// ^wx[0-9a-f]{16}$).
func parseParams(q url.Values) (params, bool) {
	p := params{authType: 1, bizAppID: q.Get("biz_appid")}
	if s, ok := q["auth_type"]; ok {
		switch s[0] {
		case "1", "2", "3":
			p.authType = int(s[0][0] - '0')
		default:
			return p, false
		}
	}
	if _, ok := q["biz_appid"]; ok && !appIDPattern.MatchString(p.bizAppID) {
		return p, false
	}
	return p, true
}
