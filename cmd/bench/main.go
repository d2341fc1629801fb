package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wxindustry/getindustry/internal/accountstest"
	"github.com/wxindustry/getindustry/internal/rie"
	"github.com/wxindustry/getindustry/internal/token/smtest"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

const (
	secretID = "getindustry/access-token"
	// benchToken is a made-up token that only the local simulator accepts.
	benchToken = "bench-access-token-0123456789"
	// maxRun bounds the whole run, whatever the flags.
	maxRun = 30 * time.Minute
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
}

// run parses the flags, builds the bootstraps, measures every variant and
// prints the report on stdout (progress goes to progress). It returns an
// error when a variant could not be measured, after printing what it has.
func run(ctx context.Context, args []string, stdout, progress io.Writer) error {
	flags := flag.NewFlagSet("bench", flag.ContinueOnError)
	flags.SetOutput(progress)
	n := flags.Int("n", 1000, "warm invokes per variant and payload (1 to 100000)")
	inits := flags.Int("inits", 5, "fresh emulators per variant for the init median (1 to 50)")
	accounts := flags.Int("accounts", 10000, "accounts in the table and the simulator for multi-account mode (0 skips it; at most 100000)")
	outFile := flags.String("o", "", "also write the report to this file")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *n < 1 || *n > 100000 || *inits < 1 || *inits > 50 || *accounts < 0 || *accounts == 1 || *accounts > 100000 || flags.NArg() > 0 {
		return fmt.Errorf("bad flags %q: want -n 1..100000, -inits 1..50, -accounts 0 or 2..100000 and no arguments", args)
	}
	ctx, cancel := context.WithTimeout(ctx, maxRun)
	defer cancel()

	tmp, err := os.MkdirTemp("", "bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintln(progress, "bench: building bootstraps (host, and linux/arm64 for size) ...")
	variants, err := buildVariants(ctx, tmp, *accounts)
	if err != nil {
		return err
	}
	// Each variant has fakes of its own: the variants run side by side and
	// their upstream calls are counted apart.
	fks := make([]*fakes, len(variants))
	for i := range fks {
		fks[i] = startFakes(secretJSON(benchToken), benchToken)
		defer fks[i].close()
	}

	cfg := measureConfig{n: *n, inits: *inits, accounts: *accounts, progress: progress}
	results := measure(ctx, variants, fks, cfg)
	var errs []error
	for i, r := range results {
		if r.err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", variants[i].name, r.err))
		}
	}
	report := render(readMachine(), "go run ./cmd/bench "+strings.Join(args, " "), cfg, variants, results)
	fmt.Fprint(stdout, report)
	if *outFile != "" {
		if err := os.WriteFile(*outFile, []byte(report), 0o644); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// variant is one function measured under the emulator.
type variant struct {
	name      string
	bootstrap string   // built for this machine
	armSize   int64    // bytes of the linux/arm64 build, as SAM builds it
	env       []string // on top of the fakes' environment
	upstream  bool     // calls WeChat and Secrets Manager
	accounts  bool     // multi-account mode: the table on dynalite, many accounts (openAccounts)
	// checkDirect and checkHTTP validate the emulator's answers.
	checkDirect, checkHTTP func([]byte) error
}

// buildVariants builds getindustry and the bare function for this machine
// and for linux/arm64, and returns the variants: getindustry with and
// without caches, in multi-account mode with accounts accounts (unless
// 0), and bare.
func buildVariants(ctx context.Context, tmp string, accounts int) ([]variant, error) {
	type build struct {
		boot string
		size int64
	}
	builds := map[string]build{}
	for _, pkg := range []string{"./functions/getindustry", "./internal/rie/testdata/bare"} {
		dir := filepath.Join(tmp, filepath.Base(pkg))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		boot, err := rie.BuildBootstrap(ctx, pkg, dir)
		if err != nil {
			return nil, err
		}
		size, err := armSize(ctx, pkg, filepath.Join(dir, "arm64"))
		if err != nil {
			return nil, err
		}
		builds[pkg] = build{boot, size}
	}
	gi, bare := builds["./functions/getindustry"], builds["./internal/rie/testdata/bare"]
	vs := []variant{
		{name: "getindustry", bootstrap: gi.boot, armSize: gi.size, upstream: true,
			checkDirect: wantIndustry, checkHTTP: wantHTTP200},
		{name: "getindustry, caches off", bootstrap: gi.boot, armSize: gi.size, upstream: true,
			env:         []string{"WX_INDUSTRY_CACHE_TTL=0", "WX_TOKEN_CACHE_TTL=0"},
			checkDirect: wantIndustry, checkHTTP: wantHTTP200},
	}
	if accounts > 0 {
		vs = append(vs, variant{name: fmt.Sprintf("getindustry, %s accounts", thousands(accounts)),
			bootstrap: gi.boot, armSize: gi.size, upstream: true, accounts: true})
	}
	return append(vs, variant{name: "bare aws-lambda-go", bootstrap: bare.boot, armSize: bare.size,
		checkDirect: wantOK, checkHTTP: wantOK}), nil
}

// thousands formats n with a comma between thousands: 10000 → "10,000".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// armSize builds pkg as SAM does (linux/arm64, no cgo, lambda.norpc,
// -trimpath, -s -w) into dir and returns the file's size.
func armSize(ctx context.Context, pkg, dir string) (int64, error) {
	out, err := rie.Build(ctx, pkg, "linux", "arm64", dir)
	if err != nil {
		return 0, err
	}
	st, err := os.Stat(out)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// fakes are the WeChat simulator and the Secrets Manager fake on loopback.
type fakes struct {
	sim          *wxtest.Simulator
	industryLog  *accountstest.CallLog // get_industry calls, in front of sim
	sm           *smtest.Fake
	wxSrv, smSrv *httptest.Server
}

// startFakes serves secret under secretID, and a simulator that accepts the
// given tokens.
func startFakes(secret string, tokens ...string) *fakes {
	f := &fakes{sim: wxtest.NewSimulator(tokens...), sm: smtest.NewFake()}
	f.industryLog = accountstest.NewCallLog(f.sim)
	f.sm.SetSecret(secretID, secret)
	f.wxSrv, f.smSrv = httptest.NewServer(f.industryLog), smtest.NewServer(f.sm)
	return f
}

// secretJSON is the token secret as the refresher writes it.
func secretJSON(token string) string {
	expires := time.Now().Add(maxRun + time.Hour).UTC().Format(time.RFC3339)
	return fmt.Sprintf(`{"access_token":%q,"expires_at":%q}`, token, expires)
}

// env is the function's environment: README's configuration pointed at
// the fakes, dummy credentials (the fake checks no signature), INFO logs.
func (f *fakes) env() []string {
	return []string{
		"WX_TOKEN_SECRET_ID=" + secretID,
		"WX_API_BASE_URL=" + f.wxSrv.URL,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + f.smSrv.URL,
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=AKIDBENCH", "AWS_SECRET_ACCESS_KEY=bench-not-a-secret", "AWS_SESSION_TOKEN=",
		"AWS_PROFILE=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_LAMBDA_FUNCTION_NAME=GetIndustryFunction",
		"AWS_LAMBDA_LOG_LEVEL=INFO",
	}
}

// calls returns the get_industry requests and GetSecretValue calls so far.
func (f *fakes) calls() (wechat, secrets int) {
	return f.sim.Calls(), f.sm.Calls("")
}

func (f *fakes) close() {
	f.wxSrv.Close()
	f.smSrv.Close()
}

// wantIndustry accepts the simulator's industry in WeChat's shape.
func wantIndustry(body []byte) error {
	var got wx.Industry
	if err := json.Unmarshal(body, &got); err != nil || got != wxtest.DefaultIndustry() {
		return fmt.Errorf("answer %.200s is not the industry", body)
	}
	return nil
}

// wantHTTP200 accepts an HTTP-shaped answer with status 200.
func wantHTTP200(body []byte) error {
	var a struct {
		StatusCode int `json:"statusCode"`
	}
	if err := json.Unmarshal(body, &a); err != nil || a.StatusCode != 200 {
		return fmt.Errorf("answer %.200s is not an HTTP 200 response", body)
	}
	return nil
}

// wantOK accepts the bare function's answer.
func wantOK(body []byte) error {
	if string(body) != `"ok"` {
		return fmt.Errorf("answer %.200s is not \"ok\"", body)
	}
	return nil
}
