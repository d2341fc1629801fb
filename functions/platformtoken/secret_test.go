package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/lambdahttp"
)

// TestLogsMaskSecrets checks that every secret the service reads or
// receives is masked in any log line: the platform's (appsecret, message
// token, AES key, ticket, component token) by the logger, whatever logs
// them; an account's (an authorization code, its tokens) in the summary
// line of the push that handled them.
func TestLogsMaskSecrets(t *testing.T) {
	e := newEnv(t)
	e.pushTicket(t)
	e.mustRun(t, e.h, `{"action":"refresh"}`)
	ct := str(e.item(t, componentKeyPrefix+componentAppID), attrComponentToken)
	if ct == "" || e.sim.Ticket() == "" {
		t.Fatal("no component token or ticket to check")
	}
	leak := strings.Join([]string{appSecret, msgToken, aesKey, e.sim.Ticket(), ct}, " | ")
	e.svc.log.Error("an upstream echoed", "cause", leak, "error", errors.New(strings.ToLower(leak)))
	const code, rt = "queryauthcode@@@SENTINEL-CODE", "refreshtoken@@@SENTINEL-RT"
	e.h.logSummary(lambdaCtx(t), &invocation{start: time.Now(), shape: lambdahttp.ShapeFunctionURL, status: 200,
		cause: errors.New("table said " + code + " and " + rt), secrets: []string{code, rt}})
	out := e.logs.String()
	e.noSecretIn(t, "logs", out)
	if n := strings.Count(out, "REDACTED"); n < 12 {
		t.Errorf("%d masks; want at least 12 (5 secrets twice, a code and a token):\n%s", n, out)
	}
}
