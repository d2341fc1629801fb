package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/wxindustry/getindustry/internal/awsenv"
	"github.com/wxindustry/getindustry/internal/jsonlog"
	"github.com/wxindustry/getindustry/internal/wx"
)

func main() {
	start := func(h lambda.Handler) { lambda.Start(h) }
	if err := run(context.Background(), os.Getenv, os.Stdout, start); err != nil {
		os.Exit(1) // run has logged why, as the one JSON line of a failed cold start
	}
}

// run builds everything once per cold start and hands the handler to
// start. A failure (a missing or bad setting, named with its variable) is
// logged once and returned.
func run(ctx context.Context, getenv func(string) string, stdout io.Writer, start func(lambda.Handler)) error {
	log := jsonlog.New(stdout, jsonlog.Level(getenv("AWS_LAMBDA_LOG_LEVEL")))
	h, err := build(getenv, stdout, log)
	if err != nil {
		log.ErrorContext(ctx, "cold start failed", "error", err.Error())
		return err
	}
	start(h)
	return nil
}

// build makes the handler: configuration, the Secrets Manager, DynamoDB and
// WeChat clients, each once. The credentials secret is read at the first
// invoke that needs it (see credentialsTTL).
func build(getenv func(string) string, stdout io.Writer, log *slog.Logger) (lambda.Handler, error) {
	cfg, err := parseConfig(getenv)
	if err != nil {
		return nil, err
	}
	sm, err := awsenv.SecretsManager(getenv)
	if err != nil {
		return nil, err
	}
	db, err := awsenv.DynamoDB(getenv)
	if err != nil {
		return nil, err
	}
	client, err := wx.NewClient(cfg.BaseURL, nil, wx.Options{AttemptTimeout: cfg.HTTPTimeout, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("WX_API_BASE_URL: %w", err)
	}
	creds := &credentialSource{sm: sm, id: cfg.SecretID, now: time.Now}
	svc := newService(newStore(db, cfg.Table), creds, client, time.Now, cfg.Workers, log)
	return newInstrumented(svc, log, &metricsWriter{w: stdout, namespace: cfg.MetricsNS, service: cfg.FunctionName}), nil
}
