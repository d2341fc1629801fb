package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/wxindustry/getindustry/internal/ddbtest"
	"github.com/wxindustry/getindustry/internal/rie"
)

// TestRunShowsTheWholeFlow runs what `make local` runs and checks what it
// promises: the refresher writes the token, every HTTP event gets a 200 with
// the industry and the direct event the industry object, a renewal and a
// force work, a second force is refused, and the two failure scenarios
// answer their documented errors.
func TestRunShowsTheWholeFlow(t *testing.T) {
	if _, err := rie.Find(); err != nil {
		t.Skip(err)
	}
	if testing.Short() {
		t.Skip("builds two bootstraps and runs them under the emulator")
	}
	ddbtest.Need(t) // multi-account mode runs on dynalite
	var out bytes.Buffer
	if err := run(t.Context(), nil, &out); err != nil {
		t.Fatalf("run() = %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"refreshtoken: first scheduled run writes the token secret (emulator HTTP 200)\n{\n  \"changed\": true",
		"== alb.json (emulator HTTP 200)\n{\n  \"statusCode\": 200",
		"== apigw-http.json (emulator HTTP 200)\n{\n  \"statusCode\": 200",
		"== apigw-rest.json (emulator HTTP 200)\n{\n  \"statusCode\": 200",
		"== function-url.json (emulator HTTP 200)\n{\n  \"statusCode\": 200",
		"== direct.json (emulator HTTP 200)\n{\n  \"primary_industry\"",
		"with the renewed token: direct.json (emulator HTTP 200)\n{\n  \"primary_industry\"",
		`"errorType": "ForceRefreshLimited"`,
		`\"code\":\"token_unavailable\"`,
		`\"code\":\"wechat_token_invalid\"`,
		// multi-account mode
		"(no item in the table): HTTP 404\n{\n  \"error\": {\n    \"code\": \"account_not_found\"",
		"(malformed appid): HTTP 400\n{\n  \"error\": {\n    \"code\": \"invalid_request\"",
		"\n}\n   table reads: 0\n", // the malformed appid
		"right after the rotation: HTTP 200",
		"WeChat get_industry calls: the old token → industry; table reads of",
		"after WeChat retired the old token: HTTP 200",
		"WeChat get_industry calls: the old token → errcode 40001, the new token → industry; table reads of",
		// third-party platform
		"push component_verify_ticket (signed, encrypted): HTTP 200 success; WeChat calls: none\n",
		"scheduled run: component token refreshed; WeChat calls: api_component_token 1\n",
		"onboarding: the click: HTTP 302 to the (simulated) WeChat page /cgi-bin/componentloginpage\n",
		"onboarding: the admin confirms: HTTP 302 back to /component/callback",
		"onboarding: the authorized push: HTTP 200 success\n",
		"onboarding: WeChat calls: api_create_preauthcode 1, api_query_auth 1\n",
		"make serve, then open http://127.0.0.1:3000/component/authorize):\n",
		"(the admin revoked): HTTP 200 success; WeChat calls: none\n",
		"(revoked): HTTP 404 account_not_found\n",
		"run: 1 due, 1 refreshed, 1 recovered through api_get_authorizer_list; WeChat calls: api_authorizer_token 2, api_get_authorizer_list 1\n",
		"(bad signature): HTTP 401 Unauthorized; WeChat calls: none\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if n := strings.Count(got, `快递`); n < 6 {
		t.Errorf("the industry appears %d times; want it in every success", n)
	}
	// Each account's answer names it (wxtest.AccountIndustry): three
	// accounts, the direct invoke and the two calls of the rotation.
	if n := strings.Count(got, `"second_class": "wx`); n != 6 {
		t.Errorf("accounts answered their own industry %d times; want 6", n)
	}
	if strings.Contains(got, localAppSecret) {
		t.Error("the output contains the appsecret")
	}
	for _, v := range []string{platformComponent.AppSecret, platformComponent.EncodingAESKey, "ticket@@@", "queryauthcode", "preauthcode@@@", "auth_code="} {
		if strings.Contains(got, v) {
			t.Errorf("the output contains a platform secret or code (%q)", v)
		}
	}
	// Platform part: three pushed accounts, the onboarded one, the
	// recovered one and the one a forged push could not revoke answer
	// their own industry.
	if n := strings.Count(got, "HTTP 200 its own industry"); n != 6 {
		t.Errorf("platform: accounts answered their own industry %d times; want 6", n)
	}
	if n := strings.Count(got, "push authorized for wx"); n != 3 {
		t.Errorf("platform: %d authorized pushes; want 3", n)
	}
}
