// Command localstack runs the getindustry function end to end on this
// machine, with no AWS account and no Docker: it builds the bootstrap, starts
// a WeChat API simulator and a Secrets Manager endpoint on loopback, runs the
// bootstrap under the real Lambda Runtime Interface Emulator, and invokes it.
//
// The token secret starts as CloudFormation leaves it: the token refresher
// (functions/refreshtoken) runs first and writes it from the app
// credentials, as its schedule would, so the whole flow works from
// credentials alone.
//
// Usage:
//
//	localstack                 refresh the token, invoke every event in events/, show a token renewal
//	                           and a forced refresh, then two failure scenarios; then multi-account
//	                           mode and the third-party platform (below); then stop
//	localstack -event FILE     invoke one event file
//	localstack -serve ADDR     keep serving: plain HTTP on ADDR becomes HTTP API events (like sam local
//	                           start-api), /accounts/{appid}/industry to multi-account mode, the rest
//	                           to single-account mode, /component/ to the platform token service (open
//	                           /component/authorize in a browser and click through the simulated WeChat page)
//
// Multi-account mode runs a second getindustry with WX_TOKEN_TABLE: dynalite
// (tools/dynalite, Node.js) holds the token table, the simulator plays WeChat
// for a platform that three accounts authorized, and their items are written
// as the platform token service writes them. It shows each account
// answering its own industry, an unknown appid (404 account_not_found), a
// malformed one (400), and a token rotation, with the WeChat calls and the
// table reads counted at the fakes.
//
// The third part is the third-party platform: the platform token service
// (functions/platformtoken) under the emulator behind a loopback Function
// URL, with its credentials secret in the Secrets Manager fake, writing the
// table the multi-account getindustry reads, against a second simulator on
// real time. It shows a ticket push, a scheduled run getting the component
// token, three accounts authorizing (pushes) and getindustry answering each,
// the onboarding flow once without a browser, a revocation (404), a lost
// refresh token recovered through api_get_authorizer_list, and a forged push
// refused (401), with the WeChat calls of each step counted at the
// simulator. No token, key or code is printed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/wxindustry/getindustry/internal/rie"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "localstack: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("localstack", flag.ContinueOnError)
	event := flags.String("event", "", "invoke only this event file")
	serve := flags.String("serve", "", "keep serving HTTP on this address (e.g. 127.0.0.1:3000)")
	verbose := flags.Bool("v", false, "also print the emulator's and the function's own output")
	if err := flags.Parse(args); err != nil {
		return err
	}
	root, err := rie.ModuleRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "localstack-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	fmt.Fprintln(stdout, "building the getindustry and refreshtoken bootstraps ...")
	boot, err := rie.BuildBootstrap(ctx, "./functions/getindustry", filepath.Join(tmp, "getindustry"))
	if err != nil {
		return err
	}
	refresherBoot, err := rie.BuildBootstrap(ctx, "./functions/refreshtoken", filepath.Join(tmp, "refreshtoken"))
	if err != nil {
		return err
	}
	fakes, err := startFakes(*serve != "")
	if err != nil {
		return err
	}
	defer fakes.close()
	fmt.Fprintf(stdout, "WeChat simulator on %s, Secrets Manager endpoint on %s\n", fakes.wxURL, fakes.smURL)

	var output io.Writer
	if *verbose {
		output = os.Stderr
	}
	// startWith runs getindustry with exactly env; start with the
	// single-account environment and any overrides.
	startWith := func(env []string) (*rie.Emulator, error) {
		return rie.Start(ctx, rie.Options{Bootstrap: boot, Env: env, Timeout: 10 * time.Second, Output: output})
	}
	start := func(env ...string) (*rie.Emulator, error) { return startWith(append(fakes.env(), env...)) }
	refresher, err := rie.Start(ctx, rie.Options{Bootstrap: refresherBoot, Env: fakes.refresherEnv(), Timeout: 15 * time.Second, Output: output})
	if err != nil {
		return err
	}
	defer refresher.Close()
	refresh := func(title, file string) error {
		payload, err := os.ReadFile(filepath.Join(root, "events", "refreshtoken", file))
		if err != nil {
			return err
		}
		return invokeAndPrint(ctx, refresher, stdout, "refreshtoken: "+title, payload)
	}
	if err := refresh("first scheduled run writes the token secret", "scheduled.json"); err != nil {
		return err
	}

	switch {
	case *serve != "":
		accounts, err := startAccounts(ctx, fakes)
		if err != nil {
			return err
		}
		defer accounts.Close()
		multi := func() (*rie.Emulator, error) { return startWith(accountsEnv(fakes, accounts)) }
		var appIDs []string
		for _, a := range accounts.Accounts {
			appIDs = append(appIDs, a.AppID)
		}
		platform, stopPlatform, err := startServedPlatform(ctx, fakes, accounts, tmp, "http://"+*serve, output)
		if err != nil {
			return err
		}
		defer stopPlatform()
		return serveHTTP(ctx, *serve, func() (*rie.Emulator, error) { return start() }, multi, platform, appIDs, stdout)
	case *event != "":
		return invokeFiles(ctx, start, stdout, *event)
	}
	events, err := filepath.Glob(filepath.Join(root, "events", "*.json"))
	if err != nil {
		return err
	}
	if err := invokeFiles(ctx, start, stdout, eventFiles(events)...); err != nil {
		return err
	}
	if err := renewal(ctx, fakes, refresh, start, stdout); err != nil {
		return err
	}
	if err := scenarios(ctx, start, stdout); err != nil {
		return err
	}
	accounts, err := startAccounts(ctx, fakes)
	if err != nil {
		return err
	}
	defer accounts.Close()
	if err := showAccounts(ctx, fakes, accounts, startWith, stdout); err != nil {
		return err
	}
	return showPlatform(ctx, fakes, accounts, tmp, output, startWith, stdout)
}

