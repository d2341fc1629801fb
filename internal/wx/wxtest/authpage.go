package wxtest

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Paths of WeChat's authorization pages the Simulator serves: the PC page
// (mp.weixin.qq.com) and the H5 page (open.weixin.qq.com).
const (
	PathComponentLoginPage = "/cgi-bin/componentloginpage"
	PathBindComponent      = "/wxaopen/safe/bindcomponent"
)

// PushOrder is the order in which a confirmed authorization reaches the
// platform: WeChat sends the authorized push and redirects the browser to
// the callback at about the same time, so a platform must cope with both.
type PushOrder int

const (
	// PushBeforeRedirect sends the push, waits for its answer, then redirects.
	PushBeforeRedirect PushOrder = iota
	// RedirectBeforePush redirects and holds the push until SendHeldPushes,
	// so that a test sees the callback first.
	RedirectBeforePush
)

// AuthPage configures the simulated authorization page.
type AuthPage struct {
	// Domain is the platform's registered "authorization initiation page
	// domain": the Referer and the redirect_uri must be on it. A bare host
	// matches any port; host:port matches that port only.
	Domain      string
	ReceiverURL string    // where the authorized push goes; "": no push
	Order       PushOrder // push first (default) or redirect first
	Funcs       []int     // the permission sets the admin grants; none: 1, 2, 3
}

// AuthPageStats counts what the authorization page did.
type AuthPageStats struct {
	Views       int    // pages shown with a confirm button
	Refused     int    // requests refused (page views and confirms)
	Confirmed   int    // authorizations confirmed
	LastRefusal string // the reason of the last refusal
	Pushes      []PushResult
}

// authPageState is the authorization page's side, guarded by s.mu.
type authPageState struct {
	conf  AuthPage
	used  map[string]bool // pre_auth_codes consumed by a confirm
	held  []heldPush      // pushes waiting for SendHeldPushes
	stats AuthPageStats
}

// heldPush is an authorized push not sent yet.
type heldPush struct{ url, appID, code string }

// SetAuthPage configures the authorization page; until it is called, the
// page refuses every request. Counts and held pushes are kept.
func (s *Simulator) SetAuthPage(p AuthPage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p.Funcs = append([]int(nil), p.Funcs...)
	s.ap.conf = p
	if s.ap.used == nil {
		s.ap.used = map[string]bool{}
	}
}

// AuthPageStats returns the authorization page's counts.
func (s *Simulator) AuthPageStats() AuthPageStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.ap.stats
	st.Pushes = append([]PushResult(nil), st.Pushes...)
	return st
}

// SendHeldPushes sends the pushes RedirectBeforePush held back, in order,
// and returns their answers; the first failure stops it.
func (s *Simulator) SendHeldPushes(ctx context.Context) ([]PushResult, error) {
	s.mu.Lock()
	held := s.ap.held
	s.ap.held = nil
	s.mu.Unlock()
	var out []PushResult
	for _, p := range held {
		res, err := s.PushAuthorized(ctx, p.url, p.appID, p.code, false)
		if err != nil {
			return out, err
		}
		s.recordPush(res)
		out = append(out, res)
	}
	return out, nil
}

// authPage serves both authorization pages: GET shows the confirm button
// after WeChat's checks, POST is the admin's consent.
func (s *Simulator) authPage(w http.ResponseWriter, r *http.Request) {
	h5 := r.URL.Path == PathBindComponent
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		q := r.URL.Query()
		if why := s.checkAuthRequest(q, h5, r.Referer(), true); why != "" {
			writeAuthPage(w, http.StatusForbidden, refusalTemplate, why)
			return
		}
		writeAuthPage(w, http.StatusOK, confirmTemplate, confirmData{Action: r.URL.Path, Fields: q})
	case http.MethodPost:
		s.consent(w, r, h5)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		writeAuthPage(w, http.StatusMethodNotAllowed, refusalTemplate, "method not allowed")
	}
}

