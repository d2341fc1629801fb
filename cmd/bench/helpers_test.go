package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/wxindustry/getindustry/internal/rie"
)

// sentinelToken must never appear in anything the command prints.
const sentinelToken = "SENTINEL-TOKEN-5f3c"

// buildDir holds the bootstraps built for the emulator tests; TestMain removes it.
var buildDir string

func TestMain(m *testing.M) {
	var err error
	if buildDir, err = os.MkdirTemp("", "bench-test-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(buildDir)
	os.Exit(code)
}

// builtVariants builds the variants once per test binary.
// The build has no time limit of its own: a loaded machine is slow, not broken.
var builtVariants = sync.OnceValues(func() ([]variant, error) {
	return buildVariants(context.Background(), buildDir)
})

// needEmulator skips tb unless the emulator is installed and the run is not -short.
func needEmulator(tb testing.TB) []variant {
	tb.Helper()
	if _, err := rie.Find(); err != nil {
		tb.Skip(err)
	}
	if testing.Short() {
		tb.Skip("emulator test skipped in -short mode")
	}
	vs, err := builtVariants()
	if err != nil {
		tb.Fatal(err)
	}
	return vs
}

// newFakes starts the fakes with secret and the tokens WeChat accepts, and
// closes them when tb ends.
func newFakes(tb testing.TB, secret string, tokens ...string) *fakes {
	tb.Helper()
	fk := startFakes(secret, tokens...)
	tb.Cleanup(fk.close)
	return fk
}

func quietConfig(n, inits int) measureConfig {
	return measureConfig{n: n, inits: inits, progress: io.Discard}
}

func noSecretIn(tb testing.TB, what, s string) {
	tb.Helper()
	if strings.Contains(s, sentinelToken) {
		tb.Errorf("%s contains the access token:\n%s", what, s)
	}
}
