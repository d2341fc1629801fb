package wxtest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
	"github.com/wxindustry/getindustry/internal/wxcrypt"
)

var platform = wxtest.Component{
	AppID:          "wx1111111111111111",
	AppSecret:      "SENTINEL-COMPONENT-SECRET",
	Token:          "SENTINEL-MSG-TOKEN",
	EncodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
}

// receiver is a push receiver for tests: it opens each push with wxcrypt
// and records it.
type receiver struct {
	mu    sync.Mutex
	codec *wxcrypt.Codec
	got   []*wxcrypt.Message
	query []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	q := r.URL.Query()
	m, err := rc.codec.Open(q.Get("timestamp"), q.Get("nonce"), q.Get("msg_signature"), body)
	if err != nil || q.Get("encrypt_type") != "aes" || r.Method != http.MethodPost {
		http.Error(w, "refused", http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	rc.got, rc.query = append(rc.got, m), append(rc.query, r.URL.RawQuery)
	rc.mu.Unlock()
	_, _ = io.WriteString(w, "success")
}

func (rc *receiver) last(tb testing.TB) *wxcrypt.Message {
	tb.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.got) == 0 {
		tb.Fatal("receiver got no push")
	}
	return rc.got[len(rc.got)-1]
}

// platformSim is a simulator playing WeChat for the test platform, on a
// fixed clock, with a receiver that got one ticket.
type platformSim struct {
	sim    *wxtest.Simulator
	url    string // the simulator's base URL
	rcv    *receiver
	rcvURL string
	ticket string
}

func newPlatformSim(tb testing.TB) *platformSim {
	tb.Helper()
	sim := wxtest.NewSimulator()
	if err := sim.SetComponent(platform); err != nil {
		tb.Fatalf("SetComponent() err = %v", err)
	}
	start := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	sim.SetNow(func() time.Time { return start })
	codec, err := wxcrypt.NewCodec(platform.Token, platform.EncodingAESKey, platform.AppID)
	if err != nil {
		tb.Fatal(err)
	}
	rcv := &receiver{codec: codec}
	rsrv := httptest.NewServer(rcv)
	tb.Cleanup(rsrv.Close)
	p := &platformSim{sim: sim, url: newServer(tb, sim).URL, rcv: rcv, rcvURL: rsrv.URL + "/component/events"}
	ticket, res, err := sim.PushTicket(context.Background(), p.rcvURL)
	if err != nil || res.Status != http.StatusOK || res.Body != "success" {
		tb.Fatalf("PushTicket() = %+v, %v; want 200 success", res, err)
	}
	p.ticket = ticket
	return p
}

// reply is any component answer.
type reply map[string]any

func (r reply) code() int {
	c, _ := r["errcode"].(float64)
	return int(c)
}

func (r reply) str(k string) string { s, _ := r[k].(string); return s }

// call POSTs body to a component path, with the component token in the
// query when tok is not "".
func (p *platformSim) call(tb testing.TB, path, tok string, body any) reply {
	tb.Helper()
	u := p.url + path
	if tok != "" {
		u += "?component_access_token=" + tok
	}
	b, _ := json.Marshal(body)
	resp, text := send(tb, http.MethodPost, u, string(b))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != wxtest.ContentTypeJSON {
		tb.Fatalf("POST %s = %d %q; want 200 JSON", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if strings.Contains(text, platform.AppSecret) {
		tb.Errorf("reply echoes the appsecret: %s", text)
	}
	var r reply
	if err := json.Unmarshal([]byte(text), &r); err != nil {
		tb.Fatalf("POST %s reply %q: %v", path, text, err)
	}
	if r.code() != 0 && !ridRE.MatchString(r.str("errmsg")) {
		tb.Errorf("errmsg %q has no rid", r.str("errmsg"))
	}
	return r
}

func (p *platformSim) componentToken(tb testing.TB) string {
	tb.Helper()
	r := p.call(tb, wxtest.PathComponentToken, "", tokenBody(platform.AppID, platform.AppSecret, p.ticket))
	if r.code() != 0 || r.str("component_access_token") == "" || r["expires_in"] != 7200.0 {
		tb.Fatalf("api_component_token = %v; want a token for 7200 s", r)
	}
	return r.str("component_access_token")
}

func tokenBody(appID, secret, ticket string) map[string]string {
	return map[string]string{"component_appid": appID, "component_appsecret": secret, "component_verify_ticket": ticket}
}

// authorize authorizes a new account and exchanges its code.
func (p *platformSim) authorize(tb testing.TB, ctok string) (appID string, r reply) {
	tb.Helper()
	appID, code, err := p.sim.AuthorizeAccount()
	if err != nil {
		tb.Fatal(err)
	}
	r = p.call(tb, wxtest.PathQueryAuth, ctok, map[string]string{"component_appid": platform.AppID, "authorization_code": code})
	if r.code() != 0 {
		tb.Fatalf("api_query_auth = %v", r)
	}
	return appID, r["authorization_info"].(map[string]any)
}

func TestComponentTokenWire(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(p *platformSim)
		method  string
		body    any
		want    int
		wantMsg string
	}{
		{name: "ok", body: "ticket"},
		{name: "get", method: http.MethodGet, body: "ticket", want: 43002, wantMsg: "require POST method"},
		{name: "not json", body: "not json", want: 47001, wantMsg: "data format error"},
		{name: "other platform", body: tokenBody("wx2222222222222222", platform.AppSecret, "x"), want: 61011, wantMsg: "invalid component"},
		{name: "wrong secret", body: tokenBody(platform.AppID, "nope", "x"), want: 40125, wantMsg: "invalid appsecret"},
		{name: "unknown ticket", body: tokenBody(platform.AppID, platform.AppSecret, "ticket@@@forged"), want: 61006, wantMsg: "component ticket is invalid"},
		{name: "empty ticket", body: tokenBody(platform.AppID, platform.AppSecret, ""), want: 61006},
		{name: "ticket replaced by a newer push", setup: func(p *platformSim) {
			if _, _, err := p.sim.PushTicket(context.Background(), p.rcvURL); err != nil {
				t.Fatal(err)
			}
		}, body: "ticket", want: 61006},
		{name: "ticket 12 h old", setup: func(p *platformSim) { p.sim.Advance(12 * time.Hour) }, body: "ticket", want: 61005, wantMsg: "component ticket is expired"},
		{name: "ticket just under 12 h", setup: func(p *platformSim) { p.sim.Advance(12*time.Hour - time.Second) }, body: "ticket"},
		{name: "ip not allowed", setup: func(p *platformSim) { p.sim.SetComponentIPAllowed(false) }, body: "ticket", want: 61004, wantMsg: "access clientip is not registered requestIP: 127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPlatformSim(t)
			if tt.setup != nil {
				tt.setup(p)
			}
			var body string
			switch b := tt.body.(type) {
			case string:
				body = b
				if b == "ticket" {
					j, _ := json.Marshal(tokenBody(platform.AppID, platform.AppSecret, p.ticket))
					body = string(j)
				}
			default:
				j, _ := json.Marshal(b)
				body = string(j)
			}
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			_, text := send(t, method, p.url+wxtest.PathComponentToken, body)
			var r reply
			if err := json.Unmarshal([]byte(text), &r); err != nil {
				t.Fatalf("reply %q: %v", text, err)
			}
			if r.code() != tt.want || !strings.HasPrefix(r.str("errmsg"), tt.wantMsg) {
				t.Errorf("api_component_token = %v; want errcode %d %q", r, tt.want, tt.wantMsg)
			}
			if tt.want == 0 && (len(r.str("component_access_token")) < 100 || r["expires_in"] != 7200.0) {
				t.Errorf("api_component_token = %v; want a token for 7200 s", r)
			}
			if n := p.sim.ComponentCalls("api_component_token"); n != 1 {
				t.Errorf("ComponentCalls() = %d; want 1", n)
			}
		})
	}
}

func TestComponentAccessTokenChecks(t *testing.T) {
	p := newPlatformSim(t)
	good := p.componentToken(t)
	body := map[string]string{"component_appid": platform.AppID}
	tests := []struct {
		name, tok string
		advance   time.Duration
		want      int
	}{
		{"good", good, 0, 0},
		{"missing", "", 0, 41001},
		{"unknown", "forged", 0, 40001},
		{"last second", good, 7200*time.Second - time.Second - 0, 0},
		{"expired", good, time.Second, 40001},
	}
	for _, tt := range tests {
		p.sim.Advance(tt.advance)
		if r := p.call(t, wxtest.PathCreatePreAuthCode, tt.tok, body); r.code() != tt.want {
			t.Errorf("%s: api_create_preauthcode = %v; want errcode %d", tt.name, r, tt.want)
		} else if tt.want == 0 && (!strings.HasPrefix(r.str("pre_auth_code"), "preauthcode@@@") || r["expires_in"] != 600.0) {
			t.Errorf("%s: api_create_preauthcode = %v; want a code for 600 s", tt.name, r)
		}
	}
	if n := p.sim.ComponentCalls("api_create_preauthcode"); n != len(tests) {
		t.Errorf("ComponentCalls(api_create_preauthcode) = %d; want %d", n, len(tests))
	}
}

func TestQueryAuth(t *testing.T) {
	p := newPlatformSim(t)
	ctok := p.componentToken(t)
	appID, code, err := p.sim.AuthorizeAccount(1, 15)
	if err != nil {
		t.Fatal(err)
	}
	if len(appID) != 18 || strings.Trim(appID[2:], "0123456789abcdef") != "" {
		t.Errorf("appid %q; want wx + 16 hex digits", appID)
	}
	body := map[string]string{"component_appid": platform.AppID, "authorization_code": code}
	r := p.call(t, wxtest.PathQueryAuth, ctok, body)
	info, _ := r["authorization_info"].(map[string]any)
	if r.code() != 0 || info["authorizer_appid"] != appID || info["expires_in"] != 7200.0 ||
		!strings.HasPrefix(info["authorizer_refresh_token"].(string), "refreshtoken@@@") {
		t.Fatalf("api_query_auth = %v; want the account's tokens", r)
	}
	funcs, _ := json.Marshal(info["func_info"])
	if string(funcs) != `[{"funcscope_category":{"id":1}},{"funcscope_category":{"id":15}}]` {
		t.Errorf("func_info = %s; want ids 1 and 15", funcs)
	}
	st, _ := p.sim.Authorizer(appID)
	if st.AccessToken != info["authorizer_access_token"] || st.RefreshToken != info["authorizer_refresh_token"] {
		t.Errorf("Authorizer() does not match the reply")
	}

	tests := []struct {
		name string
		code func() string
		want int
	}{
		{"used twice", func() string { return code }, 61009},
		{"unknown", func() string { return "queryauthcode@@@forged" }, 61009},
		{"expired", func() string {
			_, c, _ := p.sim.AuthorizeAccount()
			p.sim.Advance(time.Hour)
			return c
		}, 61010},
		{"revoked before the exchange", func() string {
			id, c, _ := p.sim.AuthorizeAccount()
			p.sim.Revoke(id)
			return c
		}, 61003},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctok := p.componentToken(t)
			r := p.call(t, wxtest.PathQueryAuth, ctok, map[string]string{"component_appid": platform.AppID, "authorization_code": tt.code()})
			if r.code() != tt.want {
				t.Errorf("api_query_auth = %v; want errcode %d", r, tt.want)
			}
		})
	}
}

