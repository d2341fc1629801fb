package main

import (
	"bytes"
	"strings"
	"testing"

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
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if n := strings.Count(got, `快递`); n < 6 {
		t.Errorf("the industry appears %d times; want it in every success", n)
	}
	if strings.Contains(got, localAppSecret) {
		t.Error("the output contains the appsecret")
	}
}
