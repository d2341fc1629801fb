package wxtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wxcrypt"
)

// Paths of the third-party platform ("component") API the Simulator serves.
const (
	PathComponentToken    = "/cgi-bin/component/api_component_token"
	PathCreatePreAuthCode = "/cgi-bin/component/api_create_preauthcode"
	PathQueryAuth         = "/cgi-bin/component/api_query_auth"
	PathAuthorizerToken   = "/cgi-bin/component/api_authorizer_token"
	PathAuthorizerList    = "/cgi-bin/component/api_get_authorizer_list"
	componentPrefix       = "/cgi-bin/component/"
)

// Lifetimes of the platform's credentials, as WeChat documents them.
const (
	TicketLifetime          = 12 * time.Hour     // component_verify_ticket
	ComponentTokenLifetime  = 7200 * time.Second // component_access_token
	PreAuthCodeLifetime     = 600 * time.Second
	AuthCodeLifetime        = time.Hour          // authorization code of an authorized push
	AuthorizerTokenLifetime = 7200 * time.Second // authorizer_access_token
)

// componentErrmsgs are WeChat's errmsg texts for the component codes.
var componentErrmsgs = map[int]string{
	wx.CodeComponentNotAuthorized: "component is not authorized by this account",
	wx.CodeTicketExpired:          "component ticket is expired",
	wx.CodeTicketInvalid:          "component ticket is invalid",
	wx.CodeAuthCodeInvalid:        "code is invalid",
	wx.CodeAuthCodeExpired:        "code is expired",
	wx.CodeRefreshTokenInvalid:    "refresh_token is invalid",
	wx.CodeInvalidCredential:      "invalid credential, access_token is invalid or not latest",
	61011:                         "invalid component",
}

// Component is the third-party platform the Simulator plays WeChat for.
type Component struct {
	AppID          string // component_appid
	AppSecret      string // component_appsecret
	Token          string // message token of the push signature
	EncodingAESKey string // 43-character key of the push encryption
}

// componentState is the Simulator's platform side, guarded by its mu.
type componentState struct {
	conf     Component
	codec    *wxcrypt.Codec
	ticket   string               // the last ticket pushed
	ticketAt time.Time            // when it was pushed
	tokens   map[string]time.Time // component_access_token → expiry
	preAuth  map[string]time.Time // pre_auth_code → expiry
	codes    map[string]*authCode
	accounts map[string]*account // by authorizer appid
	order    []*account          // in order of first authorization
	byToken  map[string]*account // authorizer_access_token → account
	calls    map[string]int      // by operation name, e.g. "api_query_auth"
	scripts  map[string][]Fault
	ipDenied bool
	rotate   bool
}

// authCode is an authorization code handed out by an authorization.
type authCode struct {
	appID   string
	expires time.Time
	used    bool
}

// account is one Official Account as the platform sees it.
type account struct {
	appID      string
	authorized bool
	authTime   time.Time
	funcs      []int
	refresh    string                  // the current authorizer_refresh_token
	tokens     map[string]*issuedToken // authorizer_access_tokens issued
	current    string
	industry   *wx.Industry // nil: AccountIndustry(appID)
}

