package lambdahttp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestDetect(t *testing.T) {
	lib := func(name string) []byte { // aws-lambda-go's own captured events
		t.Helper()
		b, err := os.ReadFile(filepath.Join("testdata", "aws-lambda-go", name))
		if err != nil {
			t.Fatalf("read aws-lambda-go testdata: %v", err)
		}
		return b
	}
	tests := map[string]struct {
		payload []byte
		want    Shape
	}{
		"empty object":               {[]byte(`{}`), ShapeDirect},
		"empty object with space":    {[]byte(" \n{ } "), ShapeDirect},
		"array":                      {[]byte(`[]`), ShapeDirect},
		"array of event":             {[]byte(`[{"httpMethod":"GET","requestContext":{"stage":"prod"}}]`), ShapeDirect},
		"string":                     {[]byte(`"str"`), ShapeDirect},
		"number":                     {[]byte(`42`), ShapeDirect},
		"null":                       {[]byte(`null`), ShapeDirect},
		"not json":                   {[]byte(`not json`), ShapeDirect},
		"empty payload":              {nil, ShapeDirect},
		"truncated object":           {[]byte(`{"requestContext":{"elb":{}}`), ShapeDirect},
		"step functions input":       {[]byte(`{"force":true,"appid":"wx123"}`), ShapeDirect},
		"requestContext not object":  {[]byte(`{"httpMethod":"GET","requestContext":"x"}`), ShapeDirect},
		"rest without context":       {[]byte(`{"httpMethod":"GET","path":"/industry"}`), ShapeDirect},
		"rest with empty context":    {[]byte(`{"httpMethod":"GET","requestContext":{}}`), ShapeDirect},
		"rest minimal":               {[]byte(`{"httpMethod":"GET","requestContext":{"stage":"prod"}}`), ShapeAPIGatewayREST},
		"rest version 1.0":           {[]byte(`{"version":"1.0","httpMethod":"GET","requestContext":{"apiId":"a"}}`), ShapeAPIGatewayREST},
		"rest version 3":             {[]byte(`{"version":"3.0","httpMethod":"GET","requestContext":{"apiId":"a"}}`), ShapeDirect},
		"rest empty method":          {[]byte(`{"httpMethod":"","requestContext":{"stage":"p"}}`), ShapeDirect},
		"rest method not string":     {[]byte(`{"httpMethod":7,"requestContext":{"apiId":"a"}}`), ShapeDirect},
		"member names in any case":   {[]byte(`{"HTTPMETHOD":"GET","RequestContext":{"STAGE":"p"},"PATH":"/x"}`), ShapeAPIGatewayREST},
		"escaped member name":        {[]byte(`{"http\u004dethod":"GET","requestContext":{"stage":"p"}}`), ShapeAPIGatewayREST},
		"repeated context merges":    {[]byte(`{"requestContext":{"elb":{}},"requestContext":{"stage":"x"},"httpMethod":"GET"}`), ShapeALB},
		"context reset by null":      {[]byte(`{"requestContext":{"elb":{}},"requestContext":null,"httpMethod":"GET"}`), ShapeDirect},
		"trailing data":              {[]byte(`{"requestContext":{"elb":{}}} x`), ShapeDirect},
		"alb minimal":                {[]byte(`{"requestContext":{"elb":{}}}`), ShapeALB},
		"alb elb null":               {[]byte(`{"requestContext":{"elb":null}}`), ShapeDirect},
		"alb bad field types":        {[]byte(`{"httpMethod":5,"requestContext":{"elb":{},"stage":1}}`), ShapeALB},
		"v2 without http":            {[]byte(`{"version":"2.0","requestContext":{"stage":"$default"}}`), ShapeDirect},
		"v2 minimal":                 {[]byte(`{"version":"2.0","requestContext":{"http":{}}}`), ShapeAPIGatewayHTTP},
		"v2 lambda-url domain":       {[]byte(`{"version":"2.0","requestContext":{"http":{},"domainName":"x.lambda-url.eu-west-1.on.aws"}}`), ShapeFunctionURL},
		"v2 custom domain":           {[]byte(`{"version":"2.0","requestContext":{"http":{},"domainName":"api.example.com"}}`), ShapeAPIGatewayHTTP},
		"v2 version number":          {[]byte(`{"version":2.0,"requestContext":{"http":{}}}`), ShapeDirect},
		"v2 with stage prefix":       {editFixture(t, "apigw-http.json", withStage(t, "prod", "/prod/industry")), ShapeAPIGatewayHTTP},
		"websocket connect":          {lib("apigw-websocket-request.json"), ShapeDirect},
		"websocket message":          {lib("apigw-websocket-request-send-message.json"), ShapeDirect},
		"rest authorizer request":    {lib("apigw-custom-auth-request-type-request.json"), ShapeDirect},
		"v2 authorizer request":      {lib("apigw-v2-custom-authorizer-v2-request.json"), ShapeDirect},
		"sqs event":                  {lib("sqs-event.json"), ShapeDirect},
		"library rest":               {lib("apigw-request.json"), ShapeAPIGatewayREST},
		"library http api iam":       {lib("apigw-v2-request-iam.json"), ShapeAPIGatewayHTTP},
		"library function url":       {lib("lambda-urls-request.json"), ShapeFunctionURL},
		"library alb headers only":   {lib("alb-lambda-target-request-headers-only.json"), ShapeALB},
		"library alb multi-value":    {lib("alb-lambda-target-request-multivalue-headers.json"), ShapeALB},
		"library http api no authz":  {lib("apigw-v2-request-no-authorizer.json"), ShapeAPIGatewayHTTP},
		"library http api jwt authz": {lib("apigw-v2-request-jwt-authorizer.json"), ShapeAPIGatewayHTTP},
	}
	for name, want := range fixtures {
		tests["fixture "+name] = struct {
			payload []byte
			want    Shape
		}{readFixture(t, name), want}
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got, _ := detect(tt.payload); got != tt.want {
				t.Errorf("detect(%.60q) = %q; want %q", tt.payload, got, tt.want)
			}
		})
	}
}

