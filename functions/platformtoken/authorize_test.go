package main

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wxindustry/getindustry/internal/onboard"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// componentOps are the WeChat calls the service can make.
var componentOps = []string{"api_component_token", "api_query_auth", "api_authorizer_token", "api_get_authorizer_list"}

// wechatCalls counts every component call the simulator received.
func (e *env) wechatCalls() int {
	n := 0
	for _, op := range componentOps {
		n += e.sim.ComponentCalls(op)
	}
	return n
}

// TestAuthorizeOnceWithPush (issue 14): the authorized push and the
// onboarding callback for the same code, at once, on two instances, make
// exactly one api_query_auth, whichever comes first, and both see the
// account; then a reload answers from the table with no WeChat call.
func TestAuthorizeOnceWithPush(t *testing.T) {
	e := newEnv(t)
	e.pushTicket(t)
	e.mustRun(t, e.h, `{"action":"refresh"}`) // the component token, before the race
	callback, _ := e.newService(t, 4)         // the instance serving the callback
	for round := range 4 {
		appID, code, err := e.sim.AuthorizeAccount(1, 7)
		if err != nil {
			t.Fatal(err)
		}
		before := e.sim.ComponentCalls("api_query_auth")
		// The first api_query_auth is slow, so the other request arrives
		// while the winner holds the claim.
		e.sim.ScriptComponent("api_query_auth", wxtest.Fault{Delay: 300 * time.Millisecond})
		var (
			wg   sync.WaitGroup
			res  wxtest.PushResult
			perr error
			acct onboard.Account
			aerr error
		)
		wg.Go(func() {
			if round%2 == 1 {
				time.Sleep(50 * time.Millisecond) // the callback first
			}
			res, perr = e.sim.PushAuthorized(context.Background(), e.url, appID, code, false)
		})
		wg.Go(func() {
			if round%2 == 0 {
				time.Sleep(50 * time.Millisecond) // the push first
			}
			acct, aerr = callback.Authorize(lambdaCtx(t), code)
		})
		wg.Wait()
		if perr != nil || res.Status != 200 || res.Body != "success" {
			t.Fatalf("round %d: push = %+v, %v; want 200 success\n%s", round, res, perr, e.logs.String())
		}
		if aerr != nil || acct.AppID != appID || !slices.Equal(acct.FuncScopes, []int{1, 7}) {
			t.Fatalf("round %d: Authorize = %+v, %v; want %s with [1 7]\n%s", round, acct, aerr, appID, e.logs.String())
		}
		if n := e.sim.ComponentCalls("api_query_auth") - before; n != 1 {
			t.Errorf("round %d: api_query_auth calls = %d; want 1 for the push and the callback together", round, n)
		}
		e.wantServing(t, appID)

		e.sim.Reset()
		again, err := e.svc.Authorize(lambdaCtx(t), code)
		if err != nil || again.AppID != appID || !slices.Equal(again.FuncScopes, []int{1, 7}) {
			t.Errorf("round %d: reload = %+v, %v; want %s with [1 7]", round, again, err, appID)
		}
		if n := e.wechatCalls(); n != 0 {
			t.Errorf("round %d: reload made %d WeChat calls; want 0", round, n)
		}
	}
	e.wantLayout(t)
	e.noSecretIn(t, "logs", e.logs.String())
}

// TestAuthorizeRefused: a code WeChat refuses is an error wrapping
// onboard.ErrRefused and the *wx.Error, and nothing is written.
func TestAuthorizeRefused(t *testing.T) {
	e := newEnv(t)
	e.pushTicket(t)
	e.mustRun(t, e.h, `{"action":"refresh"}`)
	before := e.itemCount(t)
	for _, code := range []string{"queryauthcode@@@unknown", ""} {
		acct, err := e.svc.Authorize(lambdaCtx(t), code)
		if !errors.Is(err, onboard.ErrRefused) || acct.AppID != "" {
			t.Fatalf("Authorize(%q) = %+v, %v; want an error wrapping onboard.ErrRefused", code, acct, err)
		}
		var we *wx.Error
		if code != "" && (!errors.As(err, &we) || we.Code != wx.CodeAuthCodeInvalid) {
			t.Errorf("Authorize(%q) err = %v; want it to wrap errcode 61009", code, err)
		}
	}
	if n := e.itemCount(t); n != before {
		t.Errorf("items = %d after refused codes; want %d (nothing written)", n, before)
	}
	// A refused code is released: asking again asks WeChat again.
	if _, err := e.svc.Authorize(lambdaCtx(t), "queryauthcode@@@unknown"); !errors.Is(err, onboard.ErrRefused) {
		t.Errorf("Authorize again = %v; want ErrRefused", err)
	}
	if n := e.sim.ComponentCalls("api_query_auth"); n != 2 {
		t.Errorf("api_query_auth calls = %d; want 2 (the empty code is refused without one)", n)
	}
	e.noSecretIn(t, "logs", e.logs.String())
}

// itemCount is how many items the table holds.
func (e *env) itemCount(tb testing.TB) int {
	tb.Helper()
	out, err := e.db.Scan(context.Background(), &dynamodb.ScanInput{TableName: new(table), ConsistentRead: new(true)})
	if err != nil {
		tb.Fatal(err)
	}
	return len(out.Items)
}
