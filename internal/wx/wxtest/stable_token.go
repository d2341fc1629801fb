package wxtest

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/wxindustry/getindustry/internal/wx"
)

// PathStableToken is the path the Simulator serves getStableAccessToken on.
const PathStableToken = "/cgi-bin/stable_token"

// WeChat's stable_token rules, as documented at
// https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken.html.
const (
	// TokenLifetime is how long an issued token lives.
	TokenLifetime = 7200 * time.Second
	// RenewWindow is the end of a token's life in which normal mode issues
	// a new token; the old one keeps working until its own expiry.
	RenewWindow = 5 * time.Minute
	// ForceOverlap is how long the tokens a forced refresh replaces keep
	// working (never past their own expiry).
	ForceOverlap = 5 * time.Minute
	// ForcesPerDay is how many forced refreshes an app may make per
	// calendar day (Asia/Shanghai); the next one is refused with 45009.
	ForcesPerDay = 20
	// ForceSpacing is the least time between forced refreshes; a force
	// sooner than that does not refresh and answers like normal mode.
	ForceSpacing = 30 * time.Second
	// CallsPerMinute and CallsPerDay are the per-app call quotas (45011 and
	// 45009 beyond them).
	CallsPerMinute = 10000
	CallsPerDay    = 500000
)

// Codes the simulator answers besides the global ones in package wx.
const (
	codeInvalidGrantType = 40002
	codeAppIDMissing     = 41002
	codeSecretMissing    = 41004
	codeRequirePOST      = 43002
	codeDataFormat       = 47001
	maxStableTokenBody   = 64 << 10
)

// shanghai is WeChat's quota clock (no daylight saving time).
var shanghai = time.FixedZone("Asia/Shanghai", 8*60*60)

// stableState is the Simulator's stable_token state, guarded by its mu.
type stableState struct {
	apps   map[string]*app
	script []Fault
	calls  int
	now    func() time.Time // nil: time.Now
	offset time.Duration    // added by Advance
}

// app is one account that may call stable_token.
type app struct {
	secret    string
	current   string                  // the token normal mode returns, "" before the first call
	tokens    map[string]*issuedToken // every token issued and not long expired
	forces    []time.Time             // forced refreshes that issued a token
	minute    time.Time               // start of the current per-minute quota window
	perMinute int
	day       string // Asia/Shanghai date of the per-day quota window
	perDay    int
}

// issuedToken is the life of one token.
type issuedToken struct {
	expires time.Time // natural end: issue time + TokenLifetime
	revoked time.Time // end brought forward by a forced refresh; zero if none
}

// validUntil is when the token stops working.
func (t *issuedToken) validUntil() time.Time {
	if !t.revoked.IsZero() && t.revoked.Before(t.expires) {
		return t.revoked
	}
	return t.expires
}

// SetApp enables stable_token for appID with appSecret, or changes the
// secret of an app already set (its tokens stay valid, as when an appsecret
// is reset in the WeChat console).
func (s *Simulator) SetApp(appID, appSecret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.apps == nil {
		s.st.apps = make(map[string]*app)
	}
	if a := s.st.apps[appID]; a != nil {
		a.secret = appSecret
		return
	}
	s.st.apps[appID] = &app{secret: appSecret, tokens: make(map[string]*issuedToken)}
}

// SetNow sets the clock that token lifetimes and quotas follow (nil: the
// real clock). Time moved by Advance is added to it.
func (s *Simulator) SetNow(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.now = now
}

// Advance moves the simulator's clock forward by d, so that tests can let
// tokens near or pass their expiry without sleeping.
func (s *Simulator) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.offset += d
}

// Now returns the simulator's current time.
func (s *Simulator) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Simulator) nowLocked() time.Time {
	now := time.Now
	if s.st.now != nil {
		now = s.st.now
	}
	return now().Add(s.st.offset)
}

// AppToken returns the token normal mode would return for appID now, and
// when it expires; ok is false if none was issued yet or it has expired.
func (s *Simulator) AppToken(appID string) (token string, expires time.Time, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.apps[appID]
	if a == nil || a.current == "" {
		return "", time.Time{}, false
	}
	t := a.tokens[a.current]
	return a.current, t.expires, s.nowLocked().Before(t.validUntil())
}

// Forces returns how many forced refreshes appID made that issued a token.
func (s *Simulator) Forces(appID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.st.apps[appID]; a != nil {
		return len(a.forces)
	}
	return 0
}

// ScriptStableToken makes the next len(faults) stable_token replies play
// these faults, in order, as Script does for get_industry. A fault that
// answers the normal reply (Delay alone, or a Status below 400) serves it,
// so a slow reply to a forced refresh still refreshes.
func (s *Simulator) ScriptStableToken(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.script = append([]Fault(nil), faults...)
}

// StableTokenCalls returns how many stable_token requests the simulator
// received, faulted ones included.
func (s *Simulator) StableTokenCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.calls
}

// stableToken serves POST /cgi-bin/stable_token.
func (s *Simulator) stableToken(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxStableTokenBody))
	s.mu.Lock()
	s.st.calls++
	var f Fault
	scripted := len(s.st.script) > 0
	if scripted {
		f, s.st.script = s.st.script[0], s.st.script[1:]
	}
	var normal reply
	if !scripted || f.servesNormal() {
		normal = s.stableReplyLocked(r, body)
	}
	s.mu.Unlock()
	if scripted {
		writeReply(w, r, f.reply(r, normal), f)
		return
	}
	writeReply(w, r, normal, Fault{})
}

// servesNormal reports whether f's reply is the unscripted one (see Fault).
func (f Fault) servesNormal() bool {
	return f.Body == "" && f.Errcode == 0 && f.Status < 400 && f.Status != http.StatusOK
}