// consent checks the form again, consumes the pre_auth_code, authorizes the
// account (biz_appid's, else a new one), then pushes and redirects in the
// configured order.
func (s *Simulator) consent(w http.ResponseWriter, r *http.Request, h5 bool) {
	if err := r.ParseForm(); err != nil {
		writeAuthPage(w, http.StatusBadRequest, refusalTemplate, "bad form")
		return
	}
	q := r.PostForm
	s.mu.Lock()
	if why := s.countLocked(s.authRefusalLocked(q, h5, "", false), false); why != "" {
		s.mu.Unlock()
		writeAuthPage(w, http.StatusForbidden, refusalTemplate, why)
		return
	}
	s.ap.used[q.Get("pre_auth_code")] = true
	funcs := s.ap.conf.Funcs
	if len(funcs) == 0 {
		funcs = []int{1, 2, 3}
	}
	appID, code := s.consentLocked(q.Get("biz_appid"), funcs)
	conf := s.ap.conf
	s.ap.stats.Confirmed++
	if conf.ReceiverURL != "" && conf.Order == RedirectBeforePush {
		s.ap.held = append(s.ap.held, heldPush{conf.ReceiverURL, appID, code})
	}
	s.mu.Unlock()
	if conf.ReceiverURL != "" && conf.Order == PushBeforeRedirect {
		res, err := s.PushAuthorized(r.Context(), conf.ReceiverURL, appID, code, false)
		if err != nil {
			res = PushResult{Body: err.Error()}
		}
		s.recordPush(res)
	}
	back, _ := url.Parse(q.Get("redirect_uri"))
	bq := back.Query()
	bq.Set("auth_code", code)
	bq.Set("expires_in", strconv.Itoa(int(AuthCodeLifetime.Seconds())))
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// consentLocked authorizes bizAppID's account, made if new, or a new
// account when bizAppID is empty, and returns its appid and code.
func (s *Simulator) consentLocked(bizAppID string, funcs []int) (appID, code string) {
	a := s.cs.accounts[bizAppID]
	if a == nil {
		if appID = bizAppID; appID == "" {
			appID = "wx" + randomHex(8)
		}
		a = &account{appID: appID, tokens: map[string]*issuedToken{}}
		s.cs.accounts[appID] = a
		s.cs.order = append(s.cs.order, a)
	}
	return a.appID, s.authorizeLocked(a, funcs)
}

// recordPush keeps a push's answer for AuthPageStats.
func (s *Simulator) recordPush(res PushResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ap.stats.Pushes = append(s.ap.stats.Pushes, res)
}

// bizAppIDPattern is the shape of an appid.
var bizAppIDPattern = regexp.MustCompile(`^wx[0-9a-f]{16}$`)

// checkAuthRequest is WeChat's check of an authorization page request: the
// Referer on the registered domain (page views only), the platform's
// component_appid, a pre_auth_code it issued, unused and under 600 s old on
// the simulator's clock, a redirect_uri on the domain, auth_type 1..3 and a
// well-formed biz_appid; the H5 page also wants action=bindcomponent and
// no_scan=1. It returns why it refuses, or "", and counts.
func (s *Simulator) checkAuthRequest(q url.Values, h5 bool, referer string, view bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.countLocked(s.authRefusalLocked(q, h5, referer, view), view)
}

// countLocked counts a refusal (why != "") or a page view, and returns why.
func (s *Simulator) countLocked(why string, view bool) string {
	switch {
	case why != "":
		s.ap.stats.Refused++
		s.ap.stats.LastRefusal = why
	case view:
		s.ap.stats.Views++
	}
	return why
}

// authRefusalLocked does checkAuthRequest's checks under s.mu.
func (s *Simulator) authRefusalLocked(q url.Values, h5 bool, referer string, view bool) string {
	domain := s.ap.conf.Domain
	code := q.Get("pre_auth_code")
	exp, issued := s.cs.preAuth[code]
	switch {
	case domain == "" || s.cs.codec == nil:
		return "authorization page not configured (SetComponent and SetAuthPage)"
	case view && referer == "":
		return "授权入口页所在域名：空 (authorization entry page domain: empty)"
	case view && !onDomain(referer, domain):
		return "授权入口页所在域名与授权发起页域名不符 (Referer not on the authorization initiation page domain)"
	case q.Get("component_appid") != s.cs.conf.AppID:
		return "component_appid 无效 (invalid component_appid)"
	case code == "" || !issued:
		return "pre_auth_code 无效 (unknown pre_auth_code)"
	case s.ap.used[code]:
		return "pre_auth_code 已使用 (pre_auth_code already used)"
	case !s.nowLocked().Before(exp):
		return "pre_auth_code 已过期 (pre_auth_code expired)"
	case !onDomain(q.Get("redirect_uri"), domain):
		return "redirect_uri 不在授权发起页域名下 (redirect_uri not on the authorization initiation page domain)"
	case !validAuthType(q):
		return "auth_type 无效 (invalid auth_type)"
	case q.Has("biz_appid") && !bizAppIDPattern.MatchString(q.Get("biz_appid")):
		return "biz_appid 无效 (invalid biz_appid)"
	case h5 && (q.Get("action") != "bindcomponent" || q.Get("no_scan") != "1"):
		return "action=bindcomponent&no_scan=1 missing"
	}
	return ""
}

// validAuthType reports whether auth_type is absent or 1..3.
func validAuthType(q url.Values) bool {
	if !q.Has("auth_type") {
		return true
	}
	n, err := strconv.Atoi(q.Get("auth_type"))
	return err == nil && n >= 1 && n <= 3
}

// onDomain reports whether the absolute http(s) URL raw is on domain (a bare
// host: any port; host:port: that one).
func onDomain(raw, domain string) bool {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return false
	}
	if strings.Contains(domain, ":") {
		return strings.EqualFold(u.Host, domain)
	}
	return strings.EqualFold(u.Hostname(), domain)
}

