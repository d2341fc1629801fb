package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wxindustry/getindustry/internal/clocktest"
	"github.com/wxindustry/getindustry/internal/ddbtest"
	"github.com/wxindustry/getindustry/internal/jsonlog"
	"github.com/wxindustry/getindustry/internal/jsonlog/jsonlogtest"
	"github.com/wxindustry/getindustry/internal/onboard"
	"github.com/wxindustry/getindustry/internal/redact"
	"github.com/wxindustry/getindustry/internal/rie"
	"github.com/wxindustry/getindustry/internal/token/smtest"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// Test fixtures. The appsecret and message token are sentinels: they must
// show up in no log line; so must every token the simulator issues.
const (
	componentAppID = "wx00c0ffee00c0ffee"
	appSecret      = "SENTINEL-APPSECRET-9d1e"
	msgToken       = "SENTINELmsgtoken"
	aesKey         = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C" // WeChat's sample EncodingAESKey
	secretID       = "wx/component"
	table          = "accounts"
	credsJSON      = `{"component_appid":"` + componentAppID + `","component_appsecret":"` + appSecret +
		`","token":"` + msgToken + `","encoding_aes_key":"` + aesKey + `"}`
)

// env is the WeChat simulator playing the platform, the Secrets Manager
// fake, dynalite with the table, and a service wired to them as build
// wires it, on a shared fake clock, with a loopback Function URL front.
type env struct {
	sim   *wxtest.Simulator
	sm    *smtest.Fake
	db    *dynamodb.Client
	wxURL string
	smURL string
	clock *clocktest.Clock
	logs  *jsonlogtest.Buffer
	svc   *service
	h     *instrumented
	url   string // the receiver: .../component/events
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	ddb := ddbtest.Start(tb)
	ddb.CreateTable(tb, table)
	e := &env{sim: wxtest.NewSimulator(), sm: smtest.NewFake(), db: ddb.Client(), logs: &jsonlogtest.Buffer{},
		clock: clocktest.New(time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC))}
	if err := e.sim.SetComponent(wxtest.Component{AppID: componentAppID, AppSecret: appSecret, Token: msgToken, EncodingAESKey: aesKey}); err != nil {
		tb.Fatal(err)
	}
	e.sim.SetNow(e.clock.Now)
	wxSrv, smSrv := wxtest.NewServer(e.sim), smtest.NewServer(e.sm)
	tb.Cleanup(wxSrv.Close)
	tb.Cleanup(smSrv.Close)
	e.wxURL, e.smURL = wxSrv.URL, smSrv.URL
	e.sm.SetSecret(secretID, credsJSON)
	e.svc, e.h = e.newService(tb, 4)
	e.url = newFront(tb, e.h.Invoke).URL + "/component/events"
	return e
}

// newService builds another service (another Lambda instance) with its
// own credentials cache and secrets, logging as lambdaenv.Run sets up.
func (e *env) newService(tb testing.TB, workers int) (*service, *instrumented) {
	tb.Helper()
	secrets := &redact.Secrets{}
	log := jsonlog.NewMasking(e.logs, slog.LevelDebug, secrets)
	client, err := wx.NewClient(e.wxURL, nil, wx.Options{AttemptTimeout: 2 * time.Second,
		Backoff: func(int) time.Duration { return time.Millisecond }, Logger: log})
	if err != nil {
		tb.Fatal(err)
	}
	creds := &credentialSource{sm: smtest.NewClient(e.smURL), id: secretID, now: e.clock.Now, secrets: secrets}
	svc := newService(newStore(e.db, table), creds, client, e.clock.Now, workers, log, secrets)
	svc.onboarding = newOnboarding(svc, onboard.Config{AuthPageBaseURL: e.wxURL, H5BaseURL: e.wxURL})
	return svc, newInstrumented(svc, log, &metricsWriter{w: e.logs, namespace: "Test", service: "platformtoken"})
}

// lambdaCtx is an invoke's context: a request id and a 10 s deadline.
func lambdaCtx(tb testing.TB) context.Context {
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-test"})
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

// frontDomain is the Function URL domain name the front's events carry.
const frontDomain = "abc.lambda-url.us-east-1.on.aws"

// newFront serves HTTP on loopback as a Function URL with domain name
// frontDomain in front of invoke (see rie.FunctionURLFront).
func newFront(tb testing.TB, invoke func(context.Context, []byte) ([]byte, error)) *httptest.Server {
	srv := httptest.NewServer(rie.FunctionURLFront(frontDomain, invoke))
	tb.Cleanup(srv.Close)
	return srv
}

// run invokes h directly with payload and returns the report, or the
// Lambda error.
func (e *env) run(tb testing.TB, h *instrumented, payload string) (*runReport, *messages.InvokeResponse_Error) {
	tb.Helper()
	out, err := h.Invoke(lambdaCtx(tb), []byte(payload))
	if err != nil {
		ie, ok := err.(messages.InvokeResponse_Error)
		if !ok {
			tb.Fatalf("Invoke(%s) err = %T %v; want messages.InvokeResponse_Error", payload, err, err)
		}
		return nil, &ie
	}
	var r runReport
	if err := json.Unmarshal(out, &r); err != nil {
		tb.Fatalf("Invoke(%s) answer %s: %v", payload, out, err)
	}
	return &r, nil
}

// mustRun invokes h and fails the test on a Lambda error.
func (e *env) mustRun(tb testing.TB, h *instrumented, payload string) *runReport {
	tb.Helper()
	r, ie := e.run(tb, h, payload)
	if ie != nil {
		tb.Fatalf("Invoke(%s) = %s: %s; want a report\nlogs:\n%s", payload, ie.Type, ie.Message, e.logs.String())
	}
	return r
}

// pushTicket pushes a ticket and fails the test unless it is accepted.
func (e *env) pushTicket(tb testing.TB) {
	tb.Helper()
	if _, res, err := e.sim.PushTicket(context.Background(), e.url); err != nil || res.Status != 200 || res.Body != "success" {
		tb.Fatalf("PushTicket = %+v, %v; want 200 success\nlogs:\n%s", res, err, e.logs.String())
	}
}

// authorize plays an admin authorizing the platform and WeChat pushing it;
// it returns the new account's appid.
func (e *env) authorize(tb testing.TB) string {
	tb.Helper()
	appID, code, err := e.sim.AuthorizeAccount()
	if err != nil {
		tb.Fatal(err)
	}
	if res, err := e.sim.PushAuthorized(context.Background(), e.url, appID, code, false); err != nil || res.Status != 200 || res.Body != "success" {
		tb.Fatalf("PushAuthorized = %+v, %v; want 200 success\nlogs:\n%s", res, err, e.logs.String())
	}
	return appID
}

// item reads an account's whole item; nil when there is none.
func (e *env) item(tb testing.TB, key string) map[string]types.AttributeValue {
	tb.Helper()
	out, err := e.db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: new(table),
		Key: map[string]types.AttributeValue{attrAppID: s(key)}, ConsistentRead: new(true)})
	if err != nil {
		tb.Fatal(err)
	}
	if len(out.Item) == 0 {
		return nil
	}
	return out.Item
}

