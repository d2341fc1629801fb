package ddbtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// ToolPath is where dynalite is pinned, relative to the module root.
const ToolPath = "tools/dynalite"

// ErrNotInstalled is matched, with errors.Is, by the errors of ToolDir and
// Launch that `make tools` fixes: no node on PATH, or no node_modules.
var ErrNotInstalled = errors.New("ddbtest: dynalite is not installed (run `make tools`)")

// readyPrefix starts the line that serve.js prints once it accepts
// connections, followed by the server's URL.
const readyPrefix = "dynalite listening at "

// ToolDir returns the tools/dynalite directory of the module holding the
// working directory, found by walking up from it, so that it works from a
// package directory (go test) as from the module root (go run). The error
// matches ErrNotInstalled when dynalite's node_modules is missing.
func ToolDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("ddbtest: %w", err)
	}
	for {
		tool := filepath.Join(dir, ToolPath)
		if _, err := os.Stat(filepath.Join(tool, "serve.js")); err == nil {
			if _, err := os.Stat(filepath.Join(tool, "node_modules", "dynalite", "package.json")); err != nil {
				return "", fmt.Errorf("%w: no %s", ErrNotInstalled, filepath.Join(ToolPath, "node_modules", "dynalite"))
			}
			return tool, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("ddbtest: no %s above the working directory", ToolPath)
		}
		dir = parent
	}
}

// Launch starts dynalite from dir (see ToolDir), in memory, on a free port
// of 127.0.0.1, and returns its URL once it accepts connections. ctx bounds
// the start only; the server runs until stop is called. stop kills the
// server's process group and waits for it; it is safe to call more than
// once. The server also exits by itself when this process dies, because
// its standard input (a pipe from this process) closes.
func Launch(ctx context.Context, dir string) (url string, stop func(), err error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return "", nil, fmt.Errorf("%w: node not found on PATH (Node.js 20 or later)", ErrNotInstalled)
	}
	cmd := exec.Command(node, "serve.js", "--exit-with-stdin")
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr := &tail{}
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, fmt.Errorf("ddbtest: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, fmt.Errorf("ddbtest: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("ddbtest: start dynalite: %w", err)
	}
	ready, drained := make(chan string, 1), make(chan struct{})
	var once sync.Once
	stop = func() {
		once.Do(func() {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			stdin.Close()
			<-drained // Wait closes stdout: read it to the end first
			_ = cmd.Wait()
		})
	}
	go func() {
		defer close(drained)
		defer close(ready)
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		if u, ok := strings.CutPrefix(strings.TrimSpace(line), readyPrefix); ok {
			ready <- u
		}
		_, _ = io.Copy(io.Discard, r) // keep the pipe drained until the server exits
	}()
	select {
	case u, ok := <-ready:
		if !ok {
			stop()
			return "", nil, fmt.Errorf("ddbtest: dynalite exited before it listened: %s", stderr)
		}
		return u, stop, nil
	case <-ctx.Done():
		stop()
		return "", nil, fmt.Errorf("ddbtest: wait for dynalite: %w", ctx.Err())
	}
}

// tail keeps the last few KB written to it: dynalite's stderr, for errors.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 4096 {
		t.buf = t.buf[len(t.buf)-4096:]
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(bytes.TrimSpace(t.buf))
}
