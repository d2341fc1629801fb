package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wxindustry/getindustry/internal/emf"
	"github.com/wxindustry/getindustry/internal/wx"
)

// Defaults of the settings parseConfig reads.
const (
	defaultBaseURL     = "https://api.weixin.qq.com"
	defaultHTTPTimeout = 3 * time.Second
	defaultWorkers     = 32
	maxWorkers         = 256
	defaultNamespace   = "PlatformToken"
)

// config is the service's validated configuration, built once per cold
// start.
// TODO(lead): internal/lambdaenv's parser should replace the plumbing here.
type config struct {
	SecretID     string        // WX_COMPONENT_SECRET_ID: the platform's credentials secret (read only)
	Table        string        // WX_TOKEN_TABLE: the accounts table shared with getindustry
	BaseURL      string        // WX_API_BASE_URL
	HTTPTimeout  time.Duration // WX_HTTP_TIMEOUT: per-attempt timeout to WeChat
	Workers      int           // WX_REFRESH_CONCURRENCY: accounts refreshed at once by a run
	MetricsNS    string        // WX_METRICS_NAMESPACE
	FunctionName string        // AWS_LAMBDA_FUNCTION_NAME (set by Lambda): the metrics Service dimension
}

// parseConfig reads the configuration through getenv and reports every
// problem at once, each naming its variable and never a secret (the
// variables hold names, not secrets).
func parseConfig(getenv func(string) string) (config, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	var errs []error
	c := config{
		SecretID:     get("WX_COMPONENT_SECRET_ID", ""),
		Table:        get("WX_TOKEN_TABLE", ""),
		BaseURL:      strings.TrimRight(get("WX_API_BASE_URL", defaultBaseURL), "/"),
		MetricsNS:    get("WX_METRICS_NAMESPACE", defaultNamespace),
		FunctionName: get("AWS_LAMBDA_FUNCTION_NAME", "platformtoken"),
	}
	if c.SecretID == "" {
		errs = append(errs, errors.New(`WX_COMPONENT_SECRET_ID: required (the ARN or name of the secret holding {"component_appid","component_appsecret","token","encoding_aes_key"})`))
	}
	if c.Table == "" {
		errs = append(errs, errors.New("WX_TOKEN_TABLE: required (the DynamoDB table of account tokens, shared with getindustry)"))
	}
	if err := wx.CheckBaseURL(c.BaseURL); err != nil {
		errs = append(errs, fmt.Errorf("WX_API_BASE_URL %q: %w", c.BaseURL, err))
	}
	raw := get("WX_HTTP_TIMEOUT", defaultHTTPTimeout.String())
	if d, err := time.ParseDuration(raw); err != nil || d <= 0 {
		errs = append(errs, fmt.Errorf("WX_HTTP_TIMEOUT %q: want a positive duration, e.g. 3s", raw))
	} else {
		c.HTTPTimeout = d
	}
	raw = get("WX_REFRESH_CONCURRENCY", strconv.Itoa(defaultWorkers))
	if w, err := strconv.Atoi(raw); err != nil || w < 1 || w > maxWorkers {
		errs = append(errs, fmt.Errorf("WX_REFRESH_CONCURRENCY %q: want a whole number from 1 to %d", raw, maxWorkers))
	} else {
		c.Workers = w
	}
	if err := emf.CheckNamespace(c.MetricsNS); err != nil {
		errs = append(errs, fmt.Errorf("WX_METRICS_NAMESPACE: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return config{}, fmt.Errorf("invalid configuration: %w", err)
	}
	return c, nil
}
