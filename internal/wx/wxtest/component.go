package wxtest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
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