// SetComponent makes the simulator play WeChat for this platform. It
// returns an error for an EncodingAESKey wxcrypt refuses. Accounts, tokens
// and counts of an earlier platform are forgotten.
func (s *Simulator) SetComponent(c Component) error {
	codec, err := wxcrypt.NewCodec(c.Token, c.EncodingAESKey, c.AppID)
	if err != nil {
		return fmt.Errorf("wxtest: component: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cs = componentState{conf: c, codec: codec, tokens: map[string]time.Time{}, preAuth: map[string]time.Time{},
		codes: map[string]*authCode{}, accounts: map[string]*account{}, byToken: map[string]*account{},
		calls: map[string]int{}, scripts: map[string][]Fault{}}
	return nil
}

// SetComponentIPAllowed decides whether the caller's IP is on the
// platform's allow-list; when not, every component call answers 61004.
func (s *Simulator) SetComponentIPAllowed(allowed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cs.ipDenied = !allowed
}

// SetRotateRefreshTokens decides whether api_authorizer_token issues a new
// authorizer_refresh_token on each call (the old one then answers 61023).
// WeChat documents that it may; off by default.
func (s *Simulator) SetRotateRefreshTokens(rotate bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cs.rotate = rotate
}

// ScriptComponent makes the next len(faults) replies of one component
// operation (its path's last element, e.g. "api_query_auth") play these
// faults, as Script does for get_industry. A fault that serves the normal
// reply (Delay alone) still changes the state, as a slow WeChat would.
func (s *Simulator) ScriptComponent(op string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cs.scripts[op] = append([]Fault(nil), faults...)
}

// ComponentCalls returns how many requests one component operation (e.g.
// "api_authorizer_token") received, faulted and refused ones included.
func (s *Simulator) ComponentCalls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cs.calls[op]
}

// AccountIndustry is the industry get_industry answers for an authorized
// account unless SetAccountIndustry says otherwise: WeChat's example
// industry with the appid as the secondary industry's second class, so
// that each account's answer is its own.
func AccountIndustry(appID string) wx.Industry {
	return wx.Industry{
		PrimaryIndustry:   wx.Class{FirstClass: "IT科技", SecondClass: "互联网|电子商务"},
		SecondaryIndustry: wx.Class{FirstClass: "其它", SecondClass: appID},
	}
}

// SetAccountIndustry sets the industry get_industry answers for appID's
// authorizer_access_tokens. It reports false for an unknown account.
func (s *Simulator) SetAccountIndustry(appID string, ind wx.Industry) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.cs.accounts[appID]
	if a == nil {
		return false
	}
	a.industry = &ind
	return true
}

