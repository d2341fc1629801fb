package main

import (
	"context"
	"fmt"
	"io"
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
		fmt.Fprintf(os.Stderr, "refreshtoken: %v\n", err)
		os.Exit(1)
	}
}

// run builds everything once per cold start and hands the handler to start.
// A bad setting fails here with one log line naming the variable.
func run(_ context.Context, getenv func(string) string, stdout io.Writer, start func(lambda.Handler)) error {
	log := jsonlog.New(stdout, jsonlog.Level(getenv("AWS_LAMBDA_LOG_LEVEL")))
	cfg, err := parseConfig(getenv)
	if err != nil {
		log.Error("cold start failed", "error", err.Error())
		return err
	}
	sm, err := awsenv.SecretsManager(getenv)
	if err != nil {
		log.Error("cold start failed", "error", err.Error())
		return err
	}
	client, err := wx.NewClient(cfg.BaseURL, nil, wx.Options{AttemptTimeout: cfg.HTTPTimeout, Logger: log})
	if err != nil {
		return fmt.Errorf("WX_API_BASE_URL: %w", err)
	}
	start(newRefresher(sm, client, cfg.AppSecretID, cfg.TokenSecretID, time.Now, log))
	return nil
}
