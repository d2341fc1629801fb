package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wxindustry/getindustry/internal/emf"
	"github.com/wxindustry/getindustry/internal/wx"
)

// envVar describes one setting read from the environment. The README's
// configuration table and template_test.go both follow this list.
type envVar struct {
	Name     string
	Default  string
	Required bool
}

// envVars lists every environment variable parseConfig reads. It is never
// modified; it is a package variable only so that tests can walk it.
var envVars = []envVar{
	{Name: "WX_TOKEN_SECRET_ID", Required: true},
	{Name: "WX_TOKEN_SECRET_FIELD", Default: "access_token"},
	{Name: "WX_TOKEN_CACHE_TTL", Default: "60s"},
	{Name: "WX_API_BASE_URL", Default: "https://api.weixin.qq.com"},
	{Name: "WX_HTTP_TIMEOUT", Default: "3s"},
	{Name: "WX_INDUSTRY_CACHE_TTL", Default: "5m"},
	{Name: "WX_INDUSTRY_STALE_TTL", Default: "1h"},
	{Name: "WX_METRICS_NAMESPACE", Default: "GetIndustry"},
}

// config is the function's validated configuration, built once per cold start.
type config struct {
	SecretID        string
	SecretField     string
	TokenTTL        time.Duration
	BaseURL         string
	HTTPTimeout     time.Duration
	IndustryTTL     time.Duration
	IndustryStale   time.Duration
	MetricsNS       string
	FunctionName    string // AWS_LAMBDA_FUNCTION_NAME, set by Lambda; used as the metrics Service dimension
	FunctionVersion string // AWS_LAMBDA_FUNCTION_VERSION, set by Lambda
}

// parseConfig reads the configuration through getenv and reports every
// problem at once, each naming its variable.
func parseConfig(getenv func(string) string) (config, error) {
	get := func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		for _, e := range envVars {
			if e.Name == name {
				return e.Default
			}
		}
		return ""
	}
	var errs []error
	duration := func(name string, allowZero bool) time.Duration {
		raw := get(name)
		d, err := time.ParseDuration(raw)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s %q: invalid duration (want e.g. 60s, 5m)", name, raw))
		case d < 0 || (d == 0 && !allowZero):
			errs = append(errs, fmt.Errorf("%s %q: must be greater than zero", name, raw))
		}
		return d
	}

	c := config{
		SecretID:        get("WX_TOKEN_SECRET_ID"),
		SecretField:     get("WX_TOKEN_SECRET_FIELD"),
		TokenTTL:        duration("WX_TOKEN_CACHE_TTL", true),
		BaseURL:         strings.TrimRight(get("WX_API_BASE_URL"), "/"),
		HTTPTimeout:     duration("WX_HTTP_TIMEOUT", false),
		IndustryTTL:     duration("WX_INDUSTRY_CACHE_TTL", true),
		IndustryStale:   duration("WX_INDUSTRY_STALE_TTL", true),
		MetricsNS:       get("WX_METRICS_NAMESPACE"),
		FunctionName:    getenv("AWS_LAMBDA_FUNCTION_NAME"),
		FunctionVersion: getenv("AWS_LAMBDA_FUNCTION_VERSION"),
	}
	if c.SecretID == "" {
		errs = append(errs, errors.New("WX_TOKEN_SECRET_ID: required (the ARN or name of the secret holding the access_token)"))
	}
	if err := wx.CheckBaseURL(c.BaseURL); err != nil {
		errs = append(errs, fmt.Errorf("WX_API_BASE_URL %q: %w", c.BaseURL, err))
	}
	if err := emf.CheckNamespace(c.MetricsNS); err != nil {
		errs = append(errs, fmt.Errorf("WX_METRICS_NAMESPACE: %w", err))
	}
	if c.FunctionName == "" {
		c.FunctionName = "getindustry"
	}
	if err := errors.Join(errs...); err != nil {
		return config{}, fmt.Errorf("invalid configuration: %w", err)
	}
	return c, nil
}
