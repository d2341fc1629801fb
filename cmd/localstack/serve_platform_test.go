package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/ddbtest"
	"github.com/wxindustry/getindustry/internal/rie"
)

// TestServeOnboarding checks what make serve offers a person: the platform
// token service behind the serve address, its onboarding flow clicked
// through (here without a browser) against the simulator, and the new
// account answering through the multi-account getindustry.
func TestServeOnboarding(t *testing.T) {
	if _, err := rie.Find(); err != nil {
		t.Skip(err)
	}
	if testing.Short() {
		t.Skip("builds two bootstraps and runs them under the emulator")
	}
	ddbtest.Need(t)
	ctx, dir := t.Context(), t.TempDir()
	f, err := startFakes(false)
	if err != nil {
		t.Fatal(err)
	}
	defer f.close()
	s, err := startAccounts(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l.Addr().String()
	platform, stop, err := startServedPlatform(ctx, f, s, dir, base, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	boot, err := rie.BuildBootstrap(ctx, "./functions/getindustry", filepath.Join(dir, "getindustry"))
	if err != nil {
		t.Fatal(err)
	}
	multi, err := rie.Start(ctx, rie.Options{Bootstrap: boot, Env: accountsEnv(f, s), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer multi.Close()
	srv := &http.Server{Handler: route(http.NotFoundHandler(), &proxy{emu: multi}, platform), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(l)
	defer srv.Close()

	var out bytes.Buffer
	appID, err := onboardOnce(ctx, base, &out)
	if err != nil {
		t.Fatalf("onboarding: %v\n%s", err, out.String())
	}
	resp, err := http.Get(base + "/accounts/" + appID + "/industry")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"second_class":"`+appID+`"`) {
		t.Errorf("the onboarded account answers %d %s; want 200 with its own industry", resp.StatusCode, body)
	}
	if st := f.sim.AuthPageStats(); st.Refused != 0 || len(st.Pushes) != 1 || st.Pushes[0].Body != "success" {
		t.Errorf("authorization page: %+v; want no refusal and one push answered success", st)
	}
}
