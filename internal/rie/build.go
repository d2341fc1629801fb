package rie

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Version is the pinned emulator module version; the Makefile installs the
// same one (keep them in step).
const Version = "v0.0.0-20261030222936-bef5c4ba774d"

// Find locates aws-lambda-rie: $RIE_BIN, then bin/aws-lambda-rie in the
// module root above the working directory (where `make tools` installs it),
// then $PATH.
func Find() (string, error) {
	if p := os.Getenv("RIE_BIN"); p != "" {
		return p, nil
	}
	if root, err := ModuleRoot(); err == nil {
		p := filepath.Join(root, "bin", "aws-lambda-rie")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p, nil
	}
	return "", errors.New("rie: aws-lambda-rie not found (run `make tools`, or set RIE_BIN)")
}

// ModuleRoot returns the nearest directory at or above the working directory
// that holds go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("rie: no go.mod above the working directory")
		}
		dir = parent
	}
}

// BuildBootstrap compiles the Lambda function in pkg (a package path such as
// ./functions/getindustry, relative to the module root) for this machine, as
// SAM builds it for Lambda but for the host architecture, into dir/bootstrap.
func BuildBootstrap(ctx context.Context, pkg, dir string) (string, error) {
	return Build(ctx, pkg, runtime.GOOS, runtime.GOARCH, dir)
}

// Build compiles the Lambda function in pkg as SAM builds it (no cgo,
// lambda.norpc, -trimpath, -s -w) for goos/goarch into dir/bootstrap.
//
// Builds are shared. The function is built into a directory of this module
// under os.UserCacheDir, where `go build` relinks it only when its inputs
// changed, and then hard-linked (or copied) into dir. One build runs at a
// time across processes, so the test binaries of one `go test ./...`
// compile the dependencies once and the others find them in Go's build
// cache instead of compiling them again side by side. Build waits as long
// as ctx allows and sets no time limit of its own.
func Build(ctx context.Context, pkg, goos, goarch, dir string) (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	cache, shared := sharedPath(root, pkg, goos, goarch)
	if err := os.MkdirAll(filepath.Dir(shared), 0o755); err != nil {
		return "", fmt.Errorf("rie: build %s: %w", pkg, err)
	}
	unlock, err := lock(ctx, filepath.Join(cache, "lock"))
	if err != nil {
		return "", fmt.Errorf("rie: build %s: %w", pkg, err)
	}
	defer unlock()

	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath",
		"-ldflags", "-s -w", "-o", shared, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("rie: build %s for %s/%s: %w\n%s", pkg, goos, goarch, err, msg)
	}
	if err := linkInto(dir, shared); err != nil {
		return "", fmt.Errorf("rie: build %s: %w", pkg, err)
	}
	return filepath.Join(dir, "bootstrap"), nil
}

// sharedPath returns the directory that holds the shared builds and the
// lock, and the path of pkg's build for goos/goarch in the module at root.
func sharedPath(root, pkg, goos, goarch string) (cache, bootstrap string) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	cache = filepath.Join(cache, "getindustry-bootstraps")
	sum := sha256.Sum256([]byte(root)) // worktrees of one repository get a directory each
	flat := strings.ReplaceAll(filepath.ToSlash(filepath.Clean(pkg)), "/", "_")
	return cache, filepath.Join(cache, fmt.Sprintf("%s-%x", filepath.Base(root), sum[:6]), goos+"-"+goarch, flat, "bootstrap")
}

// linkInto makes dir/bootstrap a hard link to (or, across file systems, a
// copy of) the shared build. A later build replaces the shared file rather
// than writing into it, so dir keeps this build even while another process
// rebuilds.
func linkInto(dir, shared string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	out := filepath.Join(dir, "bootstrap")
	if err := os.Remove(out); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Link(shared, out); err == nil {
		return nil
	}
	return copyFile(out, shared)
}

// lock takes an exclusive lock on the file at path, waiting while ctx
// allows; unlock releases it. The lock is released when the process exits.
func lock(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("wait for another build: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// bootstraps holds, per package path, the build Bootstrap made in this
// process; bootstrapDir is the directory they live in.
var (
	bootstraps   sync.Map // pkg -> func() (string, error)
	bootstrapDir = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "rie-bootstraps-") })
)

// Bootstrap returns the bootstrap of pkg (as for BuildBootstrap), building
// it the first time a process (a test binary) asks and sharing it after, so
// that the emulator tests of a `go test` run build each function once. The
// build has no time limit of its own: a loaded machine is slow, not broken.
// RemoveBootstraps deletes the builds; call it from TestMain after m.Run.
func Bootstrap(pkg string) (string, error) {
	build, _ := bootstraps.LoadOrStore(pkg, sync.OnceValues(func() (string, error) {
		root, err := bootstrapDir()
		if err != nil {
			return "", err
		}
		dir, err := os.MkdirTemp(root, "")
		if err != nil {
			return "", err
		}
		return BuildBootstrap(context.Background(), pkg, dir)
	}))
	return build.(func() (string, error))()
}

// RemoveBootstraps deletes what Bootstrap built in this process.
func RemoveBootstraps() {
	if dir, err := bootstrapDir(); err == nil {
		os.RemoveAll(dir)
	}
}