func TestAuthorizerTokenAndIndustry(t *testing.T) {
	p := newPlatformSim(t)
	ctok := p.componentToken(t)
	a, infoA := p.authorize(t, ctok)
	b, infoB := p.authorize(t, ctok)
	tokA, tokB := infoA.str("authorizer_access_token"), infoB.str("authorizer_access_token")
	for _, c := range []struct{ appID, tok string }{{a, tokA}, {b, tokB}} {
		if got := industryOf(t, p, c.tok); got != wxtest.AccountIndustry(c.appID) {
			t.Errorf("get_industry(%s's token) = %+v; want its own industry", c.appID, got)
		}
	}
	if wxtest.AccountIndustry(a) == wxtest.AccountIndustry(b) {
		t.Fatal("two accounts share an industry; the no-cross-talk check proves nothing")
	}
	custom := wx.Industry{PrimaryIndustry: wx.Class{FirstClass: "教育", SecondClass: "培训"}}
	p.sim.SetAccountIndustry(b, custom)
	if got := industryOf(t, p, tokB); got != custom {
		t.Errorf("after SetAccountIndustry: %+v; want %+v", got, custom)
	}

	refresh := func(appID, rt string) reply {
		return p.call(t, wxtest.PathAuthorizerToken, ctok, map[string]string{"component_appid": platform.AppID, "authorizer_appid": appID, "authorizer_refresh_token": rt})
	}
	p.sim.Advance(time.Hour)
	r := refresh(a, infoA.str("authorizer_refresh_token"))
	newA := r.str("authorizer_access_token")
	if r.code() != 0 || newA == "" || newA == tokA || r["expires_in"] != 7200.0 || r.str("authorizer_refresh_token") != infoA.str("authorizer_refresh_token") {
		t.Fatalf("api_authorizer_token = %v; want a new token, the same refresh token", r)
	}
	if industryCode(t, p.sim, tokA) != 0 || industryCode(t, p.sim, newA) != 0 {
		t.Error("right after a refresh, the old and new tokens should both work")
	}
	p.sim.Advance(wxtest.ForceOverlap)
	if code := industryCode(t, p.sim, tokA); code != 40001 {
		t.Errorf("replaced token after the overlap: errcode %d; want 40001", code)
	}

	tests := []struct {
		name    string
		setup   func() (appID, rt string)
		want    int
		rotated bool
	}{
		{"unknown account", func() (string, string) { return "wxffffffffffffffff", "x" }, 61003, false},
		{"stale refresh token", func() (string, string) {
			old := infoB.str("authorizer_refresh_token")
			p.sim.RotateRefreshToken(b)
			return b, old
		}, 61023, false},
		{"rotation on", func() (string, string) {
			p.sim.SetRotateRefreshTokens(true)
			st, _ := p.sim.Authorizer(b)
			return b, st.RefreshToken
		}, 0, true},
		{"revoked", func() (string, string) {
			st, _ := p.sim.Authorizer(a)
			p.sim.Revoke(a)
			return a, st.RefreshToken
		}, 61003, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			appID, rt := tt.setup()
			r := refresh(appID, rt)
			if r.code() != tt.want {
				t.Fatalf("api_authorizer_token = %v; want errcode %d", r, tt.want)
			}
			if tt.rotated {
				if r.str("authorizer_refresh_token") == rt {
					t.Error("rotation on, but the refresh token stayed")
				}
				if again := refresh(appID, rt); again.code() != 61023 {
					t.Errorf("the rotated-away refresh token = %v; want 61023", again)
				}
			}
		})
	}
	if code := industryCode(t, p.sim, newA); code != 40001 {
		t.Errorf("token of a revoked account: errcode %d; want 40001", code)
	}
}

