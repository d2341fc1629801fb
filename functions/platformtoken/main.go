package main

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/wxindustry/getindustry/internal/awsenv"
	"github.com/wxindustry/getindustry/internal/lambdaenv"
	"github.com/wxindustry/getindustry/internal/onboard"
	"github.com/wxindustry/getindustry/internal/redact"
	"github.com/wxindustry/getindustry/internal/wx"
)

func main() { lambdaenv.Main(build) }

// build makes the handler: configuration, the Secrets Manager, DynamoDB and
// WeChat clients, each once. The credentials secret is read at the first
// invoke that needs it (see credentialsTTL). Every platform secret the
// service comes to hold goes into secrets, which log masks.
func build(getenv func(string) string, stdout io.Writer, log *slog.Logger, secrets *redact.Secrets) (lambda.Handler, error) {
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
	creds := &credentialSource{sm: sm, id: cfg.SecretID, now: time.Now, secrets: secrets}
	svc := newService(newStore(db, cfg.Table), creds, client, time.Now, cfg.Workers, log, secrets)
	svc.onboarding = newOnboarding(svc, onboard.Config{PublicBaseURL: cfg.PublicBaseURL,
		AuthPageBaseURL: cfg.AuthPageBaseURL, H5BaseURL: cfg.H5BaseURL})
	return newInstrumented(svc, log, &metricsWriter{w: stdout, namespace: cfg.MetricsNS, service: cfg.FunctionName}), nil
}
