package main

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/wxindustry/getindustry/internal/awsenv"
	"github.com/wxindustry/getindustry/internal/lambdaenv"
	"github.com/wxindustry/getindustry/internal/redact"
	"github.com/wxindustry/getindustry/internal/wx"
)

func main() { lambdaenv.Main(build) }

// build makes the refresher: configuration, and the Secrets Manager and
// WeChat clients, each once.
func build(getenv func(string) string, _ io.Writer, log *slog.Logger, _ *redact.Secrets) (lambda.Handler, error) {
	cfg, err := parseConfig(getenv)
	if err != nil {
		return nil, err
	}
	sm, err := awsenv.SecretsManager(getenv)
	if err != nil {
		return nil, err
	}
	client, err := wx.NewClient(cfg.BaseURL, nil, wx.Options{AttemptTimeout: cfg.HTTPTimeout, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("WX_API_BASE_URL: %w", err)
	}
	return newRefresher(sm, client, cfg.AppSecretID, cfg.TokenSecretID, time.Now, log), nil
}