// industryOf calls get_industry with tok and decodes the industry.
func industryOf(tb testing.TB, p *platformSim, tok string) wx.Industry {
	tb.Helper()
	_, body := send(tb, http.MethodGet, p.url+wxtest.PathGetIndustry+"?access_token="+tok, "")
	var ind wx.Industry
	if err := json.Unmarshal([]byte(body), &ind); err != nil || ind.PrimaryIndustry.FirstClass == "" {
		tb.Fatalf("get_industry = %s; want an industry", body)
	}
	return ind
}

func TestAuthorizerList(t *testing.T) {
	p := newPlatformSim(t)
	ctok := p.componentToken(t)
	var ids []string
	for range 5 {
		id, _ := p.authorize(t, ctok)
		ids = append(ids, id)
	}
	p.sim.Revoke(ids[1])
	_, _, _ = p.sim.AuthorizeAccount() // authorized, code never exchanged: not listed yet
	list := func(offset, count any) reply {
		return p.call(t, wxtest.PathAuthorizerList, ctok, map[string]any{"component_appid": platform.AppID, "offset": offset, "count": count})
	}
	tests := []struct {
		name          string
		offset, count any
		want          int
		appIDs        []string
	}{
		{"all", 0, 500, 0, []string{ids[0], ids[2], ids[3], ids[4]}},
		{"first page", 0, 2, 0, []string{ids[0], ids[2]}},
		{"second page", 2, 2, 0, []string{ids[3], ids[4]}},
		{"past the end", 4, 2, 0, []string{}},
		{"count 501", 0, 501, 47001, nil},
		{"count 0", 0, 0, 47001, nil},
		{"negative offset", -1, 10, 47001, nil},
		{"count missing", 0, nil, 47001, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := list(tt.offset, tt.count)
			if r.code() != tt.want {
				t.Fatalf("api_get_authorizer_list = %v; want errcode %d", r, tt.want)
			}
			if tt.want != 0 {
				return
			}
			if r["total_count"] != 4.0 {
				t.Errorf("total_count = %v; want 4", r["total_count"])
			}
			got := []string{}
			for _, e := range r["list"].([]any) {
				m := e.(map[string]any)
				st, _ := p.sim.Authorizer(m["authorizer_appid"].(string))
				if m["refresh_token"] != st.RefreshToken || m["auth_time"] != float64(p.sim.Now().Unix()) {
					t.Errorf("entry %v; want the current refresh token and auth time", m)
				}
				got = append(got, m["authorizer_appid"].(string))
			}
			if strings.Join(got, ",") != strings.Join(tt.appIDs, ",") {
				t.Errorf("list = %v; want %v", got, tt.appIDs)
			}
		})
	}
}