// renewal moves the simulator's clock into the last minutes of the token's
// life, lets the refresher pick up WeChat's renewed token, and shows a fresh
// getindustry instance answering with it; then a forced refresh, and a
// second force that the refresher refuses rather than spend WeChat's limit.
func renewal(ctx context.Context, f *fakes, refresh func(title, file string) error,
	start func(...string) (*rie.Emulator, error), stdout io.Writer) error {
	fmt.Fprintln(stdout, "\n-- the WeChat simulator's clock moves 1h56m on: 4 minutes of the token's life are left")
	f.sim.Advance(time.Hour + 56*time.Minute)
	steps := []struct{ title, file string }{
		{"scheduled run picks up the renewed token", "scheduled.json"},
		{"forced refresh (after a leak)", "force.json"},
		{"a second force within 30 s is refused", "force.json"},
	}
	for i, st := range steps {
		if err := refresh(st.title, st.file); err != nil {
			return err
		}
		if i > 0 {
			continue
		}
		emu, err := start()
		if err != nil {
			return err
		}
		err = invokeAndPrint(ctx, emu, stdout, "getindustry (new instance) with the renewed token: direct.json", []byte(`{}`))
		emu.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// eventFiles drops the env-vars file, which is not an event.
func eventFiles(paths []string) []string {
	var out []string
	for _, p := range paths {
		if filepath.Base(p) != "env.json" {
			out = append(out, p)
		}
	}
	return out
}

// invokeFiles invokes each event file in one warm emulator and prints each answer.
func invokeFiles(ctx context.Context, start func(...string) (*rie.Emulator, error), stdout io.Writer, files ...string) error {
	if len(files) == 0 {
		return errors.New("no event files")
	}
	emu, err := start()
	if err != nil {
		return err
	}
	defer emu.Close()
	for _, f := range files {
		payload, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := invokeAndPrint(ctx, emu, stdout, filepath.Base(f), payload); err != nil {
			return err
		}
	}
	return nil
}

// scenarios shows two documented failures, each in a fresh emulator: a
// secret that does not exist, and a secret holding a token WeChat rejects.
func scenarios(ctx context.Context, start func(...string) (*rie.Emulator, error), stdout io.Writer) error {
	cases := []struct{ title, secretID string }{
		{"the token secret does not exist", "getindustry/no-such-secret"},
		{"the secret holds a token WeChat rejects", wrongSecretID},
	}
	for _, c := range cases {
		emu, err := start("WX_TOKEN_SECRET_ID=" + c.secretID)
		if err != nil {
			return err
		}
		err = invokeAndPrint(ctx, emu, stdout, "scenario: "+c.title, []byte(`{"rawPath":"/industry","version":"2.0","routeKey":"GET /industry","rawQueryString":"","headers":{},"requestContext":{"http":{"method":"GET","path":"/industry","protocol":"HTTP/1.1","sourceIp":"127.0.0.1"},"stage":"$default","requestId":"scenario","apiId":"local","domainName":"local.execute-api.us-east-1.amazonaws.com"},"isBase64Encoded":false}`))
		emu.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func invokeAndPrint(ctx context.Context, emu *rie.Emulator, stdout io.Writer, title string, payload []byte) error {
	status, body, err := emu.Invoke(ctx, payload)
	if err != nil {
		return fmt.Errorf("%s: %w\n%s", title, err, emu.Log.Tail(20))
	}
	fmt.Fprintf(stdout, "\n== %s (emulator HTTP %d)\n%s\n", title, status, indent(body))
	return nil
}
