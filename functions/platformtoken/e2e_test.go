package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
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

// TestEmulator runs the bootstrap under the real Runtime Interface
// Emulator against the simulator, the Secrets Manager fake and dynalite,
// on real clocks: WeChat's pushes arrive through a loopback Function URL
// front (a ticket, an authorization, a revocation), and a refresh run
// renews an account whose token is made due.
func TestEmulator(t *testing.T) {
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

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	boot, err := rie.BuildBootstrap(ctx, "./functions/platformtoken", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	emu, err := rie.Start(ctx, rie.Options{Binary: bin, Bootstrap: boot, Timeout: 10 * time.Second, Env: []string{
		"WX_COMPONENT_SECRET_ID=" + secretID, "WX_TOKEN_TABLE=" + table, "WX_API_BASE_URL=" + wxSrv.URL,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + smSrv.URL, "AWS_ENDPOINT_URL_DYNAMODB=" + ddb.URL, "AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=AKIDTEST", "AWS_SECRET_ACCESS_KEY=test-secret", "AWS_SESSION_TOKEN=", "AWS_LAMBDA_LOG_LEVEL=DEBUG",
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emu.Close)
	invoke := func(ctx context.Context, payload []byte) ([]byte, error) {
		status, out, err := emu.Invoke(ctx, payload)
		var fe struct{ ErrorType string }
		if err == nil && (status != 200 || (json.Unmarshal(out, &fe) == nil && fe.ErrorType != "")) {
			err = fmt.Errorf("emulator answered %d %s", status, out)
		}
		return out, err
	}
	e.url = newFront(t, invoke).URL + "/component/events"

	e.pushTicket(t)
	appID := e.authorize(t)
	e.wantServing(t, appID)

	// Make the account due, as 1 h 40 min would.
	_, err = e.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: new(table),
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