func TestPushes(t *testing.T) {
	p := newPlatformSim(t)
	m := p.rcv.last(t)
	if m.InfoType != wxcrypt.InfoTicket || m.ComponentVerifyTicket != p.ticket || m.AppID != platform.AppID || m.CreateTime != p.sim.Now().Unix() {
		t.Errorf("ticket push = %v; want the ticket for the platform, now", m)
	}
	q := p.rcv.query[0]
	for _, k := range []string{"timestamp=", "nonce=", "encrypt_type=aes", "msg_signature="} {
		if !strings.Contains(q, k) {
			t.Errorf("push query %q lacks %s", q, k)
		}
	}
	ctx := context.Background()
	appID, code, _ := p.sim.AuthorizeAccount()
	tests := []struct {
		name string
		push func() (wxtest.PushResult, error)
		want wxcrypt.Message
	}{
		{"authorized", func() (wxtest.PushResult, error) { return p.sim.PushAuthorized(ctx, p.rcvURL, appID, code, false) },
			wxcrypt.Message{InfoType: "authorized", AuthorizerAppID: appID, AuthorizationCode: code}},
		{"updateauthorized", func() (wxtest.PushResult, error) { return p.sim.PushAuthorized(ctx, p.rcvURL, appID, code, true) },
			wxcrypt.Message{InfoType: "updateauthorized", AuthorizerAppID: appID, AuthorizationCode: code}},
		{"unauthorized", func() (wxtest.PushResult, error) { return p.sim.PushUnauthorized(ctx, p.rcvURL, appID) },
			wxcrypt.Message{InfoType: "unauthorized", AuthorizerAppID: appID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tt.push()
			if err != nil || res.Status != http.StatusOK || res.Body != "success" {
				t.Fatalf("push = %+v, %v; want 200 success", res, err)
			}
			got := p.rcv.last(t)
			if got.InfoType != tt.want.InfoType || got.AuthorizerAppID != tt.want.AuthorizerAppID || got.AuthorizationCode != tt.want.AuthorizationCode {
				t.Errorf("push = %v; want %v", got, tt.want)
			}
			if tt.want.AuthorizationCode != "" && got.AuthorizationCodeExpiredTime != p.sim.Now().Add(time.Hour).Unix() {
				t.Errorf("AuthorizationCodeExpiredTime = %d; want an hour from now", got.AuthorizationCodeExpiredTime)
			}
		})
	}
	// A forged push: the receiver refuses it.
	sp, err := p.sim.SealPush(wxcrypt.Message{InfoType: wxcrypt.InfoTicket, ComponentVerifyTicket: "forged"})
	if err != nil {
		t.Fatal(err)
	}
	sp.Query.Set("msg_signature", strings.Repeat("0", 40))
	if res, err := sp.Send(ctx, p.rcvURL); err != nil || res.Status != http.StatusBadRequest {
		t.Errorf("forged push = %+v, %v; want the receiver's refusal", res, err)
	}
}

