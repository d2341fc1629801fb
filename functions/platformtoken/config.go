package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/wxindustry/getindustry/internal/emf"
	"github.com/wxindustry/getindustry/internal/lambdaenv"
	"github.com/wxindustry/getindustry/internal/onboard"
	"github.com/wxindustry/getindustry/internal/wx"
)

// Defaults of the settings parseConfig reads.
const (
	defaultBaseURL      = "https://api.weixin.qq.com"
	defaultHTTPTimeout  = 3 * time.Second
	defaultWorkers      = 32
	maxWorkers          = 256
	defaultNamespace    = "PlatformToken"
	defaultFunctionName = "platformtoken"
)

// config is the service's validated configuration, built once per cold
// start.
type config struct {
	SecretID     string        // WX_COMPONENT_SECRET_ID: the platform's credentials secret (read only)
	Table        string        // WX_TOKEN_TABLE: the accounts table shared with getindustry
	BaseURL      string        // WX_API_BASE_URL
	HTTPTimeout  time.Duration // WX_HTTP_TIMEOUT: per-attempt timeout to WeChat
	Workers      int           // WX_REFRESH_CONCURRENCY: accounts refreshed at once by a run
	MetricsNS    string        // WX_METRICS_NAMESPACE
	FunctionName string        // AWS_LAMBDA_FUNCTION_NAME (set by Lambda): the metrics Service dimension

	// The onboarding pages (onboard.Config).
	PublicBaseURL   string // WX_PUBLIC_BASE_URL; "": "https://" + the event's requestContext.domainName
	AuthPageBaseURL string // WX_AUTH_PAGE_BASE_URL: WeChat's PC authorization page
	H5BaseURL       string // WX_AUTH_H5_BASE_URL: WeChat's H5 authorization page
}

// parseConfig reads the configuration through getenv and reports every
// problem at once, each naming its variable and never a secret (the
// variables hold names, not secrets; a base URL's password is masked).
func parseConfig(getenv func(string) string) (config, error) {
	env := lambdaenv.NewEnv(getenv)
	c := config{
		SecretID:     env.Required("WX_COMPONENT_SECRET_ID", `the ARN or name of the secret holding {"component_appid","component_appsecret","token","encoding_aes_key"}`),
		Table:        env.Required("WX_TOKEN_TABLE", "the DynamoDB table of account tokens, shared with getindustry"),
		BaseURL:      env.URL("WX_API_BASE_URL", defaultBaseURL, wx.CheckBaseURL),
		HTTPTimeout:  env.Duration("WX_HTTP_TIMEOUT", defaultHTTPTimeout.String(), false),
		MetricsNS:    env.String("WX_METRICS_NAMESPACE", defaultNamespace),
		FunctionName: env.String("AWS_LAMBDA_FUNCTION_NAME", defaultFunctionName),

		PublicBaseURL:   env.URL("WX_PUBLIC_BASE_URL", "", optional(wx.CheckBaseURL)),
		AuthPageBaseURL: env.URL("WX_AUTH_PAGE_BASE_URL", onboard.DefaultAuthPageBaseURL, wx.CheckBaseURL),
		H5BaseURL:       env.URL("WX_AUTH_H5_BASE_URL", onboard.DefaultH5BaseURL, wx.CheckBaseURL),
	}
	raw := env.String("WX_REFRESH_CONCURRENCY", strconv.Itoa(defaultWorkers))
	if w, err := strconv.Atoi(raw); err != nil || w < 1 || w > maxWorkers {
		env.Check(fmt.Errorf("WX_REFRESH_CONCURRENCY %q: want a whole number from 1 to %d", raw, maxWorkers))
	} else {
		c.Workers = w
	}
	if err := emf.CheckNamespace(c.MetricsNS); err != nil {
		env.Check(fmt.Errorf("WX_METRICS_NAMESPACE: %w", err))
	}
	if err := env.Err(); err != nil {
		return config{}, err
	}
	return c, nil
}

// optional accepts an unset URL and checks any other with check.
func optional(check func(string) error) func(string) error {
	return func(v string) error {
		if v == "" {
			return nil
		}
		return check(v)
	}
}
