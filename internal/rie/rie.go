package rie

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// InvokePath is the emulator's invoke endpoint, as in the Lambda Invoke API.
const InvokePath = "/2015-03-31/functions/function/invocations"

// Options configures an emulator run.
type Options struct {
	Binary    string        // path to aws-lambda-rie; default: Find()
	Bootstrap string        // path to the function's bootstrap executable (required)
	Env       []string      // extra KEY=VALUE pairs for the function, on top of this process's environment
	Timeout   time.Duration // function timeout (AWS_LAMBDA_FUNCTION_TIMEOUT); default 30s, whole seconds
	Output    io.Writer     // emulator and function output is copied here too (besides Log)
}

// Emulator is a running aws-lambda-rie process. Invoke is safe for
// concurrent use, though the emulator itself serves one invoke at a time.
type Emulator struct {
	URL  string // base URL of the emulator's invoke API, e.g. http://127.0.0.1:41234
	Log  *Log   // everything the emulator and the function printed
	cmd  *exec.Cmd
	done chan struct{}
	http *http.Client
	stop sync.Once
}

// Start launches the emulator with the bootstrap on two free loopback ports
// (the runtime API defaults to 9001, so two emulators would collide) and
// waits until it accepts connections, as long as ctx allows.
func Start(ctx context.Context, opts Options) (*Emulator, error) {
	if opts.Bootstrap == "" {
		return nil, errors.New("rie: no bootstrap given")
	}
	bin := opts.Binary
	if bin == "" {
		var err error
		if bin, err = Find(); err != nil {
			return nil, err
		}
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	// The ports are picked below the kernel's ephemeral range (see
	// freePorts), so that no outgoing connection or listener on port 0 takes
	// one before the emulator binds it. Should one be taken all the same (by
	// another process picking the same way), the emulator exits at once
	// and Start tries others.
	for attempt := 1; ; attempt++ {
		ports, err := freePorts(2)
		if err != nil {
			return nil, fmt.Errorf("rie: pick ports: %w", err)
		}
		e, err := launch(ctx, bin, opts, timeout, ports[0], ports[1])
		if !errors.Is(err, errPortTaken) || attempt == maxLaunches {
			return e, err
		}
	}
}

// maxLaunches bounds Start's attempts when the ports it picked are taken.
const maxLaunches = 5

// errPortTaken is an emulator that exited because it could not listen.
var errPortTaken = errors.New("rie: a port was taken before the emulator could listen")

// launch starts the emulator with its invoke endpoint and the runtime API
// on these loopback ports, as Start says.
func launch(ctx context.Context, bin string, opts Options, timeout time.Duration, invokePort, apiPort int) (*Emulator, error) {
	invokeAddr := "127.0.0.1:" + strconv.Itoa(invokePort)
	apiAddr := "127.0.0.1:" + strconv.Itoa(apiPort)

	log := &Log{}
	var out io.Writer = log
	if opts.Output != nil {
		out = io.MultiWriter(log, opts.Output)
	}
	cmd := exec.Command(bin,
		"--runtime-interface-emulator-address", invokeAddr,
		"--runtime-api-address", apiAddr,
		opts.Bootstrap)
	cmd.Dir = filepath.Dir(opts.Bootstrap)
	cmd.Env = append(os.Environ(),
		"AWS_LAMBDA_FUNCTION_TIMEOUT="+strconv.Itoa(int(timeout.Round(time.Second)/time.Second)))
	cmd.Env = append(cmd.Env, opts.Env...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("rie: start %s: %w", bin, err)
	}
	e := &Emulator{
		URL:  "http://" + invokeAddr,
		Log:  log,
		cmd:  cmd,
		done: make(chan struct{}),
		http: &http.Client{},
	}
	go func() { _ = cmd.Wait(); close(e.done) }()
	if err := e.waitReady(ctx, invokePort, apiPort); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// waitReady waits until the emulator itself listens on both its ports, it
// exits, or ctx is done; a loaded machine may take long to start it, so
// there is no other limit. A connection to a port proves nothing: another
// process may hold it (the emulator then exits), or the emulator may accept
// invokes before it has failed to bind the runtime API.
func (e *Emulator) waitReady(ctx context.Context, ports ...int) error {
	for {
		ready := true
		for _, p := range ports {
			ready = ready && listens(e.cmd.Process.Pid, p)
		}
		if ready {
			return nil
		}
		select {
		case <-e.done:
			if out := e.Log.String(); strings.Contains(out, "failed to listen") || strings.Contains(out, "address already in use") {
				return fmt.Errorf("%w: %s", errPortTaken, e.Log.Tail(5))
			}
			return fmt.Errorf("rie: emulator exited before listening: %s", e.Log.Tail(5))
		case <-ctx.Done():
			return fmt.Errorf("rie: wait for emulator: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// listens reports whether process pid holds a listening TCP socket on
// 127.0.0.1:port, as Linux's /proc shows it: the socket's inode among the
// listening ones of /proc/net/tcp (addresses in hex, host byte order) and
// among pid's open files.
func listens(pid, port int) bool {
	table, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		return false
	}
	local := fmt.Sprintf("%08X:%04X", binary.NativeEndian.Uint32([]byte{127, 0, 0, 1}), port)
	sockets := map[string]bool{}
	for _, line := range strings.Split(string(table), "\n") {
		if f := strings.Fields(line); len(f) > 9 && f[1] == local && f[3] == "0A" { // 0A: LISTEN
			sockets["socket:["+f[9]+"]"] = true
		}
	}
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	for _, fd := range fds {
		if link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); err == nil && sockets[link] {
			return true
		}
	}
	return false
}

// Invoke sends one payload to the function and returns the emulator's HTTP
// status and body: 200 with the function's answer or with
// {"errorMessage","errorType"} for a function error, 502 after a crash.
func (e *Emulator) Invoke(ctx context.Context, payload []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL+InvokePath, bytes.NewReader(payload))
	if err != nil {
		return 0, nil, fmt.Errorf("rie: invoke: %w", err)
	}
	resp, err := e.http.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("rie: invoke: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("rie: read invoke answer: %w", err)
	}
	return resp.StatusCode, body, nil
}

// BootstrapPID returns the process id of the function's bootstrap, or 0 when
// it is not running (before the first invoke initialises it).
func (e *Emulator) BootstrapPID() int {
	kids := children(e.cmd.Process.Pid)
	if len(kids) == 0 {
		return 0
	}
	return kids[0]
}

// Close stops the emulator and the bootstrap, which runs in a process group
// of its own, and waits for the emulator to exit. It is safe to call twice.
func (e *Emulator) Close() {
	e.stop.Do(e.kill)
}

func (e *Emulator) kill() {
	groups := []int{e.cmd.Process.Pid}
	for _, pid := range children(e.cmd.Process.Pid) {
		if pgid, err := syscall.Getpgid(pid); err == nil {
			groups = append(groups, pgid)
		}
	}
	signal := func(sig syscall.Signal) {
		for _, g := range groups {
			_ = syscall.Kill(-g, sig)
		}
	}
	signal(syscall.SIGTERM)
	select {
	case <-e.done:
	case <-time.After(3 * time.Second):
		signal(syscall.SIGKILL)
		<-e.done
	}
	// The emulator may exit before its child: make sure no bootstrap is left.
	signal(syscall.SIGKILL)
}

// children lists the direct child processes of pid, read from /proc.
func children(pid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var kids []int
	for _, ent := range entries {
		child, err := strconv.Atoi(ent.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", ent.Name(), "stat"))
		if err != nil {
			continue
		}
		// Fields after the command name, which is in parentheses and may hold spaces.
		rest := string(stat[bytes.LastIndexByte(stat, ')')+1:])
		fields := strings.Fields(rest)
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			kids = append(kids, child)
		}
	}
	return kids
}

// ephemeralStart returns the first port of the kernel's ephemeral range,
// or Linux's default, 32768, if it cannot be read or leaves too little below.
func ephemeralStart() int {
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if v, err := strconv.Atoi(f[0]); err == nil && v > 2048 {
				return v
			}
		}
	}
	return 32768
}

// freePorts returns n distinct loopback ports that were free a moment ago,
// drawn at random below the kernel's ephemeral port range: the kernel hands
// ports of that range to outgoing connections and to listeners on port 0,
// which could otherwise take a picked port before the emulator binds it.
func freePorts(n int) ([]int, error) {
	high := ephemeralStart()
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for tries := 0; len(ports) < n; tries++ {
		if tries == 1000 {
			return nil, fmt.Errorf("rie: no free loopback port below %d", high)
		}
		p := 1024 + rand.IntN(high-1024)
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			continue // taken
		}
		ls = append(ls, l)
		ports = append(ports, p)
	}
	return ports, nil
}

// Log collects output safely while the emulator writes it.
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything written so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Tail returns the last n lines written so far.
func (l *Log) Tail(n int) string {
	lines := strings.Split(strings.TrimRight(l.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
