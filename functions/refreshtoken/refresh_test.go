package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/wxindustry/getindustry/internal/token/smtest"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

func TestRefreshFirstRunWritesTheToken(t *testing.T) {
	e := newEnv(t)
	a := e.mustRefresh(t, e.r, `{}`)
	st := e.wantCurrent(t)
	if !a.Changed || a.ExpiresAt != e.clock.Now().Add(7200*time.Second).Format(time.RFC3339) || e.sm.Puts(tokenID) != 1 {
		t.Errorf("answer = %+v, Puts = %d; want changed, expires_at now+7200s, 1 write", a, e.sm.Puts(tokenID))
	}
	if a.ExpiresAt != st.ExpiresAt.Format(time.RFC3339) || len(st.ForcedAt) != 0 {
		t.Errorf("secret = expires_at %v, forced_at %v; want the answer's expiry and no forces", st.ExpiresAt, st.ForcedAt)
	}
}

func TestRefreshUnchangedTokenIsNotWritten(t *testing.T) {
	e := newEnv(t)
	first := e.mustRefresh(t, e.r, `{}`)
	for range 3 {
		e.clock.Advance(20 * time.Minute)
		a := e.mustRefresh(t, e.r, `{"source":"aws.events","detail-type":"Scheduled Event","detail":{}}`)
		if a.Changed || a.ExpiresAt != first.ExpiresAt {
			t.Errorf("answer = %+v; want unchanged, expires_at %s", a, first.ExpiresAt)
		}
	}
	if n := e.sm.Puts(tokenID); n != 1 {
		t.Errorf("PutSecretValue calls = %d; want 1 (no needless versions)", n)
	}
	if n := e.sm.Calls(tokenID); n != 5 {
		t.Errorf("GetSecretValue calls on the token secret = %d; want 5 (one per run, and one more before the one write)", n)
	}
	e.wantCurrent(t)
}

func TestRefreshPicksUpRenewal(t *testing.T) {
	e := newEnv(t)
	first := e.mustRefresh(t, e.r, `{}`)
	old := e.secret(t).AccessToken
	e.clock.Advance(2*time.Hour - 4*time.Minute) // inside WeChat's last five minutes
	a := e.mustRefresh(t, e.r, `{}`)
	st := e.wantCurrent(t)
	want := e.clock.Now().Add(7200 * time.Second)
	if !a.Changed || st.AccessToken == old || !st.ExpiresAt.Equal(want) || a.ExpiresAt == first.ExpiresAt || e.sm.Puts(tokenID) != 2 {
		t.Errorf("answer = %+v, secret expires_at %v, Puts %d; want changed, a new token, %v, 2 writes", a, st.ExpiresAt, e.sm.Puts(tokenID), want)
	}
	if code := e.industryCode(t, old); code != 0 {
		t.Errorf("the previous token during the handover: errcode %d; want 0", code)
	}
}

func TestRefreshAfterExpiry(t *testing.T) {
	e := newEnv(t)
	e.mustRefresh(t, e.r, `{}`)
	old := e.secret(t).AccessToken
	e.clock.Advance(3 * time.Hour) // no run for a while: the token expired
	if code := e.industryCode(t, old); code != 42001 {
		t.Fatalf("expired token: errcode %d; want 42001", code)
	}
	if a := e.mustRefresh(t, e.r, `{}`); !a.Changed {
		t.Errorf("answer = %+v; want changed", a)
	}
	e.wantCurrent(t)
}

func TestRefreshBareTokenGainsExpiry(t *testing.T) {
	e := newEnv(t)
	e.mustRefresh(t, e.r, `{}`)
	tok := e.secret(t).AccessToken
	e.sm.SetSecret(tokenID, tok) // an operator pasted the bare token
	if a := e.mustRefresh(t, e.r, `{}`); a.Changed || e.sm.Puts(tokenID) != 2 {
		t.Errorf("answer = %+v, Puts %d; want unchanged token, one write adding expires_at", a, e.sm.Puts(tokenID))
	}
	e.wantCurrent(t)
}

