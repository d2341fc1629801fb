// Command getindustry is the AWS Lambda function that returns a WeChat
// Official Account's industry settings. main only wires the parts together;
// the logic lives in packages that tests drive without a Lambda runtime.
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
	"github.com/wxindustry/getindustry/internal/industry"
	"github.com/wxindustry/getindustry/internal/lambdaenv"
	"github.com/wxindustry/getindustry/internal/lambdahttp"
	"github.com/wxindustry/getindustry/internal/redact"
	"github.com/wxindustry/getindustry/internal/token"
	"github.com/wxindustry/getindustry/internal/wx"
)

func main() {
	start := func(h lambda.Handler) { lambda.Start(h) }
	if err := run(context.Background(), os.Getenv, os.Stdout, start); err != nil {
		os.Exit(1) // run has logged why, as the one JSON line of a failed cold start
	}
}

// run builds the function once per cold start and hands its handler to
// start (see lambdaenv.Run).
func run(ctx context.Context, getenv func(string) string, stdout io.Writer, start func(lambda.Handler)) error {
	return lambdaenv.Run(ctx, getenv, stdout, start, build)
}

// build makes the handler: configuration, the Secrets Manager and WeChat
// clients, the token source and the industry cache, each once.
func build(getenv func(string) string, stdout io.Writer, log *slog.Logger, secrets *redact.Secrets) (lambda.Handler, error) {
	cfg, err := parseConfig(getenv)
	if err != nil {
		return nil, err
	}
	sm, err := awsenv.SecretsManager(getenv)
	if err != nil {
		return nil, err
	}
	tokens, err := token.NewSource(sm, token.Options{
		SecretID: cfg.SecretID,
		Field:    cfg.SecretField,
		TTL:      cfg.TokenTTL,
		NoCache:  cfg.TokenTTL == 0, // WX_TOKEN_CACHE_TTL=0: read the secret on every invoke
		Logger:   log,
		Secrets:  secrets,
	})
	if err != nil {
		return nil, fmt.Errorf("token source: %w", err)
	}
	client, err := wx.NewClient(cfg.BaseURL, tokens, wx.Options{AttemptTimeout: cfg.HTTPTimeout, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("WX_API_BASE_URL: %w", err)
	}
	answers := industry.NewCache(client, industry.Options{
		TTL:      cfg.IndustryTTL,
		StaleTTL: cfg.IndustryStale,
		StaleOK:  wx.Transient, // WeChat busy or not answering in time; the rest is answered, to be seen and fixed
		Logger:   log,
	})
	ep := &endpoint{answers: answers, now: time.Now}
	metrics := &metricsWriter{w: stdout, namespace: cfg.MetricsNS, service: cfg.FunctionName}
	return &instrumented{next: lambdahttp.Wrap(ep, ep.direct), log: log, metrics: metrics}, nil
}
