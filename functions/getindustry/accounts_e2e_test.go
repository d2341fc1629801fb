package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/rie"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// TestEmulatorMultiAccount runs the built bootstrap in multi-account mode
// under the Runtime Interface Emulator, against dynalite and the simulator:
// the HTTP API route and direct invokes answer each account's own industry,
// an unknown appid 404, and nothing prints a token.
func TestEmulatorMultiAccount(t *testing.T) {
	bin, err := rie.Find()
	if err != nil {
		t.Skip(err)
	}
	if testing.Short() {
		t.Skip("end-to-end emulator test skipped in -short mode")
	}
	s := multiEnv(t)
	for _, id := range []string{appA, appB} {
		s.authorize(t, id, accountToken(id))
	}
	boot, err := buildBootstrap()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	env := environ(s.env, map[string]string{
		"WX_TOKEN_SECRET_ID": "", "AWS_PROFILE": "", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
		"AWS_LAMBDA_LOG_LEVEL": "DEBUG",
	})
	emu, err := rie.Start(ctx, rie.Options{Binary: bin, Bootstrap: boot, Env: env, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emu.Close)
	invoke := func(payload []byte) []byte {
		t.Helper()
		status, out, err := emu.Invoke(ctx, payload)
		if err != nil || status != 200 {
			t.Fatalf("emulator Invoke() = %d %s, %v; want HTTP 200\n%s", status, out, err, emu.Log.Tail(20))
		}
		return out
	}
	for _, id := range []string{appA, appB} {
		a, body := decodeHTTPAnswer(t, invoke(httpAPIEvent(t, "/accounts/"+id+"/industry")))
		if a.StatusCode != 200 {
			t.Fatalf("HTTP API %s: answer %d %s; want 200", id, a.StatusCode, body)
		}
		wantIndustry(t, body, wxtest.AccountIndustry(id))
		wantIndustry(t, invoke([]byte(`{"appid":"`+id+`"}`)), wxtest.AccountIndustry(id))
	}
	a, body := decodeHTTPAnswer(t, invoke(httpAPIEvent(t, "/accounts/"+appUnknown+"/industry")))
	var eb errorBody
	if a.StatusCode != 404 || json.Unmarshal(body, &eb) != nil || eb.Error.Code != "account_not_found" || eb.Error.AppID != appUnknown {
		t.Errorf("unknown appid: answer %d %s; want 404 account_not_found naming it", a.StatusCode, body)
	}
	var fe struct{ ErrorType string }
	if out := invoke([]byte(`{"appid":"` + appUnknown + `"}`)); json.Unmarshal(out, &fe) != nil || fe.ErrorType != "AccountNotFound" {
		t.Errorf("unknown appid, direct: %s; want errorType AccountNotFound", out)
	}
	if out := invoke([]byte(`{}`)); json.Unmarshal(out, &fe) != nil || fe.ErrorType != "InvalidRequest" {
		t.Errorf("direct without appid: %s; want errorType InvalidRequest", out)
	}
	if n := s.reads.Reads(appA); n != 1 {
		t.Errorf("%d GetItem calls for a; want 1 (cached across invokes)", n)
	}
	logs := emu.Log.String()
	noSecretIn(t, "emulator output", logs)
	checkFunctionLogLines(t, logs)
}