func TestRefreshKeepsOtherFields(t *testing.T) {
	e := newEnv(t)
	e.sm.SetSecret(tokenID, `{"access_token":"old","expires_at":"2026-03-02T03:00:00Z","owner":"team-wx"}`)
	e.mustRefresh(t, e.r, `{}`)
	if st := e.wantCurrent(t); string(st.Extra["owner"]) != `"team-wx"` {
		t.Errorf("extra fields = %v; want owner kept", st.Extra)
	}
}

func TestForceRefresh(t *testing.T) {
	e := newEnv(t)
	e.mustRefresh(t, e.r, `{}`)
	old := e.secret(t).AccessToken
	e.clock.Advance(time.Minute)
	a := e.mustRefresh(t, e.r, `{"force_refresh": true}`)
	st := e.wantCurrent(t)
	if !a.Changed || st.AccessToken == old || len(st.ForcedAt) != 1 || !st.ForcedAt[0].Equal(e.clock.Now()) || e.sim.Forces(appID) != 1 {
		t.Errorf("answer = %+v, forced_at %v, Forces %d; want changed, one force recorded at now", a, st.ForcedAt, e.sim.Forces(appID))
	}
	// A normal run afterwards changes nothing and keeps the record.
	e.clock.Advance(time.Minute)
	if a := e.mustRefresh(t, e.r, `{"force_refresh": false}`); a.Changed || len(e.secret(t).ForcedAt) != 1 {
		t.Errorf("normal run after a force = %+v; want unchanged with the force kept", a)
	}
}

func TestForceRefreshLimits(t *testing.T) {
	e := newEnv(t)
	e.mustRefresh(t, e.r, `{}`)
	e.clock.Advance(time.Minute)
	first := e.clock.Now()
	e.mustRefresh(t, e.r, `{"force_refresh":true}`)

	// 29 s later: refused without calling WeChat.
	e.clock.Advance(29 * time.Second)
	calls, puts := e.sim.StableTokenCalls(), e.sm.Puts(tokenID)
	_, ie := e.invoke(t, e.r, `{"force_refresh":true}`)
	if ie == nil || ie.Type != "ForceRefreshLimited" || !strings.Contains(ie.Message, "30 s") ||
		!strings.Contains(ie.Message, first.Add(30*time.Second).Format(time.RFC3339)) {
		t.Fatalf("force 29 s after the last = %+v; want ForceRefreshLimited naming the 30 s spacing and when", ie)
	}
	if e.sim.StableTokenCalls() != calls || e.sm.Puts(tokenID) != puts {
		t.Errorf("a refused force called WeChat (%d calls) or wrote (%d puts)", e.sim.StableTokenCalls()-calls, e.sm.Puts(tokenID)-puts)
	}

	// 19 more forces, 31 s apart, make 20; the 21st is refused, without
	// calling WeChat, until the first leaves the 24-hour window.
	for range 19 {
		e.clock.Advance(31 * time.Second)
		e.mustRefresh(t, e.r, `{"force_refresh":true}`)
	}
	e.clock.Advance(time.Hour)
	calls = e.sim.StableTokenCalls()
	_, ie = e.invoke(t, e.r, `{"force_refresh":true}`)
	if ie == nil || ie.Type != "ForceRefreshLimited" || !strings.Contains(ie.Message, "20 forced refreshes") ||
		!strings.Contains(ie.Message, first.Add(24*time.Hour).Format(time.RFC3339)) {
		t.Fatalf("21st force in 24 h = %+v; want ForceRefreshLimited naming the daily limit and when", ie)
	}
	if e.sim.StableTokenCalls() != calls {
		t.Error("the 21st force called WeChat")
	}
	if st := e.secret(t); len(st.ForcedAt) != 20 {
		t.Errorf("forced_at holds %d entries; want 20", len(st.ForcedAt))
	}
	e.clock.Advance(first.Add(24*time.Hour + time.Second).Sub(e.clock.Now())) // only the first force has left the window
	if a := e.mustRefresh(t, e.r, `{"force_refresh":true}`); !a.Changed {
		t.Errorf("force after the window = %+v; want changed", a)
	}
	if st := e.wantCurrent(t); len(st.ForcedAt) != 20 || st.ForcedAt[0].Equal(first) {
		t.Errorf("forced_at = %v; want 20 entries, the oldest pruned and the new one added", st.ForcedAt)
	}
}

