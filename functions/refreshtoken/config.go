package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wxindustry/getindustry/internal/wx"
)

// envVar describes one setting read from the environment; the README's
// table follows this list.
type envVar struct {
	Name     string
	Default  string
	Required bool
}

// envVars lists every variable parseConfig reads. It is never modified; it
// is a package variable only so that tests can walk it.
var envVars = []envVar{
	{Name: "WX_APP_SECRET_ID", Required: true},
	{Name: "WX_TOKEN_SECRET_ID", Required: true},
	{Name: "WX_API_BASE_URL", Default: "https://api.weixin.qq.com"},
	{Name: "WX_HTTP_TIMEOUT", Default: "3s"},
}

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
	c := config{
		AppSecretID:   get("WX_APP_SECRET_ID"),
		TokenSecretID: get("WX_TOKEN_SECRET_ID"),
		BaseURL:       strings.TrimRight(get("WX_API_BASE_URL"), "/"),
	}
	if c.AppSecretID == "" {
		errs = append(errs, errors.New(`WX_APP_SECRET_ID: required (the ARN or name of the secret holding {"appid","appsecret"})`))
	}
	if c.TokenSecretID == "" {
		errs = append(errs, errors.New("WX_TOKEN_SECRET_ID: required (the ARN or name of the secret the access token is written to)"))
	}
	if c.AppSecretID != "" && c.AppSecretID == c.TokenSecretID {
		errs = append(errs, errors.New("WX_TOKEN_SECRET_ID: must not be the credentials secret WX_APP_SECRET_ID (writing the token would destroy the appsecret)"))
	}
	if err := wx.CheckBaseURL(c.BaseURL); err != nil {
		errs = append(errs, fmt.Errorf("WX_API_BASE_URL %q: %w", c.BaseURL, err))
	}
	raw := get("WX_HTTP_TIMEOUT")
	d, err := time.ParseDuration(raw)
	switch {
	case err != nil:
		errs = append(errs, fmt.Errorf("WX_HTTP_TIMEOUT %q: invalid duration (want e.g. 3s)", raw))
	case d <= 0:
		errs = append(errs, fmt.Errorf("WX_HTTP_TIMEOUT %q: must be greater than zero", raw))
	}
	c.HTTPTimeout = d
	if err := errors.Join(errs...); err != nil {
		return config{}, fmt.Errorf("invalid configuration: %w", err)
	}
	return c, nil
}
