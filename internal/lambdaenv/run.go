package lambdaenv

import (
	"context"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/wxindustry/getindustry/internal/jsonlog"
	"github.com/wxindustry/getindustry/internal/redact"
)

// BuildFunc makes a function's handler once per cold start from its
// environment, writing metrics (if any) to stdout and logging to log. Every
// secret the function comes to hold (an access token it reads) goes into
// secrets, which log masks wherever it appears.
type BuildFunc func(getenv func(string) string, stdout io.Writer, log *slog.Logger, secrets *redact.Secrets) (lambda.Handler, error)

// Main is a function's main: Run with the process's environment and stdout,
// handing the handler to lambda.Start; a failed cold start, which Run has
// logged, exits 1.
func Main(build BuildFunc) {
	if err := Run(context.Background(), os.Getenv, os.Stdout, func(h lambda.Handler) { lambda.Start(h) }, build); err != nil {
		os.Exit(1)
	}
}

// Run is a function's composition root after main: it builds the one
// logger (JSON lines on stdout, at AWS_LAMBDA_LOG_LEVEL, masking the
// process's secrets), calls build, and
// hands the handler to start. A failure (a missing or bad setting, named
// with its variable) is logged once, as JSON like every other line, and
// returned; main then exits non-zero.
func Run(ctx context.Context, getenv func(string) string, stdout io.Writer, start func(lambda.Handler), build BuildFunc) error {
	secrets := &redact.Secrets{}
	log := jsonlog.NewMasking(stdout, jsonlog.Level(getenv("AWS_LAMBDA_LOG_LEVEL")), secrets)
	h, err := build(getenv, stdout, log, secrets)
	if err != nil {
		log.ErrorContext(ctx, "cold start failed", "error", err.Error())
		return err
	}
	start(h)
	return nil
}

// Bounds of the answer reserve.
const (
	minReserve = 50 * time.Millisecond
	maxReserve = 500 * time.Millisecond
)

// WithAnswerReserve shortens the invoke deadline so that, whatever an
// upstream does, the function still has time to write its answer: a tenth
// of the remaining time, between 50 ms and 500 ms. Without a deadline it
// only adds a cancel.
func WithAnswerReserve(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	reserve := min(max(time.Until(deadline)/10, minReserve), maxReserve)
	return context.WithDeadline(ctx, deadline.Add(-reserve))
}
