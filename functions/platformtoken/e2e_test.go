package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wxindustry/getindustry/internal/ddbtest"
	"github.com/wxindustry/getindustry/internal/jsonlog/jsonlogtest"
	"github.com/wxindustry/getindustry/internal/rie"
	"github.com/wxindustry/getindustry/internal/token/smtest"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	rie.RemoveBootstraps()
	os.Exit(code)
}

// emulated is the function's bootstrap under the real Runtime Interface
// Emulator against the simulator, the Secrets Manager fake and dynalite,
// on real clocks, behind a loopback Function URL front (newFront) whose
// address is the public base of the onboarding pages (WX_PUBLIC_BASE_URL)
// and whose /component/events is the receiver (e.url); WeChat's
// authorization pages are the simulator's.
type emulated struct {
	*env
	emu    *rie.Emulator
	base   string // the front: http://127.0.0.1:PORT
	invoke func(ctx context.Context, payload []byte) ([]byte, error)
}

// startEmulated starts the stack; it skips without the emulator or in
// -short mode.
func startEmulated(t *testing.T) *emulated {
	t.Helper()
	bin, err := rie.Find()
	if err != nil {
		t.Skip(err)
	}
	if testing.Short() {
		t.Skip("end-to-end emulator test skipped in -short mode")
	}
	ddb := ddbtest.Start(t)
	ddb.CreateTable(t, table)
	e := &env{sim: wxtest.NewSimulator(), sm: smtest.NewFake(), db: ddb.Client(), logs: &jsonlogtest.Buffer{}}
	if err := e.sim.SetComponent(wxtest.Component{AppID: componentAppID, AppSecret: appSecret, Token: msgToken, EncodingAESKey: aesKey}); err != nil {
		t.Fatal(err)
	}
	wxSrv, smSrv := wxtest.NewServer(e.sim), smtest.NewServer(e.sm)
	t.Cleanup(wxSrv.Close)
	t.Cleanup(smSrv.Close)
	e.wxURL = wxSrv.URL
	e.sm.SetSecret(secretID, credsJSON)

	var started atomic.Pointer[rie.Emulator] // the front is up before the emulator: it names its address
	var one sync.Mutex                       // the emulator runs one invoke at a time; a browser asks in parallel (favicon)
	invoke := func(ctx context.Context, payload []byte) ([]byte, error) {
		emu := started.Load()
		if emu == nil {
			return nil, errors.New("emulator not started")
		}
		one.Lock()
		defer one.Unlock()
		status, out, err := emu.Invoke(ctx, payload)
		var fe struct{ ErrorType string }
		if err == nil && (status != 200 || (json.Unmarshal(out, &fe) == nil && fe.ErrorType != "")) {
			err = fmt.Errorf("emulator answered %d %s", status, out)
		}
		return out, err
	}
	front := newFront(t, invoke)
	boot, err := rie.Bootstrap("./functions/platformtoken")
	if err != nil {
		t.Fatal(err)
	}
	emu, err := rie.Start(t.Context(), rie.Options{Binary: bin, Bootstrap: boot, Timeout: 10 * time.Second, Env: []string{
		"WX_COMPONENT_SECRET_ID=" + secretID, "WX_TOKEN_TABLE=" + table, "WX_API_BASE_URL=" + wxSrv.URL,
		"WX_PUBLIC_BASE_URL=" + front.URL, "WX_AUTH_PAGE_BASE_URL=" + wxSrv.URL, "WX_AUTH_H5_BASE_URL=" + wxSrv.URL,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + smSrv.URL, "AWS_ENDPOINT_URL_DYNAMODB=" + ddb.URL, "AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=AKIDTEST", "AWS_SECRET_ACCESS_KEY=test-secret", "AWS_SESSION_TOKEN=", "AWS_LAMBDA_LOG_LEVEL=DEBUG",
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emu.Close)
	started.Store(emu)
	e.url = front.URL + "/component/events"
	return &emulated{env: e, emu: emu, base: front.URL, invoke: invoke}
}

// TestEmulator runs the bootstrap under the emulator (startEmulated):
// WeChat's pushes arrive through the front (a ticket, an authorization, a
// revocation), and a refresh run renews an account whose token is made
// due.
func TestEmulator(t *testing.T) {
	em := startEmulated(t)
	e, emu, invoke := em.env, em.emu, em.invoke
	ctx := t.Context()

	e.pushTicket(t)
	appID := e.authorize(t)
	e.wantServing(t, appID)

	// Make the account due, as 1 h 40 min would.
	_, err := e.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: new(table),
		Key: map[string]types.AttributeValue{attrAppID: s(appID)}, UpdateExpression: new("SET expires_at = :e"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":e": s(ts(time.Now().Add(5 * time.Minute)))}})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := e.sim.Authorizer(appID)
	out, err := invoke(ctx, []byte(`{"version":"0","id":"e2e","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"2026-03-02T04:00:00Z","region":"us-east-1","resources":["arn:aws:events:us-east-1:123456789012:rule/refresh"],"detail":{}}`))
	var r runReport
	if err != nil || json.Unmarshal(out, &r) != nil || r.Due != 1 || r.Refreshed != 1 {
		t.Fatalf("scheduled run = %s, %v; want 1 due and refreshed\n%s", out, err, emu.Log.Tail(20))
	}
	after, _ := e.sim.Authorizer(appID)
	if after.AccessToken == before.AccessToken {
		t.Fatal("the scheduled run did not renew the account's token")
	}
	e.wantServing(t, appID)

	e.sim.Revoke(appID)
	if res, err := e.sim.PushUnauthorized(ctx, e.url, appID); err != nil || res.Body != "success" {
		t.Fatalf("unauthorized push = %+v, %v; want success", res, err)
	}
	if e.item(t, appID) != nil {
		t.Fatal("the revoked account's item is still there")
	}
	for op, want := range map[string]int{"api_query_auth": 1, "api_authorizer_token": 1, "api_component_token": 1} {
		if n := e.sim.ComponentCalls(op); n != want {
			t.Errorf("%s calls = %d; want %d", op, n, want)
		}
	}
	log := emu.Log.String()
	e.noSecretIn(t, "the emulator's log", log)
	for _, v := range []string{before.AccessToken, before.RefreshToken, after.AccessToken, after.RefreshToken} {
		if strings.Contains(log, v) {
			t.Errorf("the emulator's log holds one of the account's tokens:\n%s", log)
		}
	}
	if !strings.Contains(log, `"outcome":"account_written"`) || !strings.Contains(log, `"msg":"run"`) {
		t.Errorf("the emulator's log lacks the push and run summary lines:\n%s", log)
	}
}
