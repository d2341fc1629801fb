package wxtest_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wxindustry/getindustry/internal/wx/wxtest"
	"github.com/wxindustry/getindustry/internal/wxcrypt"
)

// authPageSim is a platform simulator whose authorization page is on the
// domain "platform.example" and pushes to the test receiver.
func authPageSim(tb testing.TB, order wxtest.PushOrder) (*platformSim, string) {
	tb.Helper()
	p := newPlatformSim(tb)
	p.sim.SetAuthPage(wxtest.AuthPage{Domain: "platform.example", ReceiverURL: p.rcvURL, Order: order, Funcs: []int{1, 15}})
	r := p.call(tb, wxtest.PathCreatePreAuthCode, p.componentToken(tb), map[string]string{"component_appid": platform.AppID})
	if r.str("pre_auth_code") == "" || r["expires_in"] != 600.0 {
		tb.Fatalf("api_create_preauthcode = %v", r)
	}
	return p, r.str("pre_auth_code")
}

// authQuery is a good authorization page query for code.
func authQuery(code string) url.Values {
	return url.Values{"component_appid": {platform.AppID}, "pre_auth_code": {code},
		"redirect_uri": {"https://platform.example/component/callback"}, "auth_type": {"1"}}
}

// noRedirect is a client that returns redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func getAuthPage(tb testing.TB, base, path string, q url.Values, referer string) (int, string) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path+"?"+q.Encode(), nil)
	if referer != "" {
		req.Header.Set("Referer", referer)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func confirm(tb testing.TB, base, path string, q url.Values) *http.Response {
	tb.Helper()
	resp, err := noRedirect.PostForm(base+path, q)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestAuthPageRefuses(t *testing.T) {
	const good = "https://platform.example/component/authorize"
	cases := map[string]struct {
		path    string
		mod     func(q url.Values, sim *wxtest.Simulator)
		referer string
		want    string
	}{
		"no referer":        {wxtest.PathComponentLoginPage, nil, "", "空"},
		"foreign referer":   {wxtest.PathComponentLoginPage, nil, "https://evil.example/", "Referer not on"},
		"wrong appid":       {wxtest.PathComponentLoginPage, func(q url.Values, _ *wxtest.Simulator) { q.Set("component_appid", "wx2222222222222222") }, good, "invalid component_appid"},
		"unknown code":      {wxtest.PathComponentLoginPage, func(q url.Values, _ *wxtest.Simulator) { q.Set("pre_auth_code", "preauthcode@@@forged") }, good, "unknown pre_auth_code"},
		"expired code":      {wxtest.PathComponentLoginPage, func(_ url.Values, sim *wxtest.Simulator) { sim.Advance(wxtest.PreAuthCodeLifetime) }, good, "expired"},
		"foreign redirect":  {wxtest.PathComponentLoginPage, func(q url.Values, _ *wxtest.Simulator) { q.Set("redirect_uri", "https://evil.example/cb") }, good, "redirect_uri not on"},
		"bad auth_type":     {wxtest.PathComponentLoginPage, func(q url.Values, _ *wxtest.Simulator) { q.Set("auth_type", "7") }, good, "invalid auth_type"},
		"bad biz_appid":     {wxtest.PathComponentLoginPage, func(q url.Values, _ *wxtest.Simulator) { q.Set("biz_appid", "<script>") }, good, "invalid biz_appid"},
		"h5 without action": {wxtest.PathBindComponent, nil, good, "action=bindcomponent"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p, code := authPageSim(t, wxtest.PushBeforeRedirect)
			q := authQuery(code)
			if c.mod != nil {
				c.mod(q, p.sim)
			}
			status, body := getAuthPage(t, p.url, c.path, q, c.referer)
			if status != http.StatusForbidden || !strings.Contains(body, c.want) || strings.Contains(body, `id="confirm"`) {
				t.Errorf("GET = %d %q; want 403 naming %q", status, body, c.want)
			}
			if st := p.sim.AuthPageStats(); st.Refused != 1 || st.Views != 0 {
				t.Errorf("stats = %+v; want 1 refused, 0 views", st)
			}
			if strings.Contains(body, "<script>") {
				t.Error("refusal shows the request unescaped")
			}
		})
	}
}

func TestAuthPageConfirm(t *testing.T) {
	for _, order := range []wxtest.PushOrder{wxtest.PushBeforeRedirect, wxtest.RedirectBeforePush} {
		for _, path := range []string{wxtest.PathComponentLoginPage, wxtest.PathBindComponent} {
			t.Run(path, func(t *testing.T) {
				p, code := authPageSim(t, order)
				q := authQuery(code)
				if path == wxtest.PathBindComponent {
					q.Set("action", "bindcomponent")
					q.Set("no_scan", "1")
				}
				status, body := getAuthPage(t, p.url, path, q, "https://platform.example/component/authorize")
				if status != http.StatusOK || !strings.Contains(body, `id="confirm"`) {
					t.Fatalf("GET = %d %q; want 200 with the confirm button", status, body)
				}
				resp := confirm(t, p.url, path, q)
				loc, _ := url.Parse(resp.Header.Get("Location"))
				if resp.StatusCode != http.StatusFound || loc.Host != "platform.example" || loc.Path != "/component/callback" ||
					loc.Query().Get("expires_in") != "3600" {
					t.Fatalf("confirm = %d %s; want 302 to the callback", resp.StatusCode, loc)
				}
				authCode := loc.Query().Get("auth_code")
				if order == wxtest.RedirectBeforePush {
					if n := len(p.rcv.got); n != 1 { // the ticket only
						t.Fatalf("pushes before SendHeldPushes = %d; want 1 (the ticket)", n)
					}
					res, err := p.sim.SendHeldPushes(context.Background())
					if err != nil || len(res) != 1 || res[0].Body != "success" {
						t.Fatalf("SendHeldPushes = %v, %v; want one success", res, err)
					}
				}
				m := p.rcv.last(t)
				if m.InfoType != wxcrypt.InfoAuthorized || m.AuthorizationCode != authCode || m.AuthorizerAppID == "" {
					t.Errorf("push = %v; want authorized with the callback's code", m)
				}
				if st, ok := p.sim.Authorizer(m.AuthorizerAppID); !ok || !st.Authorized {
					t.Errorf("account %s not authorized", m.AuthorizerAppID)
				}
				// The code exchanges once, with the granted sets.
				r := p.call(t, wxtest.PathQueryAuth, p.componentToken(t), map[string]string{"component_appid": platform.AppID, "authorization_code": authCode})
				info, _ := r["authorization_info"].(map[string]any)
				if info == nil || len(info["func_info"].([]any)) != 2 {
					t.Errorf("api_query_auth = %v; want two permission sets", r)
				}
				// The pre_auth_code is spent.
				if resp := confirm(t, p.url, path, q); resp.StatusCode != http.StatusForbidden {
					t.Errorf("second confirm = %d; want 403", resp.StatusCode)
				}
				if st := p.sim.AuthPageStats(); st.Views != 1 || st.Confirmed != 1 || st.LastRefusal != "pre_auth_code 已使用 (pre_auth_code already used)" {
					t.Errorf("stats = %+v; want 1 view, 1 confirmed, the reuse refused", st)
				}
			})
		}
	}
}

func TestAuthPageBizAppID(t *testing.T) {
	p, code := authPageSim(t, wxtest.PushBeforeRedirect)
	q := authQuery(code)
	q.Set("biz_appid", "wx00000000000000ab")
	resp := confirm(t, p.url, wxtest.PathComponentLoginPage, q)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("confirm = %d; want 302", resp.StatusCode)
	}
	if m := p.rcv.last(t); m.AuthorizerAppID != "wx00000000000000ab" {
		t.Errorf("pushed appid %s; want the biz_appid", m.AuthorizerAppID)
	}
}

func TestAuthPageControl(t *testing.T) {
	p, code := authPageSim(t, wxtest.PushBeforeRedirect)
	resp, _ := send(t, http.MethodPost, p.url+"/_sim/component/auth_page", `{"domain":"platform.example","receiver_url":"`+p.rcvURL+`","redirect_first":true}`)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("auth_page = %d; want 204", resp.StatusCode)
	}
	confirm(t, p.url, wxtest.PathComponentLoginPage, authQuery(code))
	resp, body := send(t, http.MethodPost, p.url+"/_sim/component/send_held_pushes", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"body":"success"`) {
		t.Errorf("send_held_pushes = %d %s; want one success", resp.StatusCode, body)
	}
}
