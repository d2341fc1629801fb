package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/rie"
	"github.com/wxindustry/getindustry/internal/token/smtest"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	rie.RemoveBootstraps()
	os.Exit(code)
}

// emulated is one function's bootstrap under the real Runtime Interface
// Emulator.
type emulated struct {
	name string
	emu  *rie.Emulator
}

// startEmulated builds the function in pkg and starts it under the emulator
// with env on top of the shared settings.
func startEmulated(tb testing.TB, bin, pkg string, env []string) *emulated {
	tb.Helper()
	boot, err := rie.Bootstrap(pkg)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // the emulator's start, not the build
	defer cancel()
	emu, err := rie.Start(ctx, rie.Options{Binary: bin, Bootstrap: boot, Env: env, Timeout: 10 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(emu.Close)
	return &emulated{name: filepath.Base(pkg), emu: emu}
}

// invoke sends payload and returns the function's answer, or fails the test
// on a function error.
func (f *emulated) invoke(tb testing.TB, payload string) []byte {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	status, out, err := f.emu.Invoke(ctx, []byte(payload))
	var fe struct{ ErrorType string }
	if err != nil || status != 200 || (json.Unmarshal(out, &fe) == nil && fe.ErrorType != "") {
		tb.Fatalf("%s Invoke(%s) = %d %s, %v; want an answer\n%s", f.name, payload, status, out, err, f.emu.Log.Tail(20))
	}
	return out
}

// TestEmulatorRefreshKeepsGetIndustryServing runs both bootstraps under the
// emulator against the WeChat simulator and the Secrets Manager fake: the
// refresher writes the token, getindustry answers with it, and getindustry
// keeps answering while the simulator's clock moves the token through its
// renewal, its expiry and a forced refresh, with the refresher run after
// each step as its schedule would.
func TestEmulatorRefreshKeepsGetIndustryServing(t *testing.T) {
	bin, err := rie.Find()
	if err != nil {
		t.Skip(err)
	}
	if testing.Short() {
		t.Skip("end-to-end emulator test skipped in -short mode")
	}
	sim, sm := wxtest.NewSimulator(), smtest.NewFake()
	sim.SetApp(appID, appSecret)
	sm.SetSecret(credsID, credsJSON)
	sm.SetSecret(tokenID, placeholder)
	wxSrv, smSrv := wxtest.NewServer(sim), smtest.NewServer(sm)
	t.Cleanup(wxSrv.Close)
	t.Cleanup(smSrv.Close)
	shared := []string{"WX_TOKEN_SECRET_ID=" + tokenID, "WX_API_BASE_URL=" + wxSrv.URL, "AWS_LAMBDA_LOG_LEVEL=DEBUG"}
	for k, v := range smtest.Env(smSrv.URL) {
		shared = append(shared, k+"="+v)
	}
	refresher := startEmulated(t, bin, "./functions/refreshtoken", append(shared, "WX_APP_SECRET_ID="+credsID))
	getter := startEmulated(t, bin, "./functions/getindustry", append(shared,
		"WX_INDUSTRY_CACHE_TTL=0", "WX_INDUSTRY_STALE_TTL=0")) // every call reaches WeChat with the token

	refresh := func(payload string, wantChanged bool) {
		t.Helper()
		var a answer
		if err := json.Unmarshal(refresher.invoke(t, payload), &a); err != nil || a.Changed != wantChanged {
			t.Fatalf("refresh(%s) = %+v, %v; want changed %v", payload, a, err, wantChanged)
		}
		if tok, _, ok := sim.AppToken(appID); !ok || readTokenSecret(t, smSrv.URL).AccessToken != tok {
			t.Fatalf("after refresh(%s) the token secret does not hold WeChat's current token", payload)
		}
	}
	refused := func(payload, wantType string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		status, out, err := refresher.emu.Invoke(ctx, []byte(payload))
		var fe struct{ ErrorType, ErrorMessage string }
		if err != nil || status != 200 || json.Unmarshal(out, &fe) != nil || fe.ErrorType != wantType || fe.ErrorMessage == "" {
			t.Fatalf("refresh(%s) = %d %s, %v; want errorType %s with a message", payload, status, out, err, wantType)
		}
	}
	serves := func(step string) {
		t.Helper()
		var ind struct {
			PrimaryIndustry struct {
				FirstClass string `json:"first_class"`
			} `json:"primary_industry"`
		}
		out := getter.invoke(t, `{}`)
		if json.Unmarshal(out, &ind) != nil || ind.PrimaryIndustry.FirstClass == "" {
			t.Fatalf("%s: getindustry answered %s; want the industry", step, out)
		}
	}

	// getindustry re-reads its secret after a rejection at most once a
	// second (token.Options.MinRereadInterval, its storm guard); the steps
	// that need such a re-read are minutes apart in real life, and at least
	// that second apart here.
	stormGuard := func() { time.Sleep(1100 * time.Millisecond) }

	refresh(`{}`, true)
	serves("first token")
	refresh(`{}`, false)
	sim.Advance(2*time.Hour - 4*time.Minute) // WeChat's renewal window
	serves("old token in its last minutes")
	refresh(`{}`, true)
	serves("handover")
	sim.Advance(5 * time.Minute) // the old token has expired
	serves("after the old token expired")
	refresh(`{"force_refresh":true}`, true)
	serves("right after a force")
	refused(`{"force_refresh":true}`, "ForceRefreshLimited") // WeChat wants 30 s between forces
	refused(`["force_refresh"]`, "InvalidRequest")
	sim.Advance(6 * time.Minute) // the forced-out token is retired
	stormGuard()
	serves("after the force overlap")
	sim.Advance(3 * time.Hour) // no refresher run for a while: the token expired
	refresh(`{}`, true)
	stormGuard()
	serves("after a late refresh")

	for _, f := range []*emulated{refresher, getter} {
		logs := f.emu.Log.String()
		tok, _, _ := sim.AppToken(appID)
		noSecretIn(t, f.name+" emulator output", logs, tok)
		if !strings.Contains(logs, "INIT REPORT") && !strings.Contains(logs, "Init Duration") {
			t.Errorf("%s: no init report in the emulator output:\n%s", f.name, f.emu.Log.Tail(20))
		}
	}
	if n := strings.Count(refresher.emu.Log.String(), `"msg":"refresh"`); n != 7 {
		t.Errorf("refresher logged %d summary lines; want one per invoke (7)", n)
	}
}
