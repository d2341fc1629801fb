package rie

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
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
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath",
		"-ldflags", "-s -w", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("rie: build %s: %w\n%s", pkg, err, msg)
	}
	return out, nil
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
