package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/wxindustry/getindustry/internal/accountstest"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

const (
	tableName = "getindustry-accounts"
	// tokenTTL and industryTTL are the function's default cache lifetimes,
	// set explicitly in multi-account mode: the windows the reads and
	// calls per account are counted in.
	tokenTTL    = time.Minute
	industryTTL = 5 * time.Minute
	// zipfS is the exponent of the request mix (s > 1; larger is more skewed).
	zipfS = 1.1
	// zipfSeed fixes the mix, so that runs are comparable.
	zipfSeed = 2026
	// seedWorkers is how many requests seed the simulator and the table at once.
	seedWorkers = 8
)

// accountsStack is multi-account mode's fakes: dynalite behind a proxy
// that counts reads, the table, and the simulator's authorized accounts.
type accountsStack struct{ *accountstest.Stack }

// startAccounts launches dynalite and seeds n accounts in the simulator
// and in the table.
func startAccounts(ctx context.Context, fk *fakes, n int, progress func(string, ...any)) (accountsStack, error) {
	start := time.Now()
	s, err := accountstest.Start(ctx, fk.sim, fk.wxSrv.URL, tableName, n, seedWorkers)
	if err != nil {
		return accountsStack{}, err
	}
	progress("seeded %d accounts in the simulator (api_query_auth) and the table (BatchWriteItem, 25 a call), %d requests at a time, in %v",
		n, seedWorkers, time.Since(start).Round(time.Millisecond))
	return accountsStack{s}, nil
}

// env is the function's environment in multi-account mode.
func (s accountsStack) env(fk *fakes) []string {
	env := []string{
		"WX_TOKEN_TABLE=" + s.Table,
		"AWS_ENDPOINT_URL_DYNAMODB=" + s.URL,
		"WX_TOKEN_CACHE_TTL=" + tokenTTL.String(),
		"WX_INDUSTRY_CACHE_TTL=" + industryTTL.String(),
	}
	if len(s.Accounts) > 10000 {
		env = append(env, "WX_MAX_ACCOUNTS="+strconv.Itoa(len(s.Accounts)))
	}
	for _, kv := range fk.env() {
		// Exactly one of WX_TOKEN_TABLE and WX_TOKEN_SECRET_ID.
		if !strings.HasPrefix(kv, "WX_TOKEN_SECRET_ID=") && !strings.HasPrefix(kv, "AWS_ENDPOINT_URL_SECRETS_MANAGER=") {
			env = append(env, kv)
		}
	}
	return env
}

// maxCallsPerAccount returns the most get_industry calls made with one
// account's tokens within any span of window.
func (s accountsStack) maxCallsPerAccount(calls []accountstest.Call, window time.Duration) int {
	byApp := map[string][]time.Time{}
	for _, c := range calls {
		if id := s.Platform.AppID(c.Token); id != "" {
			byApp[id] = append(byApp[id], c.At)
		}
	}
	most := 0
	for _, ts := range byApp {
		most = max(most, accountstest.MaxInWindow(ts, window))
	}
	return most
}

// openAccounts is open in multi-account mode with cfg.accounts accounts:
// it seeds them, starts the first emulator and makes its first invoke (the
// first account), then one request per other account (each a cache miss)
// so that every account is cached, reading the bootstrap's VmHWM before
// and after. The warm invokes are cfg.n direct and cfg.n HTTP API
// requests whose appids follow a Zipf distribution (fixed seed), all
// cache hits. Table reads and WeChat calls per account are those of the
// first emulator, from its first invoke on.
func (s *session) openAccounts(ctx context.Context) error {
	var err error
	if s.stack, err = startAccounts(ctx, s.fk, s.cfg.accounts, s.progress); err != nil {
		return err
	}
	a := s.stack.Accounts[0]
	mix := zipfAppIDs(s.stack.Accounts, 2*s.cfg.n)
	s.env, s.first = s.stack.env(s.fk), call{directFor(a.AppID), wantIndustryOf(a.AppID)}
	s.warm = func(k, i int) call {
		id := mix[k*s.cfg.n+i]
		if k == 0 {
			return call{directFor(id), wantIndustryOf(id)}
		}
		return call{httpFor(id), wantHTTP200}
	}
	if err := s.launch(ctx); err != nil {
		return err
	}
	if err := s.fill(ctx); err != nil {
		return s.fail(err)
	}
	s.wx0, s.ddb0 = s.fk.industryLog.Len(), readsTotal(s.stack.Reads)
	return nil
}

// fill caches every account but the first (which the first invoke cached)
// with one request each, and reads the bootstrap's VmHWM before and after.
func (s *session) fill(ctx context.Context) error {
	base, err := peakRSS(s.emu.BootstrapPID())
	if err != nil {
		return err
	}
	start := time.Now()
	for _, a := range s.stack.Accounts[1:] {
		if _, err := timedInvoke(ctx, s.emu, directFor(a.AppID), wantIndustryOf(a.AppID)); err != nil {
			return fmt.Errorf("fill, %s: %w", a.AppID, err)
		}
	}
	s.r.fill = time.Since(start)
	s.progress("cached all %d accounts (one request each) in %v", len(s.stack.Accounts), s.r.fill.Round(time.Millisecond))
	full, err := peakRSS(s.emu.BootstrapPID())
	if err != nil {
		return err
	}
	s.r.accounts, s.r.cachedRSS = len(s.stack.Accounts), full
	if len(s.stack.Accounts) > 1 {
		s.r.bytesPerAccount = float64(full-base) / float64(len(s.stack.Accounts)-1)
	}
	return nil
}

func readsTotal(rc *accountstest.ReadCounter) int {
	n, _ := rc.Total()
	return n
}

// zipfAppIDs returns n appids drawn from accounts with a Zipf distribution
// (the first account the most requested), from a fixed seed.
func zipfAppIDs(accounts []accountstest.Account, n int) []string {
	z := rand.NewZipf(rand.New(rand.NewPCG(zipfSeed, zipfSeed)), zipfS, 1, uint64(len(accounts)-1))
	ids := make([]string, n)
	for i := range ids {
		ids[i] = accounts[z.Uint64()].AppID
	}
	return ids
}

// directFor is the direct invoke payload for appID.
func directFor(appID string) []byte {
	return []byte(`{"appid":"` + appID + `"}`)
}

// httpFor is an HTTP API (payload 2.0) event for GET /accounts/{appid}/industry.
func httpFor(appID string) []byte {
	path := "/accounts/" + appID + "/industry"
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "GET /accounts/{appid}/industry", RawPath: path,
		Headers:        map[string]string{"accept": "application/json", "host": "local.execute-api.us-east-1.amazonaws.com"},
		PathParameters: map[string]string{"appid": appID},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			AccountID: "123456789012", APIID: "local", DomainName: "local.execute-api.us-east-1.amazonaws.com",
			Stage: "$default", RequestID: "bench", RouteKey: "GET /accounts/{appid}/industry",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: path, Protocol: "HTTP/1.1", SourceIP: "127.0.0.1"},
		},
	}
	b, _ := json.Marshal(ev)
	return b
}

// wantIndustryOf accepts appID's own industry (wxtest.AccountIndustry).
func wantIndustryOf(appID string) func([]byte) error {
	return func(body []byte) error {
		var got wx.Industry
		if err := json.Unmarshal(body, &got); err != nil || got != wxtest.AccountIndustry(appID) {
			return fmt.Errorf("answer %.200s is not %s's industry", body, appID)
		}
		return nil
	}
}
