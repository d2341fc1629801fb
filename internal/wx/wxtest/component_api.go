package wxtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/wxindustry/getindustry/internal/wx"
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
