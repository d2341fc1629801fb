package wxtest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

const (
	appID     = "wx0123456789abcdef"
	appSecret = "SENTINEL-APPSECRET-9d1e"
)

// stableReply is stable_token's answer, success or error.
type stableReply struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
	Errcode     int    `json:"errcode"`
	Errmsg      string `json:"errmsg"`
}

// callStable sends a stable_token request straight to the handler.
func callStable(tb testing.TB, h http.Handler, method, body string) stableReply {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, wxtest.PathStableToken, strings.NewReader(body)))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != wxtest.ContentTypeJSON {
		tb.Fatalf("%s stable_token %s = %d %q; want 200 %q", method, body, rec.Code, rec.Header().Get("Content-Type"), wxtest.ContentTypeJSON)
	}
	if strings.Contains(rec.Body.String(), appSecret) {
		tb.Errorf("stable_token reply echoes the appsecret: %s", rec.Body)
	}
	var r stableReply
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		tb.Fatalf("stable_token reply %q is not JSON: %v", rec.Body, err)
	}
	return r
}

// fetch asks for the app's token in normal or force mode and fails the test
// on an errcode.
func fetch(tb testing.TB, h http.Handler, force bool) stableReply {
	tb.Helper()
	r := callStable(tb, h, http.MethodPost, stableBody(appID, appSecret, force))
	if r.Errcode != 0 || r.AccessToken == "" {
		tb.Fatalf("stable_token(force %v) = %+v; want a token", force, r)
	}
	return r
}

func stableBody(id, secret string, force bool) string {
	b, _ := json.Marshal(map[string]any{"grant_type": "client_credential", "appid": id, "secret": secret, "force_refresh": force})
	return string(b)
}

// industryCode calls get_industry with tok and returns the errcode (0: the
// industry).
func industryCode(tb testing.TB, h http.Handler, tok string) int {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, wxtest.PathGetIndustry+"?access_token="+tok, nil))
	var r errReply
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		tb.Fatalf("get_industry reply %q: %v", rec.Body, err)
	}
	return r.Errcode
}

// newAppSim returns a simulator with the test app and a clock fixed at a
// Shanghai noon, moved only by Advance.
func newAppSim() *wxtest.Simulator {
	sim := wxtest.NewSimulator("static-token")
	sim.SetApp(appID, appSecret)
	noon := time.Date(2026, 3, 2, 12, 0, 0, 0, time.FixedZone("CST", 8*3600))
	sim.SetNow(func() time.Time { return noon })
	return sim
}

func TestStableTokenWire(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		body     string
		wantCode int
		wantMsg  string
	}{
		{"ok", http.MethodPost, stableBody(appID, appSecret, false), 0, ""},
		{"force field omitted", http.MethodPost, `{"grant_type":"client_credential","appid":"` + appID + `","secret":"` + appSecret + `"}`, 0, ""},
		{"get", http.MethodGet, stableBody(appID, appSecret, false), 43002, "require POST method"},
		{"not json", http.MethodPost, "grant_type=client_credential", 47001, "data format error"},
		{"force not a bool", http.MethodPost, `{"grant_type":"client_credential","appid":"a","secret":"b","force_refresh":"yes"}`, 47001, "data format error"},
		{"grant type", http.MethodPost, `{"grant_type":"authorization_code","appid":"a","secret":"b"}`, 40002, "invalid grant_type"},
		{"no appid", http.MethodPost, stableBody("", appSecret, false), 41002, "appid missing"},
		{"no secret", http.MethodPost, stableBody(appID, "", false), 41004, "appsecret missing"},
		{"unknown appid", http.MethodPost, stableBody("wxffffffffffffffff", appSecret, false), 40013, "invalid appid"},
		{"wrong secret", http.MethodPost, stableBody(appID, appSecret+"x", false), 40125, "invalid appsecret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newAppSim()
			r := callStable(t, sim, tt.method, tt.body)
			if tt.wantCode == 0 {
				if r.Errcode != 0 || len(r.AccessToken) < 100 || r.ExpiresIn != 7200 {
					t.Errorf("reply = %+v; want a long token and expires_in 7200", r)
				}
				return
			}
			if r.Errcode != tt.wantCode || !strings.HasPrefix(r.Errmsg, tt.wantMsg) || !ridRE.MatchString(r.Errmsg) || r.AccessToken != "" {
				t.Errorf("reply = %+v; want errcode %d, errmsg %q + rid, no token", r, tt.wantCode, tt.wantMsg)
			}
			if sim.StableTokenCalls() != 1 {
				t.Errorf("StableTokenCalls() = %d; want 1", sim.StableTokenCalls())
			}
		})
	}
}

