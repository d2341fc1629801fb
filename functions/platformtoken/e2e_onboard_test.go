package main

import (
	"context"
	"maps"
	"net/url"
	"strings"
	"testing"

	"github.com/wxindustry/getindustry/internal/onboard"
	"github.com/wxindustry/getindustry/internal/onboard/onboardtest"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// onboardOps are the WeChat calls onboarding can cost, with componentOps.
var onboardOps = append([]string{"api_create_preauthcode"}, componentOps...)

// wechatCallsByOp returns the simulator's count of each component call.
func (e *env) wechatCallsByOp() map[string]int {
	m := map[string]int{}
	for _, op := range onboardOps {
		if n := e.sim.ComponentCalls(op); n != 0 {
			m[op] = n
		}
	}
	return m
}

// callsSince returns the calls made since before, by op.
func (e *env) callsSince(before map[string]int) map[string]int {
	d := map[string]int{}
	for op, n := range e.wechatCallsByOp() {
		if n != before[op] {
			d[op] = n - before[op]
		}
	}
	return d
}

// TestEmulatorOnboarding plays an admin in headless Chromium through the
// function under the emulator (startEmulated): the entry page on the
// front's loopback address, the click, the simulated WeChat authorization
// page (its registered domain the front's, its pushes to the front's
// /component/events), the consent, and the callback; on a computer and on
// a phone, with the push before and after the callback. Each flow costs no
// WeChat call for the page view, one api_create_preauthcode for the click
// and one api_query_auth for the authorization, leaves the account's item
// in the table, and answers every page and redirect with the security
// headers; a script in every query parameter runs nowhere.
func TestEmulatorOnboarding(t *testing.T) {
	onboardtest.ChromePath(t)
	em := startEmulated(t)
	em.pushTicket(t)
	if out, err := em.invoke(t.Context(), []byte(`{"action":"refresh"}`)); err != nil {
		t.Fatalf("refresh = %s, %v; want the component token before the flows", out, err)
	}
	domain := strings.TrimPrefix(em.base, "http://")
	var appIDs []string
	for _, c := range []struct {
		name, ua string
		order    wxtest.PushOrder
		authPage string
	}{
		{"pc push first", onboardtest.DesktopUA, wxtest.PushBeforeRedirect, wxtest.PathComponentLoginPage},
		{"pc callback first", onboardtest.DesktopUA, wxtest.RedirectBeforePush, wxtest.PathComponentLoginPage},
		{"phone push first", onboardtest.PhoneUA, wxtest.PushBeforeRedirect, wxtest.PathBindComponent},
		{"phone callback first", onboardtest.PhoneUA, wxtest.RedirectBeforePush, wxtest.PathBindComponent},
	} {
		t.Run(c.name, func(t *testing.T) {
			em.sim.SetAuthPage(wxtest.AuthPage{Domain: domain, ReceiverURL: em.url, Order: c.order, Funcs: []int{1, 15}})
			before, stats := em.wechatCallsByOp(), em.sim.AuthPageStats()
			b := onboardtest.NewBrowser(t, c.ua)
			flow := onboardtest.Flow{Base: em.base, AuthPage: c.authPage,
				Query: url.Values{"auth_type": {"1"}, "utm_source": {onboardtest.XSS}},
				Viewed: func(tb testing.TB) {
					if d := em.callsSince(before); len(d) != 0 {
						tb.Errorf("page view: WeChat calls %v; want none", d)
					}
				},
				Clicked: func(tb testing.TB) {
					if d := em.callsSince(before); !maps.Equal(d, map[string]int{"api_create_preauthcode": 1}) {
						tb.Errorf("click: WeChat calls %v; want one api_create_preauthcode", d)
					}
					if st := em.sim.AuthPageStats(); st.Views != stats.Views+1 || st.Refused != stats.Refused {
						tb.Errorf("authorization page: %d views, %d refused (%s); want one view (Referer and redirect_uri on our domain)",
							st.Views-stats.Views, st.Refused-stats.Refused, st.LastRefusal)
					}
				}}
			r := onboardtest.Authorize(t, b, flow)

			var pushes []wxtest.PushResult
			if c.order == wxtest.RedirectBeforePush {
				em.wantServing(t, r.AppID) // written by the callback, before the push
				var err error
				if pushes, err = em.sim.SendHeldPushes(context.Background()); err != nil {
					t.Fatal(err)
				}
			} else {
				pushes = em.sim.AuthPageStats().Pushes[len(stats.Pushes):]
			}
			if len(pushes) != 1 || pushes[0].Status != 200 || pushes[0].Body != "success" {
				t.Errorf("authorized pushes %+v; want one answered success", pushes)
			}
			em.wantServing(t, r.AppID)
			if r.Scopes != "1, 15" {
				t.Errorf("callback page names scopes %q; want 1, 15", r.Scopes)
			}
			want := map[string]int{"api_create_preauthcode": 1, "api_query_auth": 1}
			if d := em.callsSince(before); !maps.Equal(d, want) {
				t.Errorf("one authorization: WeChat calls %v; want %v whichever order", d, want)
			}
			cb, err := url.Parse(r.Callback.URL)
			if err != nil {
				t.Fatal(err)
			}
			if code := cb.Query().Get("auth_code"); code == "" || strings.Contains(b.HTML(t), code) {
				t.Errorf("the callback page shows the authorization code (or the URL has none: %s)", r.Callback.URL)
			}

			// A reload answers from the table: no WeChat call.
			again := b.Open(t, r.Callback.URL)
			onboardtest.CheckHeaders(t, "reloaded callback page", again)
			if d := em.callsSince(before); again.Status != 200 || !maps.Equal(d, want) {
				t.Errorf("reload: status %d, WeChat calls %v; want 200, still %v", again.Status, d, want)
			}
			appIDs = append(appIDs, r.AppID)
		})
	}

	t.Run("scripts run nowhere", func(t *testing.T) {
		b := onboardtest.NewBrowser(t, onboardtest.PhoneUA)
		all := url.Values{}
		for _, k := range []string{"auth_type", "biz_appid", "key", "auth_code", "expires_in", "redirect_uri", "x"} {
			all.Set(k, onboardtest.XSS)
		}
		before := em.wechatCallsByOp()
		for path, status := range map[string]int{
			onboard.PathAuthorize:   400,
			onboard.PathAuthorizeGo: 400,
			onboard.PathCallback:    400, // WeChat refuses the code: 61009
		} {
			res := b.Open(t, em.base+path+"?"+all.Encode())
			if res.Status != status {
				t.Errorf("%s: status %d; want %d", path, res.Status, status)
			}
			onboardtest.CheckHeaders(t, path, res)
			onboardtest.CheckNoScriptRan(t, path, b)
		}
		if d := em.callsSince(before); !maps.Equal(d, map[string]int{"api_query_auth": 1}) {
			t.Errorf("WeChat calls %v; want only the refused api_query_auth", d)
		}
	})

	log := em.emu.Log.String()
	em.noSecretIn(t, "the emulator's log", log, appIDs...)
	if strings.Contains(log, "queryauthcode") || strings.Contains(log, "preauthcode@@@") {
		t.Errorf("the emulator's log holds an authorization or pre-auth code:\n%s", log)
	}
	if !strings.Contains(log, `"msg":"page"`) || !strings.Contains(log, `"msg":"account authorized"`) {
		t.Errorf("the emulator's log lacks the page summary and account lines:\n%s", em.emu.Log.Tail(40))
	}
}