func TestForceRefreshRecordSurvivesColdStart(t *testing.T) {
	e := newEnv(t)
	e.mustRefresh(t, e.r, `{}`)
	e.mustRefresh(t, e.r, `{"force_refresh":true}`)
	e.clock.Advance(10 * time.Second)
	cold := e.newRefresher(t, e.smURL) // a new instance knows only what the secret says
	if _, ie := e.invoke(t, cold, `{"force_refresh":true}`); ie == nil || ie.Type != "ForceRefreshLimited" {
		t.Errorf("force from a new instance 10 s later = %+v; want ForceRefreshLimited", ie)
	}
}

func TestForceRefreshWeChatDidNotRefresh(t *testing.T) {
	e := newEnv(t)
	e.mustRefresh(t, e.r, `{}`)
	// Another tool forced a refresh on the account, and a normal run
	// stored its token without a forced_at record.
	other := e.newRefresher(t, e.smURL)
	if _, err := other.wechat.StableToken(t.Context(), appID, appSecret, true); err != nil {
		t.Fatal(err)
	}
	e.mustRefresh(t, e.r, `{}`)
	e.clock.Advance(10 * time.Second)
	puts := e.sm.Puts(tokenID)
	_, ie := e.invoke(t, e.r, `{"force_refresh":true}`)
	if ie == nil || ie.Type != "ForceRefreshLimited" || !strings.Contains(ie.Message, "did not issue a new token") {
		t.Errorf("force WeChat did not honour = %+v; want ForceRefreshLimited", ie)
	}
	if e.sm.Puts(tokenID) != puts {
		t.Error("a force WeChat did not honour was written")
	}
}

