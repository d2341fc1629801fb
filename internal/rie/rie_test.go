package rie

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestEmulatorRunsBootstrap(t *testing.T) {
	bin, err := Find()
	if err != nil {
		t.Skip(err)
	}
	ctx := t.Context() // no limit but go test's -timeout: a loaded machine is slow, not broken
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

// TestLaunchReportsATakenPort: an emulator whose port another listener took
// between Start's pick and its bind exits at once; launch reports that as
// errPortTaken, which Start answers by picking other ports. Either port: a
// taken invoke port still accepts connections (the other listener's), and
// the emulator may accept invokes before it fails to bind the runtime API.
func TestLaunchReportsATakenPort(t *testing.T) {
	bin, err := Find()
	if err != nil {
		t.Skip(err)
	}
	boot, err := BuildBootstrap(t.Context(), "./internal/rie/testdata/bare", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, takenPort := range []string{"invoke", "runtime API"} {
		t.Run(takenPort, func(t *testing.T) {
			taken, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer taken.Close()
			free, err := freePorts(1)
			if err != nil {
				t.Fatal(err)
			}
			ports := []int{free[0], taken.Addr().(*net.TCPAddr).Port}
			if takenPort == "invoke" {
				ports[0], ports[1] = ports[1], ports[0]
			}
			e, err := launch(t.Context(), bin, Options{Bootstrap: boot}, 10*time.Second, ports[0], ports[1])
			if !errors.Is(err, errPortTaken) {
				if e != nil {
					e.Close()
				}
				t.Fatalf("launch with the %s port taken = %v; want errPortTaken", takenPort, err)
			}
		})
	}
}

// TestFreePortsBelowTheEphemeralRange: the ports are distinct, below the
// range the kernel hands to outgoing connections and to listeners on port
// 0, and free once freePorts has returned.
func TestFreePortsBelowTheEphemeralRange(t *testing.T) {
	ports, err := freePorts(4)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if p < 1024 || p >= ephemeralStart() || seen[p] {
			t.Errorf("freePorts(4) = %v; want 4 distinct ports in [1024, %d)", ports, ephemeralStart())
		}
		seen[p] = true
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			t.Errorf("port %d is not free after freePorts: %v", p, err)
			continue
		}
		l.Close()
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

// TestBuildSharesOneBuild builds the bare function twice for linux/arm64:
// both directories get the same executable, for the architecture asked.
func TestBuildSharesOneBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a bootstrap; skipped in -short mode")
	}
	var paths []string
	for range 2 {
		p, err := Build(t.Context(), "./internal/rie/testdata/bare", "linux", "arm64", filepath.Join(t.TempDir(), "sub"))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	a, errA := os.ReadFile(paths[0])
	b, errB := os.ReadFile(paths[1])
	if errA != nil || errB != nil || !bytes.Equal(a, b) {
		t.Errorf("two builds differ (%v, %v); want one shared build", errA, errB)
	}
	f, err := elf.Open(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 {
		t.Errorf("bootstrap is for %v; want EM_AARCH64", f.Machine)
	}
}

// TestLockWaitsForTheHolder checks that a second lock waits while the first
// is held, gives up when its context ends, and succeeds once it is released.
func TestLockWaitsForTheHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	unlock, err := lock(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := lock(ctx, path); !errors.Is(err, context.Canceled) {
		t.Errorf("lock() while held = %v; want context.Canceled", err)
	}
	unlock()
	unlock2, err := lock(t.Context(), path)
	if err != nil {
		t.Fatalf("lock() after unlock = %v; want the lock", err)
	}
	unlock2()
}