// confirmData is the confirm page's form: the request's parameters, posted
// back to the same page.
type confirmData struct {
	Action string
	Fields url.Values
}

// The simulator's pages, plain and escaped.
var (
	confirmTemplate = template.Must(template.New("confirm").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>公众号授权 (simulated WeChat)</title></head>
<body><h1>授权给第三方平台</h1><p>Simulated WeChat authorization page: the admin confirms.</p>
<form method="post" action="{{.Action}}">
{{range $k, $vs := .Fields}}{{range $vs}}<input type="hidden" name="{{$k}}" value="{{.}}">
{{end}}{{end}}<button id="confirm" type="submit">授权 · Authorize</button>
</form></body></html>
`))
	refusalTemplate = template.Must(template.New("refusal").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>出错了 (simulated WeChat)</title></head>
<body><h1>出错了</h1><p id="refusal">{{.}}</p></body></html>
`))
)

// writeAuthPage renders one of the simulator's pages.
func writeAuthPage(w http.ResponseWriter, status int, t *template.Template, data any) {
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		http.Error(w, fmt.Sprintf("wxtest: auth page: %v", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// authPageControl serves /_sim/component/auth_page
// {"domain","receiver_url","redirect_first","funcs"} (204) and
// /_sim/component/send_held_pushes ([{"status","body"}...]).
func (s *Simulator) authPageControl(r *http.Request) (any, error) {
	if strings.HasSuffix(r.URL.Path, "/send_held_pushes") {
		res, err := s.SendHeldPushes(r.Context())
		out := make([]map[string]any, 0, len(res))
		for _, p := range res {
			out = append(out, map[string]any{"status": p.Status, "body": p.Body})
		}
		return out, err
	}
	var in struct {
		Domain        string `json:"domain"`
		ReceiverURL   string `json:"receiver_url"`
		RedirectFirst bool   `json:"redirect_first"`
		Funcs         []int  `json:"funcs"`
	}
	if err := decodeControl(r, &in); err != nil {
		return nil, err
	}
	p := AuthPage{Domain: in.Domain, ReceiverURL: in.ReceiverURL, Funcs: in.Funcs}
	if in.RedirectFirst {
		p.Order = RedirectBeforePush
	}
	s.SetAuthPage(p)
	return nil, nil
}
