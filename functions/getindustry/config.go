package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/wxindustry/getindustry/internal/emf"
	"github.com/wxindustry/getindustry/internal/lambdaenv"
	"github.com/wxindustry/getindustry/internal/wx"
)

// Defaults of the settings parseConfig reads; the README's configuration
// table follows them.
const (
	defaultSecretField   = "access_token"
	defaultTokenTTL      = "60s"
	defaultBaseURL       = "https://api.weixin.qq.com"
	defaultHTTPTimeout   = "3s"
	defaultIndustryTTL   = "5m"
	defaultIndustryStale = "1h"
	defaultMetricsNS     = "GetIndustry"
	defaultFunctionName  = "getindustry"
	defaultMaxAccounts   = 10000
	defaultMissTTL       = "30s"
)

// config is the function's validated configuration, built once per cold start.
type config struct {
	SecretID        string        // single-account mode: the token secret
	Table           string        // multi-account mode: the accounts table; exactly one of SecretID and Table is set
	MaxAccounts     int           // multi-account mode: most accounts cached
	MissTTL         time.Duration // multi-account mode: how long an appid without an item is remembered
	SecretField     string
	TokenTTL        time.Duration // 0: read the secret on every invoke
	BaseURL         string
	HTTPTimeout     time.Duration
	IndustryTTL     time.Duration
	IndustryStale   time.Duration
	MetricsNS       string
	FunctionName    string // AWS_LAMBDA_FUNCTION_NAME, set by Lambda; used as the metrics Service dimension
	FunctionVersion string // AWS_LAMBDA_FUNCTION_VERSION, set by Lambda
}

// parseConfig reads the configuration through getenv and reports every
// problem at once, each naming its variable. WX_TOKEN_TABLE selects
// multi-account mode, WX_TOKEN_SECRET_ID single-account mode: exactly one is
// set.
func parseConfig(getenv func(string) string) (config, error) {
	env := lambdaenv.NewEnv(getenv)
	c := config{
		SecretID:        env.String("WX_TOKEN_SECRET_ID", ""),
		Table:           env.String("WX_TOKEN_TABLE", ""),
		MaxAccounts:     env.Int("WX_MAX_ACCOUNTS", defaultMaxAccounts, 1),
		MissTTL:         env.Duration("WX_ACCOUNT_MISS_TTL", defaultMissTTL, false),
		SecretField:     env.String("WX_TOKEN_SECRET_FIELD", defaultSecretField),
		TokenTTL:        env.Duration("WX_TOKEN_CACHE_TTL", defaultTokenTTL, true),
		BaseURL:         env.URL("WX_API_BASE_URL", defaultBaseURL, wx.CheckBaseURL),
		HTTPTimeout:     env.Duration("WX_HTTP_TIMEOUT", defaultHTTPTimeout, false),
		IndustryTTL:     env.Duration("WX_INDUSTRY_CACHE_TTL", defaultIndustryTTL, true),
		IndustryStale:   env.Duration("WX_INDUSTRY_STALE_TTL", defaultIndustryStale, true),
		MetricsNS:       env.String("WX_METRICS_NAMESPACE", defaultMetricsNS),
		FunctionName:    env.String("AWS_LAMBDA_FUNCTION_NAME", defaultFunctionName),
		FunctionVersion: getenv("AWS_LAMBDA_FUNCTION_VERSION"),
	}
	switch {
	case c.SecretID == "" && c.Table == "":
		env.Check(errors.New("WX_TOKEN_SECRET_ID: required (the ARN or name of the secret holding the access_token), " +
			"or WX_TOKEN_TABLE instead for many accounts"))
	case c.SecretID != "" && c.Table != "":
		env.Check(errors.New("WX_TOKEN_SECRET_ID, WX_TOKEN_TABLE: set only one (the secret for one account, the table for many)"))
	}
	if err := emf.CheckNamespace(c.MetricsNS); err != nil {
		env.Check(fmt.Errorf("WX_METRICS_NAMESPACE: %w", err))
	}
	if err := env.Err(); err != nil {
		return config{}, err
	}
	return c, nil
}

// multi reports multi-account mode: tokens in the accounts table, routes
// /accounts/{appid}/industry.
func (c config) multi() bool { return c.Table != "" }
