package rie

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func TestEmulatorRunsBootstrap(t *testing.T) {
	bin, err := Find()
	if err != nil {
		t.Skip(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	boot, err := BuildBootstrap(ctx, "./internal/rie/testdata/bare", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e, err := Start(ctx, Options{Binary: bin, Bootstrap: boot})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()

	for i := range 2 {
		status, body, err := e.Invoke(ctx, []byte(`{}`))
		if err != nil {
			t.Fatalf("Invoke #%d: %v", i, err)
		}
		if status != 200 || string(body) != `"ok"` {
			t.Fatalf("Invoke #%d = %d %s; want 200 \"ok\"", i, status, body)
		}
	}
	pid := e.BootstrapPID()
	if pid == 0 {
		t.Fatal("BootstrapPID() = 0 after an invoke; want the running bootstrap")
	}
	if !strings.Contains(e.Log.String(), "INIT REPORT") && !strings.Contains(e.Log.String(), "Init Duration") {
		t.Errorf("emulator log has no init report:\n%s", e.Log.Tail(20))
	}
	e.Close()
	if alive(pid) {
		t.Errorf("bootstrap %d still running after Close", pid)
	}
}

// alive reports whether pid is a live (not zombie) process.
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}

// TestVersionMatchesMakefile keeps the pinned emulator version in one step:
// the Makefile installs it, and Version reports it in benchmarks.
func TestVersionMatchesMakefile(t *testing.T) {
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	want := "RIE_VERSION    := " + Version
	if !strings.Contains(string(mk), want) {
		t.Errorf("Makefile does not pin %q", want)
	}
}