// AuthorizeAccount plays an admin authorizing the platform: it creates an
// account (appid "wx" + 16 hex digits) granting the given permission sets
// (funcscope_category ids; none: 1, 2, 3) and returns its appid and a fresh
// authorization code, valid AuthCodeLifetime, to exchange with
// api_query_auth (or to push with PushAuthorized). It fails if SetComponent
// was not called.
func (s *Simulator) AuthorizeAccount(funcs ...int) (appID, code string, err error) {
	if len(funcs) == 0 {
		funcs = []int{1, 2, 3}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cs.codec == nil {
		return "", "", fmt.Errorf("wxtest: authorize: SetComponent first")
	}
	appID = "wx" + randomHex(8)
	a := &account{appID: appID, tokens: map[string]*issuedToken{}}
	s.cs.accounts[appID] = a
	s.cs.order = append(s.cs.order, a)
	return appID, s.authorizeLocked(a, funcs), nil
}

// Reauthorize plays an admin authorizing again, or changing the granted
// permission sets (an updateauthorized push), or coming back after a
// revocation: it returns a fresh authorization code. It fails for an
// unknown appid.
func (s *Simulator) Reauthorize(appID string, funcs ...int) (code string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.cs.accounts[appID]
	if a == nil {
		return "", fmt.Errorf("wxtest: reauthorize %s: unknown account", appID)
	}
	if len(funcs) == 0 {
		funcs = a.funcs
	}
	return s.authorizeLocked(a, funcs), nil
}

// authorizeLocked marks a authorized now and hands out a code.
func (s *Simulator) authorizeLocked(a *account, funcs []int) string {
	now := s.nowLocked()
	a.authorized, a.authTime, a.funcs = true, now, append([]int(nil), funcs...)
	code := "queryauthcode@@@" + randomToken(40)
	s.cs.codes[code] = &authCode{appID: a.appID, expires: now.Add(AuthCodeLifetime)}
	return code
}

// Revoke plays an admin withdrawing the authorization: the account leaves
// the authorizer list, its tokens stop working (40001) and its refresh
// token answers 61003. It reports false for an unknown account.
func (s *Simulator) Revoke(appID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.cs.accounts[appID]
	if a == nil {
		return false
	}
	a.authorized = false
	for tok := range a.tokens {
		delete(s.cs.byToken, tok)
	}
	a.tokens, a.current, a.refresh = map[string]*issuedToken{}, "", ""
	return true
}

// RotateRefreshToken replaces appID's refresh token behind the platform's
// back, as a lost write would leave it: the old one answers 61023 and
// api_get_authorizer_list shows the new one. It reports false for an
// account that is unknown or not authorized.
func (s *Simulator) RotateRefreshToken(appID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.cs.accounts[appID]
	if a == nil || !a.authorized || a.refresh == "" {
		return false
	}
	a.refresh = newRefreshToken()
	return true
}

// AuthorizerState is what the simulator holds for one account.
type AuthorizerState struct {
	Authorized   bool
	AccessToken  string    // the latest authorizer_access_token, "" before api_query_auth
	Expires      time.Time // its expiry
	RefreshToken string    // the current authorizer_refresh_token
}

// Authorizer returns the simulator's state of appID; ok is false for an
// unknown account.
func (s *Simulator) Authorizer(appID string) (st AuthorizerState, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.cs.accounts[appID]
	if a == nil {
		return AuthorizerState{}, false
	}
	st = AuthorizerState{Authorized: a.authorized, AccessToken: a.current, RefreshToken: a.refresh}
	if t := a.tokens[a.current]; t != nil {
		st.Expires = t.expires
	}
	return st, true
}

// component serves the component API: counts the call, plays a scripted
// fault if one is pending, else answers as WeChat.
func (s *Simulator) component(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.URL.Path, componentPrefix)
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxStableTokenBody))
	s.mu.Lock()
	if s.cs.calls == nil {
		s.mu.Unlock()
		writeReply(w, r, htmlReply(http.StatusNotFound), Fault{})
		return
	}
	s.cs.calls[op]++
	var f Fault
	script := s.cs.scripts[op]
	scripted := len(script) > 0
	if scripted {
		f, s.cs.scripts[op] = script[0], script[1:]
	}
	var normal reply
	if !scripted || f.servesNormal() {
		normal = s.componentReplyLocked(r, op, body)
	}
	s.mu.Unlock()
	if scripted {
		writeReply(w, r, f.reply(r, normal), f)
		return
	}
	writeReply(w, r, normal, Fault{})
}

// componentReplyLocked checks what every component call needs (POST, JSON,
// the allow-list, the platform's appid, a working component_access_token)
// and hands over to the operation. The caller holds s.mu.
func (s *Simulator) componentReplyLocked(r *http.Request, op string, body []byte) reply {
	var in componentBody
	switch {
	case r.Method != http.MethodPost:
		return errcodeReply(r, codeRequirePOST)
	case json.Unmarshal(body, &in) != nil:
		return errcodeReply(r, codeDataFormat)
	case s.cs.ipDenied:
		return componentErr(r, wx.CodeComponentIPNotAllowed)
	case in.ComponentAppID != s.cs.conf.AppID:
		return componentErr(r, 61011)
	}
	now := s.nowLocked()
	if op == "api_component_token" {
		return s.componentTokenLocked(r, in, now)
	}
	tok := r.URL.Query().Get("component_access_token")
	switch exp, ok := s.cs.tokens[tok]; {
	case tok == "":
		return errcodeReply(r, wx.CodeTokenMissing)
	case !ok || !now.Before(exp):
		return componentErr(r, wx.CodeInvalidCredential)
	}
	switch op {
	case "api_create_preauthcode":
		code := "preauthcode@@@" + randomToken(40)
		s.cs.preAuth[code] = now.Add(PreAuthCodeLifetime)
		return jsonReply(map[string]any{"pre_auth_code": code, "expires_in": int(PreAuthCodeLifetime / time.Second)})
	case "api_query_auth":
		return s.queryAuthLocked(r, in, now)
	case "api_authorizer_token":
		return s.authorizerTokenLocked(r, in, now)
	case "api_get_authorizer_list":
		return s.authorizerListLocked(r, in)
	}
	return htmlReply(http.StatusNotFound)
}