func TestRefreshErrors(t *testing.T) {
	tests := []struct {
		name      string
		payload   string
		prepare   func(e *env)
		wantType  string
		wantWx    bool // WeChat is called
		wantWrite bool // PutSecretValue is called
	}{
		{name: "payload a string", payload: `"refresh"`, wantType: "InvalidRequest"},
		{name: "payload an array", payload: `[{}]`, wantType: "InvalidRequest"},
		{name: "payload not JSON", payload: `force`, wantType: "InvalidRequest"},
		{name: "payload empty", payload: ``, wantType: "InvalidRequest"},
		{name: "force_refresh a string", payload: `{"force_refresh":"yes"}`, wantType: "InvalidRequest"},
		{name: "credentials secret missing", prepare: func(e *env) { e.sm.DeleteSecret(credsID) }, wantType: "CredentialsUnavailable"},
		{name: "credentials access denied", prepare: func(e *env) { e.sm.Fail(credsID, smtest.Fault{Type: "AccessDeniedException"}) }, wantType: "CredentialsUnavailable"},
		{name: "credentials not JSON", prepare: func(e *env) { e.sm.SetSecret(credsID, appSecret) }, wantType: "CredentialsUnavailable"},
		{name: "credentials without appsecret", prepare: func(e *env) { e.sm.SetSecret(credsID, `{"appid":"`+appID+`"}`) }, wantType: "CredentialsUnavailable"},
		{name: "credentials binary", prepare: func(e *env) { e.sm.SetSecretBinary(credsID, []byte(credsJSON)) }, wantType: "CredentialsUnavailable"},
		{name: "wrong appid", prepare: func(e *env) { e.sm.SetSecret(credsID, `{"appid":"wxffffffffffffffff","appsecret":"`+appSecret+`"}`) },
			wantType: "InvalidCredentials", wantWx: true},
		{name: "wrong appsecret", prepare: func(e *env) { e.sim.SetApp(appID, "rotated-in-console") }, wantType: "InvalidCredentials", wantWx: true},
		{name: "ip not allowed", prepare: scriptWx(wxtest.Fault{Errcode: 40164}), wantType: "WeChatUnauthorized", wantWx: true},
		{name: "daily quota", prepare: scriptWx(wxtest.Fault{Errcode: 45009}), wantType: "WeChatQuotaExceeded", wantWx: true},
		{name: "daily quota on a force", payload: `{"force_refresh":true}`, prepare: scriptWx(wxtest.Fault{Errcode: 45009}), wantType: "ForceRefreshLimited", wantWx: true},
		{name: "minute quota on a force", payload: `{"force_refresh":true}`, prepare: scriptWx(wxtest.Fault{Errcode: 45011}), wantType: "ForceRefreshLimited", wantWx: true},
		{name: "busy after retries", prepare: scriptWx(wxtest.Fault{Errcode: -1}, wxtest.Fault{Errcode: -1}, wxtest.Fault{Errcode: -1}), wantType: "WeChatBusy", wantWx: true},
		{name: "http 503 after retries", prepare: scriptWx(wxtest.Fault{Status: 503}, wxtest.Fault{Status: 503}, wxtest.Fault{Status: 503}), wantType: "WeChatBusy", wantWx: true},
		{name: "connection reset", prepare: scriptWx(wxtest.Fault{Reset: true}, wxtest.Fault{Reset: true}, wxtest.Fault{Reset: true}), wantType: "WeChatBusy", wantWx: true},
		{name: "timeout", prepare: scriptWx(wxtest.Fault{Delay: 5 * time.Second}, wxtest.Fault{Delay: 5 * time.Second}, wxtest.Fault{Delay: 5 * time.Second}),
			wantType: "UpstreamTimeout", wantWx: true},
		{name: "bad reply", prepare: scriptWx(wxtest.Fault{Body: `{"access_token":"SENTINEL-TOKEN-5f3c"}`}), wantType: "UpstreamBadResponse", wantWx: true},
		{name: "html reply", prepare: scriptWx(wxtest.Fault{Status: 404}), wantType: "UpstreamBadResponse", wantWx: true},
		{name: "other errcode", prepare: scriptWx(wxtest.Fault{Errcode: 89503}), wantType: "WeChatError", wantWx: true},
		{name: "token secret unreadable", prepare: func(e *env) { e.sm.Fail(tokenID, smtest.Fault{Type: "AccessDeniedException"}) }, wantType: "TokenUnavailable"},
		{name: "token secret unwritable", prepare: func(e *env) { e.sm.Fail(tokenID, smtest.Fault{Type: "AccessDeniedException", Op: "PutSecretValue"}) },
			wantType: "TokenUnavailable", wantWx: true, wantWrite: true},
		{name: "token secret missing", prepare: func(e *env) { e.sm.DeleteSecret(tokenID) }, wantType: "TokenUnavailable", wantWx: true, wantWrite: true},
		{name: "token secret missing, force", payload: `{"force_refresh":true}`, prepare: func(e *env) { e.sm.DeleteSecret(tokenID) }, wantType: "TokenUnavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.prepare != nil {
				tt.prepare(e)
			}
			payload := tt.payload
			if payload == "" && !strings.HasPrefix(tt.name, "payload") {
				payload = `{}`
			}
			r := e.r
			if tt.wantType == "UpstreamTimeout" {
				r = e.newRefresher(t, e.smURL)
				r.wechat = shortTimeout(t, e)
			}
			_, ie := e.invoke(t, r, payload)
			if ie == nil || ie.Type != tt.wantType || ie.Message == "" {
				t.Fatalf("Invoke(%s) = %+v; want errorType %s with a message\nlogs:\n%s", payload, ie, tt.wantType, e.logs.String())
			}
			if called := e.sim.StableTokenCalls() > 0; called != tt.wantWx {
				t.Errorf("WeChat called = %v; want %v", called, tt.wantWx)
			}
			if wrote := e.sm.Puts(tokenID) > 0; wrote != tt.wantWrite {
				t.Errorf("PutSecretValue called = %v; want %v", wrote, tt.wantWrite)
			}
			logs := e.logs.String()
			if !strings.Contains(logs, `"error_type":"`+tt.wantType+`"`) || !strings.Contains(logs, `"msg":"refresh"`) {
				t.Errorf("logs lack the summary naming %s:\n%s", tt.wantType, logs)
			}
			noSecretIn(t, "error message", ie.Message)
			noSecretIn(t, "logs", logs)
		})
	}
}