func TestComponentScriptAndReset(t *testing.T) {
	p := newPlatformSim(t)
	p.sim.ScriptComponent("api_component_token", wxtest.Fault{Errcode: -1}, wxtest.Fault{Status: 502})
	body := tokenBody(platform.AppID, platform.AppSecret, p.ticket)
	if r := p.call(t, wxtest.PathComponentToken, "", body); r.code() != -1 {
		t.Errorf("scripted reply = %v; want errcode -1", r)
	}
	b, _ := json.Marshal(body)
	if resp, _ := send(t, http.MethodPost, p.url+wxtest.PathComponentToken, string(b)); resp.StatusCode != 502 {
		t.Errorf("scripted reply status %d; want 502", resp.StatusCode)
	}
	p.componentToken(t)
	if n := p.sim.ComponentCalls("api_component_token"); n != 3 {
		t.Errorf("ComponentCalls() = %d; want 3", n)
	}
	p.sim.Reset()
	if n := p.sim.ComponentCalls("api_component_token"); n != 0 {
		t.Errorf("after Reset, ComponentCalls() = %d; want 0", n)
	}
	p.componentToken(t) // the ticket survives Reset
}

func TestComponentWithoutSetComponent(t *testing.T) {
	srv := newServer(t, wxtest.NewSimulator())
	if resp, _ := send(t, http.MethodPost, srv.URL+wxtest.PathComponentToken, "{}"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("component API before SetComponent: %d; want 404", resp.StatusCode)
	}
}