func TestStableTokenNormalModeRenewsInTheLastFiveMinutes(t *testing.T) {
	sim := newAppSim()
	first := fetch(t, sim, false)
	sim.Advance(time.Hour)
	if again := fetch(t, sim, false); again.AccessToken != first.AccessToken || again.ExpiresIn != 3600 {
		t.Fatalf("after 1h: expires_in %d, same token %v; want the same token with 3600", again.ExpiresIn, again.AccessToken == first.AccessToken)
	}
	sim.Advance(time.Hour - 5*time.Minute - time.Second) // 301 s left: not yet
	if again := fetch(t, sim, false); again.AccessToken != first.AccessToken || again.ExpiresIn != 301 {
		t.Fatalf("301 s left: expires_in %d, same token %v; want the same token", again.ExpiresIn, again.AccessToken == first.AccessToken)
	}
	sim.Advance(time.Second) // 300 s left: renewal
	renewed := fetch(t, sim, false)
	if renewed.AccessToken == first.AccessToken || renewed.ExpiresIn != 7200 {
		t.Fatalf("300 s left: expires_in %d, same token %v; want a new token with 7200", renewed.ExpiresIn, renewed.AccessToken == first.AccessToken)
	}
	if tok, _, ok := sim.AppToken(appID); !ok || tok != renewed.AccessToken {
		t.Errorf("AppToken() = ok %v, same %v; want the renewed token", ok, tok == renewed.AccessToken)
	}
	for _, step := range []struct {
		advance        time.Duration
		oldWant, newWt int
	}{
		{0, 0, 0},                                   // handover: both work
		{5*time.Minute - time.Second, 0, 0},         // the old one's last second
		{time.Second, 42001, 0},                     // the old one expired
		{2*time.Hour - 5*time.Minute, 42001, 42001}, // the new one expired too
	} {
		sim.Advance(step.advance)
		old, cur := industryCode(t, sim, first.AccessToken), industryCode(t, sim, renewed.AccessToken)
		if old != step.oldWant || cur != step.newWt {
			t.Errorf("at %v: old token %d, new token %d; want %d, %d", sim.Now(), old, cur, step.oldWant, step.newWt)
		}
	}
	if code := industryCode(t, sim, "static-token"); code != 0 {
		t.Errorf("SetTokens token after 2 days = errcode %d; want it to keep working", code)
	}
}

func TestStableTokenForce(t *testing.T) {
	sim := newAppSim()
	a := fetch(t, sim, false)
	sim.Advance(time.Minute)
	b := fetch(t, sim, true)
	if b.AccessToken == a.AccessToken || b.ExpiresIn != 7200 || sim.Forces(appID) != 1 {
		t.Fatalf("force: new token %v, expires_in %d, Forces %d; want a new token, 7200, 1", b.AccessToken != a.AccessToken, b.ExpiresIn, sim.Forces(appID))
	}
	if n := fetch(t, sim, false); n.AccessToken != b.AccessToken {
		t.Error("normal mode after a force does not return the forced token")
	}
	if industryCode(t, sim, a.AccessToken) != 0 || industryCode(t, sim, b.AccessToken) != 0 {
		t.Error("right after a force, the old and new tokens should both work")
	}
	sim.Advance(29 * time.Second)
	if c := fetch(t, sim, true); c.AccessToken != b.AccessToken || c.ExpiresIn != 7171 || sim.Forces(appID) != 1 {
		t.Errorf("force 29 s later: new token %v, expires_in %d, Forces %d; want no refresh", c.AccessToken != b.AccessToken, c.ExpiresIn, sim.Forces(appID))
	}
	sim.Advance(5*time.Minute - 29*time.Second)
	if code := industryCode(t, sim, a.AccessToken); code != 40001 {
		t.Errorf("token retired by a force, 5 min later: errcode %d; want 40001", code)
	}
	if code := industryCode(t, sim, b.AccessToken); code != 0 {
		t.Errorf("forced token 5 min later: errcode %d; want 0", code)
	}
}

func TestStableTokenForceDailyLimit(t *testing.T) {
	sim := newAppSim() // 12:00 Shanghai
	var last string
	for i := range wxtest.ForcesPerDay {
		r := fetch(t, sim, true)
		if r.AccessToken == last {
			t.Fatalf("force %d did not refresh", i+1)
		}
		last = r.AccessToken
		sim.Advance(wxtest.ForceSpacing)
	}
	r := callStable(t, sim, http.MethodPost, stableBody(appID, appSecret, true))
	if r.Errcode != 45009 || !strings.HasPrefix(r.Errmsg, "reach max api daily quota limit") {
		t.Fatalf("force %d = %+v; want errcode 45009", wxtest.ForcesPerDay+1, r)
	}
	if n := fetch(t, sim, false); n.AccessToken != last {
		t.Error("normal mode after a refused force does not return the last token")
	}
	sim.Advance(12 * time.Hour) // past midnight in Shanghai
	if n := fetch(t, sim, true); n.AccessToken == last || sim.Forces(appID) != wxtest.ForcesPerDay+1 {
		t.Errorf("force on the next day: refreshed %v, Forces %d; want a refresh", n.AccessToken != last, sim.Forces(appID))
	}
}