// scriptWx scripts the next stable_token replies.
func scriptWx(faults ...wxtest.Fault) func(e *env) {
	return func(e *env) { e.sim.ScriptStableToken(faults...) }
}

// TestForceOfUnknownOutcomeIsCounted: a force that times out may have been
// spent at WeChat, so it is recorded; the next force inside 30 s is then
// refused without calling WeChat. A force WeChat refused with an errcode
// was definitely not spent and is not recorded.
func TestForceOfUnknownOutcomeIsCounted(t *testing.T) {
	tests := []struct {
		name     string
		fault    wxtest.Fault
		wantType string
		recorded bool
	}{
		{"timeout", wxtest.Fault{Delay: 3 * time.Second}, "UpstreamTimeout", true},
		{"connection reset", wxtest.Fault{Reset: true}, "WeChatBusy", true},
		{"invalid appsecret", wxtest.Fault{Errcode: wx.CodeInvalidAppSecret}, "InvalidCredentials", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.mustRefresh(t, e.r, `{}`)
			e.clock.Advance(time.Minute)
			e.sim.ScriptStableToken(tt.fault)
			if _, ie := e.invoke(t, e.r, `{"force_refresh": true}`); ie == nil || ie.Type != tt.wantType {
				t.Fatalf("force = %+v; want %s", ie, tt.wantType)
			}
			if got := len(e.secret(t).ForcedAt); got != map[bool]int{true: 1, false: 0}[tt.recorded] {
				t.Fatalf("forced_at has %d entries; want recorded = %v", got, tt.recorded)
			}
			calls := e.sim.StableTokenCalls()
			e.clock.Advance(10 * time.Second)
			_, ie := e.invoke(t, e.r, `{"force_refresh": true}`)
			if tt.recorded && (ie == nil || ie.Type != "ForceRefreshLimited" || e.sim.StableTokenCalls() != calls) {
				t.Errorf("second force = %+v after %d WeChat calls; want ForceRefreshLimited without calling WeChat", ie, e.sim.StableTokenCalls()-calls)
			}
			noSecretIn(t, "logs", e.logs.String(), e.secret(t).AccessToken)
		})
	}
}

// TestForceSpacingIsExact: forces are stored with their fraction of a
// second, so a force 29.2 s after one made at x.9 s is refused, and an old
// second-precision entry still counts.
func TestForceSpacingIsExact(t *testing.T) {
	e := newEnv(t)
	e.mustRefresh(t, e.r, `{}`)
	e.clock.Advance(time.Minute + 900*time.Millisecond)
	e.mustRefresh(t, e.r, `{"force_refresh":true}`)
	e.clock.Advance(29*time.Second + 200*time.Millisecond)
	calls := e.sim.StableTokenCalls()
	if _, ie := e.invoke(t, e.r, `{"force_refresh":true}`); ie == nil || ie.Type != "ForceRefreshLimited" || e.sim.StableTokenCalls() != calls {
		t.Errorf("force 29.2 s after the last = %+v; want ForceRefreshLimited without calling WeChat", ie)
	}
	// A second-precision entry written by an older refresher still parses.
	st := e.secret(t)
	e.sm.SetSecret(tokenID, `{"access_token":"`+st.AccessToken+`","expires_at":"`+st.ExpiresAt.Format(time.RFC3339)+
		`","forced_at":["`+e.clock.Now().Add(-10*time.Second).Format(time.RFC3339)+`"]}`)
	if _, ie := e.invoke(t, e.r, `{"force_refresh":true}`); ie == nil || ie.Type != "ForceRefreshLimited" {
		t.Errorf("force 10 s after a second-precision entry = %+v; want ForceRefreshLimited", ie)
	}
}

