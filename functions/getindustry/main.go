// Command getindustry is the AWS Lambda function that returns a WeChat
// Official Account's industry settings. main only wires the parts together;
// the logic lives in packages that tests drive without a Lambda runtime.
package main

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/wxindustry/getindustry/internal/accounts"
	"github.com/wxindustry/getindustry/internal/awsenv"
	"github.com/wxindustry/getindustry/internal/industry"
	"github.com/wxindustry/getindustry/internal/lambdaenv"
	"github.com/wxindustry/getindustry/internal/lambdahttp"
	"github.com/wxindustry/getindustry/internal/redact"
	"github.com/wxindustry/getindustry/internal/token"
	"github.com/wxindustry/getindustry/internal/wx"
)

func main() { lambdaenv.Main(build) }

// build makes the handler: configuration, then the AWS and WeChat clients,
// the token source and the industry cache of single-account mode, or the
// per-account registry of multi-account mode, each once. Only the AWS client
// of the mode is built.
func build(getenv func(string) string, stdout io.Writer, log *slog.Logger, secrets *redact.Secrets) (lambda.Handler, error) {
	cfg, err := parseConfig(getenv)
	if err != nil {
		return nil, err
	}
	// Every account's token source and client share these settings.
	tokenOpts := token.Options{
		SecretID: cfg.SecretID,
		Field:    cfg.SecretField,
		TTL:      cfg.TokenTTL,
		NoCache:  cfg.TokenTTL == 0, // WX_TOKEN_CACHE_TTL=0: read the token on every invoke
		Logger:   log,
		Secrets:  secrets,
	}
	industryOpts := industry.Options{
		TTL:      cfg.IndustryTTL,
		StaleTTL: cfg.IndustryStale,
		StaleOK:  wx.Transient, // WeChat busy or not answering in time; the rest is answered, to be seen and fixed
		Logger:   log,
	}
	wxOpts := wx.Options{AttemptTimeout: cfg.HTTPTimeout, Logger: log}
	ep := &endpoint{now: time.Now}
	if cfg.multi() {
		ep.accounts, err = buildAccounts(getenv, cfg, tokenOpts, industryOpts, wxOpts)
	} else {
		ep.answers, err = buildSingle(getenv, cfg, tokenOpts, industryOpts, wxOpts)
	}
	if err != nil {
		return nil, err
	}
	metrics := &metricsWriter{w: stdout, namespace: cfg.MetricsNS, service: cfg.FunctionName}
	return &instrumented{next: lambdahttp.Wrap(ep, ep.direct), log: log, metrics: metrics}, nil
}

// buildSingle makes the industry cache of single-account mode: the token
// from the secret.
func buildSingle(getenv func(string) string, cfg config, tokenOpts token.Options, industryOpts industry.Options, wxOpts wx.Options) (*industry.Cache, error) {
	sm, err := awsenv.SecretsManager(getenv)
	if err != nil {
		return nil, err
	}
	tokens, err := token.NewSource(sm, tokenOpts)
	if err != nil {
		return nil, fmt.Errorf("token source: %w", err)
	}
	client, err := wx.NewClient(cfg.BaseURL, tokens, wxOpts)
	if err != nil {
		return nil, fmt.Errorf("WX_API_BASE_URL: %w", err)
	}
	return industry.NewCache(client, industryOpts), nil
}

// buildAccounts makes the registry of multi-account mode: each account's
// token from its item in the table, one WeChat client (and connection pool)
// shared by all.
func buildAccounts(getenv func(string) string, cfg config, tokenOpts token.Options, industryOpts industry.Options, wxOpts wx.Options) (*accounts.Registry, error) {
	db, err := awsenv.DynamoDB(getenv)
	if err != nil {
		return nil, err
	}
	client, err := wx.NewClient(cfg.BaseURL, nil, wxOpts)
	if err != nil {
		return nil, fmt.Errorf("WX_API_BASE_URL: %w", err)
	}
	reg, err := accounts.New(accounts.Options{
		DB: db, Table: cfg.Table, Client: client,
		Tokens: tokenOpts, Industry: industryOpts,
		MaxAccounts: cfg.MaxAccounts, MissTTL: cfg.MissTTL,
	})
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	return reg, nil
}
