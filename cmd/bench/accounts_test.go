package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/wxindustry/getindustry/internal/accountstest"
	"github.com/wxindustry/getindustry/internal/ddbtest"
)

func TestMeasureAccountsUnderEmulator(t *testing.T) {
	vs := needEmulator(t)
	ddbtest.Need(t)
	fk := newFakes(t, secretJSON(sentinelToken), sentinelToken)
	v := vs[0]
	v.name, v.accounts = "getindustry, 40 accounts", true
	cfg := quietConfig(30, 2)
	cfg.accounts = 40
	r := measure(t.Context(), []variant{v}, []*fakes{fk}, cfg)[0]
	if r.err != nil {
		t.Fatalf("measure() err = %v", r.err)
	}
	if r.accounts != 40 {
		t.Errorf("accounts = %d; want 40", r.accounts)
	}
	for name, d := range map[string]time.Duration{"init": r.init, "first invoke": r.firstInvoke, "fill": r.fill,
		"direct p50": r.direct.p50, "http p50": r.http.p50} {
		if d <= 0 {
			t.Errorf("%s = %v; want a measured duration", name, d)
		}
	}
	// Linux keeps RSS counters per thread and folds them in now and then, so
	// two VmHWM reads of one process may even go down by a few pages.
	if r.cachedRSS < 1<<20 || r.peakRSS < 1<<20 {
		t.Errorf("VmHWM cached %d, peak %d; want the bootstrap's (megabytes)", r.cachedRSS, r.peakRSS)
	}
	// Every warm invoke is a cache hit; each account was read and asked
	// for once, when it was cached.
	if r.wechatPer1000 != 0 || r.ddbPer1000 != 0 {
		t.Errorf("warm calls per 1,000: WeChat %v, DynamoDB %v; want 0 and 0", r.wechatPer1000, r.ddbPer1000)
	}
	if r.maxReadsPerTokenTTL != 1 || r.maxCallsPerIndustryTTL != 1 {
		t.Errorf("most per account: reads %d, WeChat calls %d; want 1 and 1", r.maxReadsPerTokenTTL, r.maxCallsPerIndustryTTL)
	}
}

func TestZipfAppIDs(t *testing.T) {
	var accounts []accountstest.Account
	for i := range 100 {
		accounts = append(accounts, accountstest.Account{AppID: fmt.Sprintf("wx%016x", i)})
	}
	a, b := zipfAppIDs(accounts, 1000), zipfAppIDs(accounts, 1000)
	if !slices.Equal(a, b) {
		t.Fatal("two mixes differ; want the fixed seed to repeat it")
	}
	counts := map[string]int{}
	for _, id := range a {
		counts[id]++
	}
	if counts[accounts[0].AppID] <= counts[accounts[1].AppID] || counts[accounts[1].AppID] <= counts[accounts[50].AppID] {
		t.Errorf("counts of accounts 0, 1, 50 = %d, %d, %d; want falling with rank",
			counts[accounts[0].AppID], counts[accounts[1].AppID], counts[accounts[50].AppID])
	}
	if len(counts) < 20 {
		t.Errorf("the mix touches %d accounts; want a long tail", len(counts))
	}
}

func TestHTTPForIsTheRoute(t *testing.T) {
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(httpFor("wx0123456789abcdef"), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.RawPath != "/accounts/wx0123456789abcdef/industry" || ev.RequestContext.HTTP.Method != "GET" ||
		ev.RequestContext.HTTP.Path != ev.RawPath || ev.Version != "2.0" {
		t.Errorf("event = %+v; want GET /accounts/wx0123456789abcdef/industry, payload 2.0", ev)
	}
	if got := string(directFor("wx0123456789abcdef")); got != `{"appid":"wx0123456789abcdef"}` {
		t.Errorf("directFor() = %s", got)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{2: "2", 999: "999", 1000: "1,000", 10000: "10,000", 100000: "100,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q; want %q", n, got, want)
		}
	}
}

func TestRenderWithManyAccounts(t *testing.T) {
	vs := []variant{
		{name: "getindustry", armSize: 7_410_000, upstream: true},
		{name: "getindustry, 10,000 accounts", armSize: 7_410_000, upstream: true, accounts: true},
		{name: "bare aws-lambda-go", armSize: 5_000_000},
	}
	rs := []result{
		{direct: latencies{p50: 500 * time.Microsecond}, peakRSS: 13 << 20, secretsPer1000: 1},
		{direct: latencies{p50: 480 * time.Microsecond}, peakRSS: 30 << 20, cachedRSS: 29 << 20, bytesPerAccount: 1700,
			fill: 40 * time.Second, maxReadsPerTokenTTL: 1, maxCallsPerIndustryTTL: 1, accounts: 10000},
		{direct: latencies{p50: 400 * time.Microsecond}, peakRSS: 10 << 20},
	}
	out := render(machine{os: "linux", arch: "amd64", cpu: "x", goVersion: "go1.26", cpus: 2}, "go run ./cmd/bench", quietConfig(1000, 5), vs, rs)
	for _, want := range []string{
		"| measure | getindustry | getindustry, 10,000 accounts | bare aws-lambda-go | getindustry / bare | 10,000 accounts / bare |",
		"|---|---:|---:|---:|---:|---:|",
		"| warm p50, direct `{}` (n=1000) | 0.500 ms | 0.480 ms | 0.400 ms | 1.25x | 1.20x |",
		"| Secrets Manager calls per 1,000 invokes | 1.0 | — | — | — | — |",
		"| multi-account: bytes per cached account (VmHWM growth / accounts) | — | 1700 B | — | — | — |",
		"| multi-account: most DynamoDB reads of one account within a WX_TOKEN_CACHE_TTL (1m0s) | — | 1 | — | — | — |",
		"Multi-account mode (getindustry, 10,000 accounts)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