// TestForceRefusedWhenHistoryUnreadable: when the recorded forces cannot be
// read, a force is refused without calling WeChat, with a message that says
// why, and a normal run still works. A bare token (stored by hand before the
// first run) has no history and does not block a force.
func TestForceRefusedWhenHistoryUnreadable(t *testing.T) {
	tests := []struct {
		name    string
		value   func(tok string) string
		refused bool
	}{
		{"an entry not a time", func(tok string) string {
			return `{"access_token":"` + tok + `","expires_at":"2026-03-02T06:00:00Z","forced_at":["2026-03-02T03:59:50Z","junk"]}`
		}, true},
		{"forced_at not a list", func(tok string) string {
			return `{"access_token":"` + tok + `","expires_at":"2026-03-02T06:00:00Z","forced_at":"2026-03-02T03:59:50Z"}`
		}, true},
		{"not JSON", func(tok string) string { return `{"access_token":"` + tok + `",` }, true},
		{"bare token", func(tok string) string { return tok }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.mustRefresh(t, e.r, `{}`)
			e.clock.Advance(time.Minute)
			e.sm.SetSecret(tokenID, tt.value(e.secret(t).AccessToken))
			calls := e.sim.StableTokenCalls()
			_, ie := e.invoke(t, e.r, `{"force_refresh":true}`)
			if !tt.refused {
				if ie != nil {
					t.Fatalf("force = %+v; want success", ie)
				}
				return
			}
			if ie == nil || ie.Type != "ForceRefreshLimited" || !strings.Contains(ie.Message, "cannot be read") || e.sim.StableTokenCalls() != calls {
				t.Fatalf("force = %+v after %d WeChat calls; want ForceRefreshLimited saying the history cannot be read, WeChat not called",
					ie, e.sim.StableTokenCalls()-calls)
			}
			e.mustRefresh(t, e.r, `{}`) // normal mode keeps working
		})
	}
}

// TestForceCutOffByDeadlineIsCounted: Secrets Manager is slow first, then
// WeChat is, so the invoke's own deadline cuts the force off. The force may
// have been spent, so it is still recorded (within the answer reserve), and
// the next force inside 30 s is refused without calling WeChat.
func TestForceCutOffByDeadlineIsCounted(t *testing.T) {
	e := newEnv(t)
	e.mustRefresh(t, e.r, `{}`)
	e.clock.Advance(time.Minute)
	e.sm.Fail(tokenID, smtest.Fault{Delay: time.Second})
	e.sim.ScriptStableToken(wxtest.Fault{Delay: 3 * time.Second})
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-deadline"})
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := e.r.Invoke(ctx, []byte(`{"force_refresh":true}`)); err == nil {
		t.Fatal("force cut off by the deadline succeeded; want an error")
	}
	if got := len(e.secret(t).ForcedAt); got != 1 {
		t.Fatalf("forced_at has %d entries after a force cut off by the deadline; want 1\nlogs:\n%s", got, e.logs.String())
	}
	calls := e.sim.StableTokenCalls()
	e.clock.Advance(10 * time.Second)
	if _, ie := e.invoke(t, e.r, `{"force_refresh":true}`); ie == nil || ie.Type != "ForceRefreshLimited" || e.sim.StableTokenCalls() != calls {
		t.Errorf("second force = %+v after %d WeChat calls; want ForceRefreshLimited without calling WeChat", ie, e.sim.StableTokenCalls()-calls)
	}
}
