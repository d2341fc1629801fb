package main

import (
	"errors"
	"time"

	"github.com/wxindustry/getindustry/internal/lambdaenv"
	"github.com/wxindustry/getindustry/internal/wx"
)

// Defaults of the settings parseConfig reads; the README's table follows
// them.
const (
	defaultBaseURL     = "https://api.weixin.qq.com"
	defaultHTTPTimeout = "3s"
)

// config is the refresher's validated configuration, built once per cold
// start.
type config struct {
	AppSecretID   string        // secret holding {"appid","appsecret"}
	TokenSecretID string        // secret the refresher writes {"access_token","expires_at"} to
	BaseURL       string        // WeChat API base URL
	HTTPTimeout   time.Duration // per-attempt timeout to WeChat
}

// parseConfig reads the configuration through getenv and reports every
// problem at once, each naming its variable.
func parseConfig(getenv func(string) string) (config, error) {
	env := lambdaenv.NewEnv(getenv)
	c := config{
		AppSecretID:   env.Required("WX_APP_SECRET_ID", `the ARN or name of the secret holding {"appid","appsecret"}`),
		TokenSecretID: env.Required("WX_TOKEN_SECRET_ID", "the ARN or name of the secret the access token is written to"),
		BaseURL:       env.URL("WX_API_BASE_URL", defaultBaseURL, wx.CheckBaseURL),
		HTTPTimeout:   env.Duration("WX_HTTP_TIMEOUT", defaultHTTPTimeout, false),
	}
	if c.AppSecretID != "" && c.AppSecretID == c.TokenSecretID {
		env.Check(errors.New("WX_TOKEN_SECRET_ID: must not be the credentials secret WX_APP_SECRET_ID (writing the token would destroy the appsecret)"))
	}
	if err := env.Err(); err != nil {
		return config{}, err
	}
	return c, nil
}
