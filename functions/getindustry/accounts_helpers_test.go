package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wxindustry/getindustry/internal/accountstest"
	"github.com/wxindustry/getindustry/internal/ddbtest"
	"github.com/wxindustry/getindustry/internal/jsonlog/jsonlogtest"
	"github.com/wxindustry/getindustry/internal/lambdaenv"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// accountsTable is the table of the multi-account tests.
const accountsTable = "wx-accounts"

// Appids of the multi-account tests: three accounts with items, one without.
const (
	appA       = "wx00000000000000aa"
	appB       = "wx00000000000000bb"
	appC       = "wx00000000000000cc"
	appUnknown = "wx00000000000000ff"
)

// accountToken is the token an account's item holds: the sentinel, so that
// any leak is found, and the appid, so that each account's is its own.
func accountToken(appid string) string { return sentinelToken + "-" + appid }

// multiStack is the function built by run in multi-account mode against
// dynalite (through a counting proxy) and the WeChat simulator.
type multiStack struct {
	handler lambda.Handler
	db      *dynamodb.Client
	reads   *accountstest.ReadCounter // GetItem requests per appid, counted at a proxy in front of dynalite
	sim     *wxtest.Simulator
	logs    *jsonlogtest.Buffer
	env     map[string]string // the function's environment
}

// multiEnv starts dynalite with the accounts table and the simulator, and
// returns the stack (without a handler) and the environment pointing at them.
func multiEnv(tb testing.TB) *multiStack {
	tb.Helper()
	ddb := ddbtest.Start(tb)
	ddb.CreateTable(tb, accountsTable)
	reads, err := accountstest.NewReadCounter(ddb.URL)
	if err != nil {
		tb.Fatal(err)
	}
	proxy := httptest.NewServer(reads)
	tb.Cleanup(proxy.Close)
	s := &multiStack{db: ddb.Client(), reads: reads, sim: wxtest.NewSimulator(), logs: &jsonlogtest.Buffer{}}
	wxSrv := wxtest.NewServer(s.sim)
	tb.Cleanup(wxSrv.Close)
	s.env = map[string]string{
		"AWS_REGION": ddbtest.Region, "AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "test-secret",
		"AWS_ENDPOINT_URL_DYNAMODB": proxy.URL,
		"WX_TOKEN_TABLE":            accountsTable, "WX_API_BASE_URL": wxSrv.URL,
	}
	return s
}

// newMultiStack runs the composition root in multi-account mode with env
// on top of multiEnv's, and seeds accounts a, b and c.
func newMultiStack(tb testing.TB, env map[string]string) *multiStack {
	tb.Helper()
	s := multiEnv(tb)
	for k, v := range env {
		s.env[k] = v
	}
	err := lambdaenv.Run(context.Background(), func(k string) string { return s.env[k] }, s.logs, func(h lambda.Handler) { s.handler = h }, build)
	if err != nil {
		tb.Fatalf("run() = %v", err)
	}
	for _, id := range []string{appA, appB, appC} {
		s.authorize(tb, id, accountToken(id))
	}
	return s
}

// authorize writes appid's item holding tok and makes WeChat accept tok
// (and no earlier token of the account).
func (s *multiStack) authorize(tb testing.TB, appid, tok string) {
	tb.Helper()
	exp := time.Now().Add(2 * time.Hour)
	s.sim.SetAccountToken(appid, tok, exp)
	s.putItem(tb, appid, map[string]string{"access_token": tok, "expires_at": exp.Format(time.RFC3339)})
}

// putItem writes appid's item with these string attributes.
func (s *multiStack) putItem(tb testing.TB, appid string, attrs map[string]string) {
	tb.Helper()
	item := map[string]types.AttributeValue{"appid": &types.AttributeValueMemberS{Value: appid}}
	for k, v := range attrs {
		item[k] = &types.AttributeValueMemberS{Value: v}
	}
	if _, err := s.db.PutItem(tb.Context(), &dynamodb.PutItemInput{TableName: aws.String(accountsTable), Item: item}); err != nil {
		tb.Fatal(err)
	}
}

func (s *multiStack) invoke(tb testing.TB, payload []byte) ([]byte, error) {
	tb.Helper()
	return (&stack{handler: s.handler}).invoke(tb, payload)
}

// eventObject returns the fixture events/name decoded, to edit.
func eventObject(tb testing.TB, name string) map[string]any {
	tb.Helper()
	var ev map[string]any
	if err := json.Unmarshal(readEvent(tb, name), &ev); err != nil {
		tb.Fatal(err)
	}
	return ev
}

// urlEvent returns the Function URL fixture for method and path.
func urlEvent(tb testing.TB, method, path string) []byte {
	tb.Helper()
	var ev map[string]any
	if err := json.Unmarshal(functionURLEvent(tb, ""), &ev); err != nil {
		tb.Fatal(err)
	}
	ev["rawPath"] = path
	h := ev["requestContext"].(map[string]any)["http"].(map[string]any)
	h["path"], h["method"] = path, method
	b, _ := json.Marshal(ev)
	return b
}

// restEvent returns the REST API fixture as API Gateway sends it for the
// resource /accounts/{appid}/industry.
func restEvent(tb testing.TB, appid string) []byte {
	tb.Helper()
	ev := eventObject(tb, "apigw-rest.json")
	path := "/accounts/" + appid + "/industry"
	ev["resource"], ev["path"] = "/accounts/{appid}/industry", path
	ev["pathParameters"] = map[string]string{"appid": appid}
	rc := ev["requestContext"].(map[string]any)
	rc["resourcePath"], rc["path"] = "/accounts/{appid}/industry", "/prod"+path
	b, _ := json.Marshal(ev)
	return b
}

// httpAPIEvent returns the HTTP API fixture for GET path.
func httpAPIEvent(tb testing.TB, path string) []byte {
	tb.Helper()
	ev := eventObject(tb, "apigw-http.json")
	ev["rawPath"], ev["routeKey"] = path, "GET /accounts/{appid}/industry"
	rc := ev["requestContext"].(map[string]any)
	rc["routeKey"] = ev["routeKey"]
	rc["http"].(map[string]any)["path"] = path
	ev["pathParameters"] = map[string]string{"appid": strings.Split(path, "/")[2]}
	b, _ := json.Marshal(ev)
	return b
}
