package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/wxindustry/getindustry/internal/accountstest"
	"github.com/wxindustry/getindustry/internal/rie"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

const (
	// tableName is the token table of multi-account mode.
	tableName = "getindustry-accounts"
	// seededAccounts is how many authorized accounts make local seeds.
	seededAccounts = 3
	// unknownAppID is well formed but has no item.
	unknownAppID = "wx0123456789abcdef"
)

// startAccounts starts multi-account mode's part of the local stack:
// dynalite behind a proxy that counts reads, the token table, and the
// simulator playing WeChat for a platform that seededAccounts accounts
// authorized, their items written as the platform token service would.
func startAccounts(ctx context.Context, f *fakes) (*accountstest.Stack, error) {
	return accountstest.Start(ctx, f.sim, f.wxURL, tableName, seededAccounts, 1)
}

// accountsEnv is getindustry's environment in multi-account mode: the
// table on dynalite instead of the token secret.
func accountsEnv(f *fakes, s *accountstest.Stack) []string {
	return []string{
		"WX_TOKEN_TABLE=" + s.Table,
		"AWS_ENDPOINT_URL_DYNAMODB=" + s.URL,
		"WX_API_BASE_URL=" + f.wxURL,
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=AKIDLOCALSTACK",
		"AWS_SECRET_ACCESS_KEY=local-not-a-secret",
		"AWS_LAMBDA_LOG_LEVEL=INFO",
		"AWS_LAMBDA_FUNCTION_NAME=GetIndustryFunction",
	}
}

// showAccounts runs a second getindustry in multi-account mode and shows
// each seeded account answering its own industry, an unknown and a
// malformed appid, and a token rotation.
func showAccounts(ctx context.Context, f *fakes, s *accountstest.Stack, start func(env []string) (*rie.Emulator, error), stdout io.Writer) error {
	fmt.Fprintf(stdout, "\n-- multi-account mode: table %s on dynalite (%s), %d accounts authorized in the simulator and written to it\n",
		s.Table, s.URL, len(s.Accounts))
	fmt.Fprintln(stdout, "   (WX_INDUSTRY_CACHE_TTL=0 here, so that every request reaches WeChat and the rotation below shows)")
	emu, err := start(append(accountsEnv(f, s), "WX_INDUSTRY_CACHE_TTL=0"))
	if err != nil {
		return err
	}
	defer emu.Close()
	for _, a := range s.Accounts {
		if err := getAndPrint(ctx, emu, stdout, "/accounts/"+a.AppID+"/industry", ""); err != nil {
			return err
		}
	}
	direct := fmt.Sprintf(`{"appid":%q}`, s.Accounts[1].AppID)
	if err := invokeAndPrint(ctx, emu, stdout, "multi-account direct invoke "+direct, []byte(direct)); err != nil {
		return err
	}
	for _, c := range []struct{ appID, note string }{
		{unknownAppID, " (no item in the table)"},
		{"wx-not-an-appid", " (malformed appid)"},
	} {
		reads, _ := s.Reads.Total()
		if err := getAndPrint(ctx, emu, stdout, "/accounts/"+c.appID+"/industry", c.note); err != nil {
			return err
		}
		after, _ := s.Reads.Total()
		fmt.Fprintf(stdout, "   table reads: %d\n", after-reads)
	}
	return rotation(ctx, f, s, emu, stdout)
}

// rotation refreshes the first account's token at WeChat, writes the new
// one to the table, and shows what the running instance does, with the
// WeChat calls and table reads counted at the fakes: first the old,
// cached token still works (WeChat's overlap); once WeChat retires it,
// errcode 40001 makes the function re-read the item and retry.
func rotation(ctx context.Context, f *fakes, s *accountstest.Stack, emu *rie.Emulator, stdout io.Writer) error {
	old := s.Accounts[0]
	fresh, err := s.Platform.Rotate(ctx, old.AppID)
	if err != nil {
		return err
	}
	if err := s.Put(ctx, fresh); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n-- token rotation for %s: the platform refreshes its token at WeChat (api_authorizer_token) and writes the new one to the table\n", old.AppID)
	fmt.Fprintf(stdout, "   The running instance still holds the old token (for up to WX_TOKEN_CACHE_TTL); the simulator, like WeChat, keeps accepting a replaced token for a while (%v).\n", wxtest.ForceOverlap)
	path := "/accounts/" + old.AppID + "/industry"
	label := func(tok string) string {
		switch tok {
		case old.AccessToken:
			return "the old token"
		case fresh.AccessToken:
			return "the new token"
		}
		return "another token"
	}
	step := func(title string) error {
		calls, reads := f.calls.Len(), s.Reads.Reads(old.AppID)
		if err := getAndPrint(ctx, emu, stdout, path, title); err != nil {
			return err
		}
		var seen []string
		for _, c := range f.calls.Since(calls) {
			answer := "industry"
			if c.Errcode != 0 {
				answer = fmt.Sprintf("errcode %d", c.Errcode)
			}
			seen = append(seen, label(c.Token)+" → "+answer)
		}
		fmt.Fprintf(stdout, "   WeChat get_industry calls: %s; table reads of %s: %d\n",
			strings.Join(seen, ", "), old.AppID, s.Reads.Reads(old.AppID)-reads)
		return nil
	}
	if err := step(" right after the rotation"); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n-- the WeChat simulator's clock moves %v on: WeChat stops accepting the old token\n", wxtest.ForceOverlap)
	f.sim.Advance(wxtest.ForceOverlap)
	return step(" after WeChat retired the old token")
}

// getAndPrint sends GET path to emu as an HTTP API event and prints the
// status and the body.
func getAndPrint(ctx context.Context, emu *rie.Emulator, stdout io.Writer, path, note string) error {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.RemoteAddr = "127.0.0.1:40000"
	payload, err := json.Marshal(httpAPIEvent(r, nil, "local-accounts"))
	if err != nil {
		return err
	}
	status, out, err := emu.Invoke(ctx, payload)
	if err != nil {
		return fmt.Errorf("GET %s: %w\n%s", path, err, emu.Log.Tail(20))
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); status != http.StatusOK || err != nil || resp.StatusCode == 0 {
		return fmt.Errorf("GET %s: emulator HTTP %d: %s\n%s", path, status, out, emu.Log.Tail(20))
	}
	fmt.Fprintf(stdout, "\n== GET %s%s: HTTP %d\n%s\n", path, note, resp.StatusCode, indent([]byte(resp.Body)))
	return nil
}