func TestDetectMultiValue(t *testing.T) {
	tests := map[string]struct {
		payload []byte
		want    bool
	}{
		"alb fixture":     {readFixture(t, "alb.json"), true},
		"alb headers":     {[]byte(`{"requestContext":{"elb":{}},"headers":{"a":"b"}}`), false},
		"alb multi null":  {[]byte(`{"requestContext":{"elb":{}},"multiValueHeaders":null}`), false},
		"alb multi empty": {[]byte(`{"requestContext":{"elb":{}},"multiValueHeaders":{}}`), true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if _, got := detect(tt.payload); got != tt.want {
				t.Errorf("detect() multiValue = %v; want %v", got, tt.want)
			}
		})
	}
}

// TestFixtureRoundTrip decodes each fixture into its aws-lambda-go events type, encodes it
// again and compares the two as JSON, like aws-lambda-go's events/apigw_test.go. The events
// types do not carry every field AWS sends, so each fixture lists the differences expected;
// any other difference fails, which catches a typo or a mis-shaped field in a fixture.
func TestFixtureRoundTrip(t *testing.T) {
	tests := map[string]struct {
		event any
		lossy []string
	}{
		"apigw-rest.json": {&events.APIGatewayProxyRequest{}, []string{
			`body: null -> ""`, // Body is a string
			`isBase64Encoded: false -> absent`,
			`requestContext.authorizer: absent -> null`,
			`requestContext.identity.cognitoAuthenticationProvider: null -> absent`,
			`requestContext.identity.cognitoAuthenticationType: null -> absent`,
			`requestContext.identity.cognitoIdentityId: null -> absent`,
			`requestContext.identity.cognitoIdentityPoolId: null -> absent`,
			`requestContext.identity.principalOrgId: null -> absent`, // not modelled
		}},
		"apigw-http.json": {&events.APIGatewayV2HTTPRequest{}, []string{
			`requestContext.authentication: absent -> {"clientCert":{"clientCertPem":"","issuerDN":"","serialNumber":"","subjectDN":"","validity":{"notAfter":"","notBefore":""}}}`,
			`requestContext.authorizer.iam.cognitoIdentity: null -> {"amr":null,"identityId":"","identityPoolId":""}`,
			`requestContext.authorizer.iam.principalOrgId: null -> ""`,
		}},
		"function-url.json": {&events.LambdaFunctionURLRequest{}, []string{
			`requestContext.authorizer.iam.cognitoIdentity: null -> absent`, // not modelled
			`requestContext.authorizer.iam.principalOrgId: null -> absent`,  // not modelled
			`requestContext.routeKey: "$default" -> absent`,                 // not modelled
			`requestContext.stage: "$default" -> absent`,                    // not modelled
			`routeKey: "$default" -> absent`,                                // not modelled
		}},
		"alb.json": {&events.ALBTargetGroupRequest{}, []string{
			`multiValueQueryStringParameters: {} -> absent`, // omitempty
		}},
		"direct.json": {&map[string]any{}, nil},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			in := readFixture(t, name)
			if err := json.Unmarshal(in, tt.event); err != nil {
				t.Fatalf("json.Unmarshal(%s) err = %v", name, err)
			}
			out, err := json.Marshal(tt.event)
			if err != nil {
				t.Fatalf("json.Marshal err = %v", err)
			}
			got := jsonDiff(t, in, out)
			if !slices.Equal(got, tt.lossy) {
				t.Errorf("round trip of %s differs:\n got %q\nwant %q", name, got, tt.lossy)
			}
		})
	}
}

// jsonDiff lists the differences between two JSON documents as sorted lines
// "path: before -> after", where a missing member reads "absent".
func jsonDiff(tb testing.TB, a, b []byte) []string {
	tb.Helper()
	decode := func(p []byte) any {
		dec := json.NewDecoder(bytes.NewReader(p))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			tb.Fatalf("decode JSON: %v", err)
		}
		return v
	}
	var diffs []string
	diffValue("", decode(a), decode(b), &diffs)
	slices.Sort(diffs)
	return diffs
}

// absent marks a member missing on one side of diffValue.
type absent struct{}

// diffValue appends the differences between x and y at path to diffs.
func diffValue(path string, x, y any, diffs *[]string) {
	xm, xok := x.(map[string]any)
	ym, yok := y.(map[string]any)
	if xok && yok {
		keys := make(map[string]bool, len(xm)+len(ym))
		for k := range xm {
			keys[k] = true
		}
		for k := range ym {
			keys[k] = true
		}
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			xv, ok := xm[k]
			if !ok {
				xv = absent{}
			}
			yv, ok := ym[k]
			if !ok {
				yv = absent{}
			}
			p := k
			if path != "" {
				p = path + "." + k
			}
			diffValue(p, xv, yv, diffs)
		}
		return
	}
	if !reflect.DeepEqual(x, y) {
		*diffs = append(*diffs, fmt.Sprintf("%s: %s -> %s", path, show(x), show(y)))
	}
}

// show renders a decoded JSON value compactly for diffValue.
func show(v any) string {
	if _, ok := v.(absent); ok {
		return "absent"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

// withStage returns a fixture edit that puts an HTTP API event on a named stage.
func withStage(tb testing.TB, stage, rawPath string) func(map[string]any) {
	return func(ev map[string]any) {
		tb.Helper()
		ev["rawPath"] = rawPath
		obj(tb, ev, "requestContext")["stage"] = stage
	}
}