// stableTokenBody is the request WeChat expects.
type stableTokenBody struct {
	GrantType    string `json:"grant_type"`
	AppID        string `json:"appid"`
	Secret       string `json:"secret"`
	ForceRefresh bool   `json:"force_refresh"`
}

// stableReplyLocked is WeChat's answer to a stable_token request. The
// caller holds s.mu.
func (s *Simulator) stableReplyLocked(r *http.Request, body []byte) reply {
	var in stableTokenBody
	switch {
	case r.Method != http.MethodPost:
		return errcodeReply(r, codeRequirePOST)
	case json.Unmarshal(body, &in) != nil:
		return errcodeReply(r, codeDataFormat)
	case in.GrantType != "client_credential":
		return errcodeReply(r, codeInvalidGrantType)
	case in.AppID == "":
		return errcodeReply(r, codeAppIDMissing)
	case in.Secret == "":
		return errcodeReply(r, codeSecretMissing)
	}
	a := s.st.apps[in.AppID]
	switch {
	case a == nil:
		return errcodeReply(r, wx.CodeInvalidAppID)
	case a.secret != in.Secret:
		return errcodeReply(r, wx.CodeInvalidAppSecret)
	}
	now := s.nowLocked()
	if code := a.countCall(now); code != 0 {
		return errcodeReply(r, code)
	}
	if in.ForceRefresh {
		if code := a.force(now); code != 0 {
			return errcodeReply(r, code)
		}
	}
	a.renewIfDue(now)
	left := int(a.tokens[a.current].expires.Sub(now) / time.Second)
	out, _ := json.Marshal(struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}{a.current, left})
	return reply{status: http.StatusOK, contentType: ContentTypeJSON, body: out}
}

// countCall applies the per-minute and per-day quotas.
func (a *app) countCall(now time.Time) int {
	if now.Sub(a.minute) >= time.Minute {
		a.minute, a.perMinute = now.Truncate(time.Minute), 0
	}
	if day := now.In(shanghai).Format(time.DateOnly); day != a.day {
		a.day, a.perDay = day, 0
	}
	a.perMinute++
	a.perDay++
	switch {
	case a.perDay > CallsPerDay:
		return wx.CodeDailyQuota
	case a.perMinute > CallsPerMinute:
		return wx.CodeMinuteQuota
	}
	return 0
}

// force issues a new token unless the last force was under ForceSpacing ago
// (then nothing changes, as WeChat documents) or the day's forces are spent
// (45009). Every token still working stops working ForceOverlap from now.
func (a *app) force(now time.Time) int {
	if n := len(a.forces); n > 0 && now.Sub(a.forces[n-1]) < ForceSpacing {
		return 0
	}
	today, n := now.In(shanghai).Format(time.DateOnly), 0
	for _, t := range a.forces {
		if t.In(shanghai).Format(time.DateOnly) == today {
			n++
		}
	}
	if n >= ForcesPerDay {
		return wx.CodeDailyQuota
	}
	for _, t := range a.tokens {
		if cut := now.Add(ForceOverlap); t.revoked.IsZero() || cut.Before(t.revoked) {
			t.revoked = cut
		}
	}
	a.forces = append(a.forces, now)
	a.issue(now)
	return 0
}

// renewIfDue issues a token when there is none or the current one is in
// its last RenewWindow (or past it, or cut short by a force overlap ending).
func (a *app) renewIfDue(now time.Time) {
	if t := a.tokens[a.current]; t == nil || t.validUntil().Sub(now) <= RenewWindow {
		a.issue(now)
	}
}

// issue makes a new current token and forgets tokens expired over a day ago.
func (a *app) issue(now time.Time) {
	for tok, t := range a.tokens {
		if now.Sub(t.validUntil()) > 24*time.Hour {
			delete(a.tokens, tok)
		}
	}
	a.current = newAccessToken()
	a.tokens[a.current] = &issuedToken{expires: now.Add(TokenLifetime)}
}

// appTokenCodeLocked checks an access token against the apps' issued tokens
// at the simulator's time: 0 while it works, 42001 once it has expired,
// 40001 when it was never issued or a forced refresh retired it. The caller
// holds s.mu.
func (s *Simulator) appTokenCodeLocked(tok string) int {
	now := s.nowLocked()
	for _, a := range s.st.apps {
		t := a.tokens[tok]
		switch {
		case t == nil:
			continue
		case now.Before(t.validUntil()):
			return 0
		case !now.Before(t.expires):
			return wx.CodeTokenExpired
		}
		return wx.CodeInvalidCredential
	}
	return wx.CodeInvalidCredential
}

// tokenChars are the characters of WeChat access tokens.
const tokenChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

// newAccessToken returns a random token shaped like WeChat's: a numeric
// prefix, an underscore, and 130 URL-safe characters.
func newAccessToken() string {
	b := make([]byte, 0, 134)
	b = strconv.AppendInt(b, int64(80+rand.IntN(20)), 10)
	b = append(b, '_')
	for range 130 {
		b = append(b, tokenChars[rand.IntN(len(tokenChars))])
	}
	return string(b)
}

// advanceBy is Advance for the control API: by is a positive Go duration
// string such as "2h".
func (s *Simulator) advanceBy(by string) error {
	d, err := time.ParseDuration(by)
	switch {
	case err != nil:
		return fmt.Errorf("wxtest: advance: by %q: %w", by, err)
	case d <= 0:
		return fmt.Errorf("wxtest: advance: by %q: must be positive", by)
	}
	s.Advance(d)
	return nil
}