// wantServing fails unless appID's item holds the simulator's current
// token for it, with an expires_at neither late nor more than 5 minutes
// early, and get_industry answers that account's own industry with it.
func (e *env) wantServing(tb testing.TB, appID string) {
	tb.Helper()
	item := e.item(tb, appID)
	st, ok := e.sim.Authorizer(appID)
	if item == nil || !ok {
		tb.Fatalf("account %s: item %v, simulator knows it %v; want both", appID, item != nil, ok)
	}
	if str(item, attrAccessToken) != st.AccessToken || st.AccessToken == "" {
		tb.Fatalf("account %s: item's access_token is WeChat's current one: false; status %q", appID, str(item, attrStatus))
	}
	exp, err := time.Parse(time.RFC3339, str(item, attrExpiresAt))
	if err != nil || exp.After(st.Expires) || st.Expires.Sub(exp) > 5*time.Minute {
		tb.Fatalf("account %s: expires_at %q; want at most 5 minutes before %v", appID, str(item, attrExpiresAt), st.Expires)
	}
	if str(item, attrRefreshToken) != st.RefreshToken {
		tb.Fatalf("account %s: item's refresh_token is not WeChat's current one", appID)
	}
	resp, err := http.Get(e.wxURL + wxtest.PathGetIndustry + "?access_token=" + st.AccessToken)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var ind wx.Industry
	if json.NewDecoder(resp.Body).Decode(&ind) != nil || ind != wxtest.AccountIndustry(appID) {
		tb.Fatalf("account %s: get_industry with the stored token = %+v; want its own industry", appID, ind)
	}
}

// noSecretIn fails if s holds a sentinel or any token the simulator holds
// for the accounts, or the ticket.
func (e *env) noSecretIn(tb testing.TB, what, s string, appIDs ...string) {
	tb.Helper()
	secrets := []string{"SENTINEL", appSecret, msgToken, aesKey, e.sim.Ticket(),
		str(e.item(tb, componentKeyPrefix+componentAppID), attrComponentToken)}
	for _, id := range appIDs {
		if st, ok := e.sim.Authorizer(id); ok {
			secrets = append(secrets, st.AccessToken, st.RefreshToken)
		}
	}
	for _, v := range secrets {
		if v != "" && strings.Contains(s, v) {
			tb.Errorf("%s leaks a secret (%.12s…):\n%s", what, v, s)
		}
	}
	for _, marker := range []string{"ticket@@@", "refreshtoken@@@", "queryauthcode@@@", "goroutine "} {
		if strings.Contains(s, marker) {
			tb.Errorf("%s holds %q:\n%s", what, marker, s)
		}
	}
}

// wantLayout fails unless every item holding access_token is an authorized
// account's: keyed by an appid, active, with expires_at, and the
// platform's item holds no attribute getindustry may read but appid.
func (e *env) wantLayout(tb testing.TB) {
	tb.Helper()
	out, err := e.db.Scan(context.Background(), &dynamodb.ScanInput{TableName: new(table), ConsistentRead: new(true)})
	if err != nil {
		tb.Fatal(err)
	}
	for _, item := range out.Items {
		key := str(item, attrAppID)
		if item[attrAccessToken] == nil {
			continue
		}
		if !appIDPattern.MatchString(key) || str(item, attrStatus) != statusActive || item[attrExpiresAt] == nil {
			tb.Errorf("item %q holds access_token with status %q, expires_at %v; want only active accounts'", key, str(item, attrStatus), item[attrExpiresAt] != nil)
		}
		st, ok := e.sim.Authorizer(key)
		if !ok || !st.Authorized {
			tb.Errorf("item %q holds access_token for an account that has not authorized", key)
		}
	}
	if c := e.item(tb, componentKeyPrefix+componentAppID); c != nil && (c[attrAccessToken] != nil || c[attrExpiresAt] != nil) {
		tb.Errorf("the platform's item holds access_token or expires_at")
	}
}