// componentBody holds the fields of every component request.
type componentBody struct {
	ComponentAppID     string `json:"component_appid"`
	ComponentAppSecret string `json:"component_appsecret"`
	Ticket             string `json:"component_verify_ticket"`
	AuthorizationCode  string `json:"authorization_code"`
	AuthorizerAppID    string `json:"authorizer_appid"`
	RefreshToken       string `json:"authorizer_refresh_token"`
	Offset             *int   `json:"offset"`
	Count              *int   `json:"count"`
}

// componentTokenLocked answers api_component_token: the appsecret must
// match and the ticket must be the last one pushed, under 12 hours old.
func (s *Simulator) componentTokenLocked(r *http.Request, in componentBody, now time.Time) reply {
	switch {
	case in.ComponentAppSecret != s.cs.conf.AppSecret:
		return errcodeReply(r, wx.CodeInvalidAppSecret)
	case in.Ticket == "" || in.Ticket != s.cs.ticket:
		return componentErr(r, wx.CodeTicketInvalid)
	case now.Sub(s.cs.ticketAt) >= TicketLifetime:
		return componentErr(r, wx.CodeTicketExpired)
	}
	for t, exp := range s.cs.tokens {
		if now.Sub(exp) > 24*time.Hour {
			delete(s.cs.tokens, t)
		}
	}
	tok := newAccessToken()
	s.cs.tokens[tok] = now.Add(ComponentTokenLifetime)
	return jsonReply(map[string]any{"component_access_token": tok, "expires_in": int(ComponentTokenLifetime / time.Second)})
}

// queryAuthLocked answers api_query_auth: a code works once, within its
// lifetime, for an account still authorized; it issues the account's
// tokens and a new refresh token.
func (s *Simulator) queryAuthLocked(r *http.Request, in componentBody, now time.Time) reply {
	c := s.cs.codes[in.AuthorizationCode]
	switch {
	case c == nil || c.used:
		return componentErr(r, wx.CodeAuthCodeInvalid)
	case !now.Before(c.expires):
		return componentErr(r, wx.CodeAuthCodeExpired)
	}
	a := s.cs.accounts[c.appID]
	if !a.authorized {
		return componentErr(r, wx.CodeComponentNotAuthorized)
	}
	c.used = true
	a.refresh = newRefreshToken()
	s.issueAuthorizerTokenLocked(a, now)
	funcs := make([]map[string]any, 0, len(a.funcs))
	for _, id := range a.funcs {
		funcs = append(funcs, map[string]any{"funcscope_category": map[string]int{"id": id}})
	}
	return jsonReply(map[string]any{"authorization_info": map[string]any{
		"authorizer_appid":         a.appID,
		"authorizer_access_token":  a.current,
		"expires_in":               int(AuthorizerTokenLifetime / time.Second),
		"authorizer_refresh_token": a.refresh,
		"func_info":                funcs,
	}})
}

// authorizerTokenLocked answers api_authorizer_token: 61003 for an account
// that has not authorized, 61023 for a refresh token that is not the
// current one; else a new access token, and a new refresh token too when
// rotation is on.
func (s *Simulator) authorizerTokenLocked(r *http.Request, in componentBody, now time.Time) reply {
	a := s.cs.accounts[in.AuthorizerAppID]
	switch {
	case a == nil || !a.authorized:
		return componentErr(r, wx.CodeComponentNotAuthorized)
	case in.RefreshToken == "" || in.RefreshToken != a.refresh:
		return componentErr(r, wx.CodeRefreshTokenInvalid)
	}
	if s.cs.rotate {
		a.refresh = newRefreshToken()
	}
	s.issueAuthorizerTokenLocked(a, now)
	return jsonReply(map[string]any{
		"authorizer_access_token":  a.current,
		"expires_in":               int(AuthorizerTokenLifetime / time.Second),
		"authorizer_refresh_token": a.refresh,
	})
}