func TestStableTokenMinuteQuota(t *testing.T) {
	sim := newAppSim()
	for i := range wxtest.CallsPerMinute {
		if r := callStable(t, sim, http.MethodPost, stableBody(appID, appSecret, false)); r.Errcode != 0 {
			t.Fatalf("call %d = errcode %d; want a token", i+1, r.Errcode)
		}
	}
	if r := callStable(t, sim, http.MethodPost, stableBody(appID, appSecret, false)); r.Errcode != 45011 {
		t.Fatalf("call %d in a minute = errcode %d; want 45011", wxtest.CallsPerMinute+1, r.Errcode)
	}
	sim.Advance(time.Minute)
	fetch(t, sim, false)
}

func TestStableTokenScript(t *testing.T) {
	sim := newAppSim()
	a := fetch(t, sim, false)
	sim.Advance(time.Minute)
	sim.ScriptStableToken(wxtest.Fault{Errcode: -1}, wxtest.Fault{Errcode: 40164}, wxtest.Fault{Delay: time.Millisecond})
	for _, want := range []int{-1, 40164} {
		if r := callStable(t, sim, http.MethodPost, stableBody(appID, appSecret, true)); r.Errcode != want {
			t.Errorf("scripted reply = %+v; want errcode %d", r, want)
		}
	}
	if sim.Forces(appID) != 0 {
		t.Errorf("Forces() = %d after scripted errors; want 0 (nothing issued)", sim.Forces(appID))
	}
	// A slow reply is still a served request: the force happens.
	if r := fetch(t, sim, true); r.AccessToken == a.AccessToken || sim.Forces(appID) != 1 {
		t.Errorf("slow force: refreshed %v, Forces %d; want a refresh", r.AccessToken != a.AccessToken, sim.Forces(appID))
	}
	if sim.StableTokenCalls() != 4 || sim.Calls() != 0 {
		t.Errorf("StableTokenCalls() = %d, Calls() = %d; want 4, 0", sim.StableTokenCalls(), sim.Calls())
	}
	sim.Reset()
	if sim.StableTokenCalls() != 0 {
		t.Errorf("StableTokenCalls() after Reset = %d; want 0", sim.StableTokenCalls())
	}
}

func TestStableTokenControlAPI(t *testing.T) {
	sim := wxtest.NewSimulator()
	noon := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	sim.SetNow(func() time.Time { return noon })
	srv := newServer(t, sim)
	steps := []struct {
		path, body string
		wantStatus int
	}{
		{"/_sim/app", `{"appid":"` + appID + `","appsecret":"` + appSecret + `"}`, http.StatusNoContent},
		{"/_sim/app", `{"appid":"x","secret":"y"}`, http.StatusBadRequest},
		{"/_sim/advance", `{"by":"90m"}`, http.StatusNoContent},
		{"/_sim/advance", `{"by":"-1h"}`, http.StatusBadRequest},
		{"/_sim/advance", `{"by":"soon"}`, http.StatusBadRequest},
		{"/_sim/stable_token/script", `[{"errcode":40164}]`, http.StatusNoContent},
		{"/_sim/stable_token/script", `[{"errcode":"x"}]`, http.StatusBadRequest},
	}
	for _, s := range steps {
		if resp, body := send(t, http.MethodPost, srv.URL+s.path, s.body); resp.StatusCode != s.wantStatus {
			t.Errorf("POST %s %s = %d %s; want %d", s.path, s.body, resp.StatusCode, body, s.wantStatus)
		}
	}
	if got, want := sim.Now(), noon.Add(90*time.Minute); !got.Equal(want) {
		t.Errorf("Now() after advance = %v; want %v", got, want)
	}
	url := srv.URL + wxtest.PathStableToken
	if _, body := send(t, http.MethodPost, url, stableBody(appID, appSecret, false)); !strings.Contains(body, `"errcode":40164`) {
		t.Errorf("scripted stable_token = %s; want errcode 40164", body)
	}
	if _, body := send(t, http.MethodPost, url, stableBody(appID, appSecret, false)); !strings.Contains(body, `"expires_in":7200`) {
		t.Errorf("stable_token = %s; want a token", body)
	}
	_, body := send(t, http.MethodGet, srv.URL+"/_sim/stats", "")
	var stats struct {
		StableTokenCalls int `json:"stable_token_calls"`
	}
	if err := json.Unmarshal([]byte(body), &stats); err != nil || stats.StableTokenCalls != 2 {
		t.Errorf("stats = %s (%v); want stable_token_calls 2", body, err)
	}
}
