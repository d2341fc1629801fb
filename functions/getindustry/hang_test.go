package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/token/smtest"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// hangTimeout is the function timeout of the hang test: shorter than
// token.Source's 5 s FetchTimeout, so that a hung read outlives the invoke
// that started it.
const hangTimeout = 4 * time.Second

// TestHungSecretsManagerDoesNotPoisonNextInvoke (issue 10, item 1): with no
// cached token, Secrets Manager hangs for 30 s on the first read: that
// invoke answers 503 token_unavailable. Secrets Manager then recovers, and
// the very next invoke answers 200: it does not join the read the failed
// invoke started and inherit its failure.
func TestHungSecretsManagerDoesNotPoisonNextInvoke(t *testing.T) {
	targets := map[string]func(testing.TB, map[string]string, time.Duration) *faultTarget{
		"in process": inProcessTargetTimeout,
		"emulator":   emulatorTargetTimeout,
	}
	for name, newTarget := range targets {
		t.Run(name, func(t *testing.T) {
			if name == "emulator" && testing.Short() {
				t.Skip("end-to-end emulator test skipped in -short mode")
			}
			t.Parallel()
			tg := newTarget(t, faultEnv, hangTimeout)
			tg.sm.Fail("wx/token", smtest.Fault{Delay: 30 * time.Second})
			first := tg.invoke(t, fixtureEvent("apigw-http.json")(t))
			var a struct {
				StatusCode int
				Body       string
			}
			if err := json.Unmarshal(first.out, &a); err != nil || a.StatusCode != 503 || !json.Valid([]byte(a.Body)) {
				t.Fatalf("first invoke = %s; want 503", first.out)
			}
			var body errorBody
			if err := json.Unmarshal([]byte(a.Body), &body); err != nil || body.Error.Code != "token_unavailable" {
				t.Errorf("first invoke body = %s; want token_unavailable", a.Body)
			}
			// Secrets Manager has recovered: the hang was its only fault.
			next := tg.invoke(t, direct(t))
			if next.errType != "" {
				t.Fatalf("next invoke = %s %s; want the industry\n%s", next.errType, next.errMsg, tg.output())
			}
			wantIndustry(t, next.out, wxtest.DefaultIndustry())
			noSecretIn(t, "logs", tg.output())
		})
	}
}