// issueAuthorizerTokenLocked makes a new current token for a. The tokens it
// replaces keep working for ForceOverlap (never past their own expiry), as
// the simulator's stable_token does; tokens long expired are forgotten.
func (s *Simulator) issueAuthorizerTokenLocked(a *account, now time.Time) {
	for tok, t := range a.tokens {
		if now.Sub(t.validUntil()) > 24*time.Hour {
			delete(a.tokens, tok)
			delete(s.cs.byToken, tok)
			continue
		}
		if cut := now.Add(ForceOverlap); t.revoked.IsZero() || cut.Before(t.revoked) {
			t.revoked = cut
		}
	}
	a.current = newAccessToken()
	a.tokens[a.current] = &issuedToken{expires: now.Add(AuthorizerTokenLifetime)}
	s.cs.byToken[a.current] = a
}

// authorizerListLocked answers api_get_authorizer_list: count 1..500,
// offset >= 0, accounts in order of first authorization.
func (s *Simulator) authorizerListLocked(r *http.Request, in componentBody) reply {
	if in.Offset == nil || in.Count == nil || *in.Offset < 0 || *in.Count < 1 || *in.Count > wx.MaxAuthorizerListCount {
		return errcodeReply(r, codeDataFormat)
	}
	list := []map[string]any{}
	total := 0
	for _, a := range s.cs.order {
		if !a.authorized || a.refresh == "" {
			continue
		}
		if total >= *in.Offset && len(list) < *in.Count {
			list = append(list, map[string]any{"authorizer_appid": a.appID, "refresh_token": a.refresh, "auth_time": a.authTime.Unix()})
		}
		total++
	}
	return jsonReply(map[string]any{"total_count": total, "list": list})
}

// authorizerIndustryLocked is get_industry's check of an
// authorizer_access_token: found is false when tok is none; else code is 0
// and *ind the account's industry while the token works, 42001 once it has
// expired, 40001 once replaced and past its overlap. The caller holds s.mu.
func (s *Simulator) authorizerIndustryLocked(tok string, ind *wx.Industry) (code int, found bool) {
	a := s.cs.byToken[tok]
	if a == nil {
		return 0, false
	}
	t, now := a.tokens[tok], s.nowLocked()
	switch {
	case now.Before(t.validUntil()):
		if a.industry != nil {
			*ind = *a.industry
		} else {
			*ind = AccountIndustry(a.appID)
		}
		return 0, true
	case !now.Before(t.expires):
		return wx.CodeTokenExpired, true
	}
	return wx.CodeInvalidCredential, true
}

// componentErr is WeChat's error answer for a component code, with its own
// errmsg ("access clientip is not registered requestIP: ..." for 61004).
func componentErr(r *http.Request, code int) reply {
	msg, ok := componentErrmsgs[code]
	if code == wx.CodeComponentIPNotAllowed {
		msg, ok = "access clientip is not registered requestIP: "+clientIP(r), true
	}
	if !ok {
		return errcodeReply(r, code)
	}
	body, _ := json.Marshal(struct {
		Errcode int    `json:"errcode"`
		Errmsg  string `json:"errmsg"`
	}{code, msg + " rid: " + newRID()})
	return reply{status: http.StatusOK, contentType: ContentTypeJSON, body: body}
}

// jsonReply is a 200 answer with v as WeChat's JSON (HTML not escaped).
func jsonReply(v any) reply {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return reply{status: http.StatusOK, contentType: ContentTypeJSON, body: []byte(strings.TrimSuffix(b.String(), "\n"))}
}

// newRefreshToken returns a refresh token shaped like WeChat's.
func newRefreshToken() string { return "refreshtoken@@@" + randomToken(43) }

// randomToken returns n URL-safe random characters.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = tokenChars[int(b[i])%len(tokenChars)]
	}
	return string(b)
}

// randomHex returns 2n random hex digits.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
