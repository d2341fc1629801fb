package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// untilDue moves the clock to where tokens issued now have under 20
// minutes left.
const untilDue = 7200*time.Second - refreshWindow + time.Minute

func TestRefreshWithoutTicket(t *testing.T) {
	e := newEnv(t)
	for _, payload := range []string{`{"action":"refresh"}`, `{"version":"0","id":"x","detail-type":"Scheduled Event","source":"aws.events","detail":{}}`, `{"action":"sync"}`} {
		_, ie := e.run(t, e.h, payload)
		if ie == nil || ie.Type != typeTicketUnavailable || ie.Message == "" {
			t.Errorf("Invoke(%s) = %v; want %s with a message", payload, ie, typeTicketUnavailable)
		}
	}
	if n := e.sim.ComponentCalls("api_component_token"); n != 0 {
		t.Errorf("api_component_token calls = %d; want 0 without a ticket", n)
	}
}

func TestRefreshBadPayloadsAndCredentials(t *testing.T) {
	e := newEnv(t)
	for _, payload := range []string{`[]`, `"refresh"`, `{"action":"dance"}`, `{}`, `not json`} {
		if _, ie := e.run(t, e.h, payload); ie == nil || ie.Type != typeInvalidRequest {
			t.Errorf("Invoke(%s) = %v; want %s", payload, ie, typeInvalidRequest)
		}
	}
	e.sm.SetSecret(secretID, `{"component_appid":"`+componentAppID+`"}`)
	_, h := e.newService(t, 1)
	if _, ie := e.run(t, h, `{"action":"refresh"}`); ie == nil || ie.Type != typeCredentialsUnavailable {
		t.Errorf("refresh with incomplete credentials = %v; want %s", ie, typeCredentialsUnavailable)
	}
	e.noSecretIn(t, "logs", e.logs.String())
}

// TestRefreshDueAccounts refreshes the component token and every due
// account, once; a second run finds nothing due and calls nothing.
func TestRefreshDueAccounts(t *testing.T) {
	e := newEnv(t)
	e.pushTicket(t)
	ids := []string{e.authorize(t), e.authorize(t), e.authorize(t)}
	if r := e.mustRun(t, e.h, `{"action":"refresh"}`); r.Due != 0 || r.Refreshed != 0 {
		t.Fatalf("run with fresh tokens = %+v; want nothing due", r)
	}
	e.clock.Advance(untilDue)
	e.pushTicket(t)
	e.sim.Reset()
	r := e.mustRun(t, e.h, `{"action":"refresh"}`)
	if r.Due != 3 || r.Refreshed != 3 || r.Failed != 0 || r.ComponentToken != "refreshed" || r.TicketAge == nil {
		t.Fatalf("run = %+v; want 3 due and refreshed, component token refreshed, ticket age", r)
	}
	for _, id := range ids {
		e.wantServing(t, id)
	}
	r = e.mustRun(t, e.h, `{"action":"refresh"}`)
	if r.Due != 0 || r.ComponentToken != "valid" {
		t.Fatalf("second run = %+v; want nothing due, component token valid", r)
	}
	if n := e.sim.ComponentCalls("api_authorizer_token"); n != 3 {
		t.Errorf("api_authorizer_token calls = %d; want 3", n)
	}
	if n := e.sim.ComponentCalls("api_component_token"); n != 1 {
		t.Errorf("api_component_token calls = %d; want 1", n)
	}
	e.noSecretIn(t, "logs", e.logs.String(), ids...)
}

// TestRefreshRecovery covers a refused refresh token: 61023 with a newer
// one in api_get_authorizer_list (recovered, one list call for the run), a
// revoked account whose push never came (61003: needs_reauth, no
// access_token, skipped by later runs), and its re-authorization.
func TestRefreshRecovery(t *testing.T) {
	e := newEnv(t)
	e.pushTicket(t)
	lost, revoked, other := e.authorize(t), e.authorize(t), e.authorize(t)
	e.sim.RotateRefreshToken(lost) // the table's refresh token is no longer WeChat's
	e.sim.RotateRefreshToken(other)
	e.sim.Revoke(revoked) // revoked without the push reaching us
	e.clock.Advance(untilDue)
	e.pushTicket(t)
	e.sim.Reset()
	r := e.mustRun(t, e.h, `{"action":"refresh"}`)
	if r.Refreshed != 2 || r.Recovered != 2 || r.NeedsReauth != 1 || r.AwaitingReauth != 1 || r.Failed != 0 {
		t.Fatalf("run = %+v; want 2 recovered, 1 needs_reauth, 1 awaiting", r)
	}
	e.wantServing(t, lost)
	e.wantServing(t, other)
	e.wantNeedsReauth(t, revoked)
	if n := e.sim.ComponentCalls("api_get_authorizer_list"); n != 1 {
		t.Errorf("api_get_authorizer_list calls = %d; want 1 for the run", n)
	}
	e.clock.Advance(untilDue)
	e.pushTicket(t)
	e.sim.Reset()
	if r := e.mustRun(t, e.h, `{"action":"refresh"}`); r.Due != 2 || r.NeedsReauth != 0 || r.AwaitingReauth != 1 {
		t.Errorf("later run = %+v; want the account needing re-authorization left out", r)
	}
	code, err := e.sim.Reauthorize(revoked)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := e.sim.PushAuthorized(context.Background(), e.url, revoked, code, false); err != nil || res.Body != "success" {
		t.Fatalf("re-authorization push = %+v, %v; want success", res, err)
	}
	e.wantServing(t, revoked)
	e.wantLayout(t)
	e.noSecretIn(t, "logs", e.logs.String(), lost, revoked, other)
}

