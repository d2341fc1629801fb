package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/wxindustry/getindustry/internal/accountstest"
	"github.com/wxindustry/getindustry/internal/rie"
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

// measureAccounts measures v in multi-account mode with cfg.accounts
// accounts: init and first invoke as measure does; then, in the first
// emulator, one request per account (each a cache miss) so that every
// account is cached, the bootstrap's VmHWM before and after; then cfg.n
// direct and cfg.n HTTP API requests whose appids follow a Zipf
// distribution (fixed seed), all cache hits. Table reads and WeChat calls
// per account are those of the first emulator, from its first invoke on.
func measureAccounts(ctx context.Context, v variant, fk *fakes, cfg measureConfig) result {
	progress := func(format string, args ...any) {
		fmt.Fprintf(cfg.progress, "bench: %s: %s\n", v.name, fmt.Sprintf(format, args...))
	}
	s, err := startAccounts(ctx, fk, cfg.accounts, progress)
	if err != nil {
		return result{err: err}
	}
	defer s.Close()
	calls0 := fk.industryLog.Len()
	var r result
	var inits, firsts []time.Duration
	for i := range cfg.inits {
		progress("emulator %d/%d", i+1, cfg.inits)
		emu, err := rie.Start(ctx, rie.Options{Bootstrap: v.bootstrap, Env: s.env(fk), Timeout: 10 * time.Second})
		if err != nil {
			return result{err: err}
		}
		err = func() error {
			defer emu.Close()
			first, err := timedInvoke(ctx, emu, directFor(s.Accounts[0].AppID), wantIndustryOf(s.Accounts[0].AppID))
			if err != nil {
				return fmt.Errorf("first invoke: %w", err)
			}
			init, err := waitInit(ctx, emu.Log)
			if err != nil {
				return err
			}
			inits, firsts = append(inits, init), append(firsts, first)
			if i > 0 {
				return nil
			}
			if err := s.warm(ctx, emu, fk, cfg, &r, progress); err != nil {
				return err
			}
			// Caches are per instance: count this instance's reads and
			// calls, before the next fresh emulators make their own.
			r.maxReadsPerTokenTTL, _ = s.Reads.MaxPerWindow(tokenTTL)
			r.maxCallsPerIndustryTTL = s.maxCallsPerAccount(fk.industryLog.Since(calls0), industryTTL)
			return nil
		}()
		if err != nil {
			return result{err: fmt.Errorf("%w\nemulator output (tail):\n%s", err, emu.Log.Tail(8))}
		}
	}
	r.init, r.firstInvoke = median(inits), median(firsts)
	return r
}

// warm fills the caches with every account, then times the Zipf mix.
func (s accountsStack) warm(ctx context.Context, emu *rie.Emulator, fk *fakes, cfg measureConfig, r *result, progress func(string, ...any)) error {
	base, err := peakRSS(emu.BootstrapPID())
	if err != nil {
		return err
	}
	start := time.Now()
	for _, a := range s.Accounts[1:] {
		if _, err := timedInvoke(ctx, emu, directFor(a.AppID), wantIndustryOf(a.AppID)); err != nil {
			return fmt.Errorf("fill, %s: %w", a.AppID, err)
		}
	}
	r.fill = time.Since(start)
	progress("cached all %d accounts (one request each) in %v", len(s.Accounts), r.fill.Round(time.Millisecond))
	full, err := peakRSS(emu.BootstrapPID())
	if err != nil {
		return err
	}
	r.accounts, r.cachedRSS = len(s.Accounts), full
	if len(s.Accounts) > 1 {
		r.bytesPerAccount = float64(full-base) / float64(len(s.Accounts)-1)
	}

	mix := zipfAppIDs(s.Accounts, 2*cfg.n)
	calls, reads0 := fk.industryLog.Len(), readsTotal(s.Reads)
	if r.direct, err = timeEach(ctx, emu, mix[:cfg.n], directFor, wantIndustryOf); err != nil {
		return fmt.Errorf("warm direct invokes: %w", err)
	}
	r.wechatPer1000 = per1000(fk.industryLog.Len()-calls, cfg.n)
	r.ddbPer1000 = per1000(readsTotal(s.Reads)-reads0, cfg.n)
	if r.http, err = timeEach(ctx, emu, mix[cfg.n:], httpFor, func(string) func([]byte) error { return wantHTTP200 }); err != nil {
		return fmt.Errorf("warm HTTP API invokes: %w", err)
	}
	r.peakRSS, err = peakRSS(emu.BootstrapPID())
	return err
}

func readsTotal(rc *accountstest.ReadCounter) int {
	n, _ := rc.Total()
	return n
}

// timeEach invokes once per appid, the payload and check made for it, and
// returns the latency percentiles.
func timeEach(ctx context.Context, emu *rie.Emulator, appIDs []string, payload func(string) []byte, check func(string) func([]byte) error) (latencies, error) {
	ds := make([]time.Duration, 0, len(appIDs))
	for _, id := range appIDs {
		d, err := timedInvoke(ctx, emu, payload(id), check(id))
		if err != nil {
			return latencies{}, err
		}
		ds = append(ds, d)
	}
	slices.Sort(ds)
	return latencies{p50: percentile(ds, 50), p99: percentile(ds, 99)}, nil
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