// TestRefreshFailures covers 61023 when the list has nothing better
// (needs_reauth) and a transient failure (lease released, the next run
// refreshes it), one account each.
func TestRefreshFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fault  int
		reauth bool
	}{
		{"61023 and nothing better listed", 61023, true},
		{"busy", -1, false},
		{"quota", 45009, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.pushTicket(t)
			id := e.authorize(t)
			e.clock.Advance(untilDue)
			e.pushTicket(t)
			e.sim.Reset()
			e.sim.ScriptComponent("api_authorizer_token", wxtest.Fault{Errcode: tc.fault})
			r := e.mustRun(t, e.h, `{"action":"refresh"}`)
			if tc.reauth {
				if r.NeedsReauth != 1 || r.Refreshed != 0 {
					t.Fatalf("run = %+v; want 1 needs_reauth", r)
				}
				e.wantNeedsReauth(t, id)
				return
			}
			if r.Failed != 1 || r.FailedByErrcode[strconv.Itoa(tc.fault)] != 1 {
				t.Fatalf("run = %+v; want 1 failed with %d", r, tc.fault)
			}
			if item := e.item(t, id); item[attrLeaseOwner] != nil || item[attrAccessToken] == nil {
				t.Fatalf("after a failed refresh: lease held %v, access_token kept %v; want false, true", item[attrLeaseOwner] != nil, item[attrAccessToken] != nil)
			}
			if r := e.mustRun(t, e.h, `{"action":"refresh"}`); r.Refreshed != 1 {
				t.Fatalf("next run = %+v; want it refreshed", r)
			}
			e.wantServing(t, id)
			if !strings.Contains(e.logs.String(), `"WeChatErrcode":"`+strconv.Itoa(tc.fault)+`"`) {
				t.Errorf("no metrics record for errcode %d:\n%s", tc.fault, e.logs.String())
			}
			e.noSecretIn(t, "logs", e.logs.String(), id)
		})
	}
}

// wantNeedsReauth fails unless appID's item is marked needs_reauth with no
// access_token (getindustry: token_unavailable) and no lease.
func (e *env) wantNeedsReauth(tb testing.TB, appID string) {
	tb.Helper()
	item := e.item(tb, appID)
	if item == nil || str(item, attrStatus) != statusNeedsReauth || item[attrAccessToken] != nil || item[attrExpiresAt] != nil || item[attrLeaseOwner] != nil {
		tb.Errorf("account %s: item %v, status %q, access_token %v, expires_at %v, lease %v; want needs_reauth and none",
			appID, item != nil, str(item, attrStatus), item[attrAccessToken] != nil, item[attrExpiresAt] != nil, item[attrLeaseOwner] != nil)
	}
}

// TestConcurrentRuns runs two instances' refreshes at once over the same
// due accounts: both succeed, and WeChat sees one api_authorizer_token per
// account in all.
func TestConcurrentRuns(t *testing.T) {
	e := newEnv(t)
	e.sim.SetRotateRefreshTokens(true) // a double refresh would then also break the loser's refresh token
	e.pushTicket(t)
	const accounts = 24
	ids := make([]string, accounts)
	for i := range ids {
		ids[i] = e.authorize(t)
	}
	e.clock.Advance(untilDue)
	e.pushTicket(t)
	if _, _, f := e.svc.componentToken(lambdaCtx(t), e.creds(t), refreshWindow); f != nil { // both runs start level
		t.Fatal(f.Message)
	}
	e.sim.Reset()
	_, h1 := e.newService(t, 4)
	_, h2 := e.newService(t, 4)
	var wg sync.WaitGroup
	reports := make([]*runReport, 2)
	for i, h := range []*instrumented{h1, h2} {
		wg.Go(func() { reports[i] = e.mustRun(t, h, `{"action":"refresh"}`) })
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	t.Logf("run 1: %+v\nrun 2: %+v", reports[0], reports[1])
	refreshed := reports[0].Refreshed + reports[1].Refreshed
	if refreshed != accounts || reports[0].Failed+reports[1].Failed != 0 {
		t.Errorf("runs = %+v and %+v; want %d refreshed in all, none failed", reports[0], reports[1], accounts)
	}
	if n := e.sim.ComponentCalls("api_authorizer_token"); n != accounts {
		t.Errorf("api_authorizer_token calls = %d; want %d, one per due account", n, accounts)
	}
	for _, id := range ids {
		e.wantServing(t, id)
	}
}

// creds returns the platform's credentials as the service reads them.
func (e *env) creds(tb testing.TB) *platformCredentials {
	tb.Helper()
	pc, err := e.svc.creds.get(lambdaCtx(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return pc
}

// TestEventFixtures invokes the events/platformtoken fixtures: each is a
// run or an authorize_url (here finding no ticket), none an InvalidRequest.
func TestEventFixtures(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{"scheduled.json", "refresh.json", "sync.json", "authorize-url.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "events", "platformtoken", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, ie := e.run(t, e.h, string(b)); ie == nil || ie.Type != typeTicketUnavailable {
			t.Errorf("Invoke(%s) = %v; want the run's %s", name, ie, typeTicketUnavailable)
		}
	}
}
