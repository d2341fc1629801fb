package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    func(config) bool
		wantErr []string // each must appear in the error
	}{
		{
			name: "defaults",
			env:  map[string]string{"WX_TOKEN_SECRET_ID": "arn:aws:secretsmanager:us-east-1:123456789012:secret:wx-AbCdEf"},
			want: func(c config) bool {
				return c.SecretField == "access_token" && c.TokenTTL == 60*time.Second &&
					c.BaseURL == "https://api.weixin.qq.com" && c.HTTPTimeout == 3*time.Second &&
					c.IndustryTTL == 5*time.Minute && c.IndustryStale == time.Hour &&
					c.MetricsNS == "GetIndustry" && c.FunctionName == "getindustry"
			},
		},
		{
			name: "overrides and loopback http",
			env: map[string]string{
				"WX_TOKEN_SECRET_ID": "wx", "WX_TOKEN_SECRET_FIELD": "token", "WX_TOKEN_CACHE_TTL": "30s",
				"WX_API_BASE_URL": "http://127.0.0.1:8081/", "WX_HTTP_TIMEOUT": "1500ms",
				"WX_INDUSTRY_CACHE_TTL": "0", "WX_INDUSTRY_STALE_TTL": "0s", "AWS_LAMBDA_FUNCTION_NAME": "fn",
			},
			want: func(c config) bool {
				return c.SecretField == "token" && c.TokenTTL == 30*time.Second &&
					c.BaseURL == "http://127.0.0.1:8081" && c.HTTPTimeout == 1500*time.Millisecond &&
					c.IndustryTTL == 0 && c.IndustryStale == 0 && c.FunctionName == "fn"
			},
		},
		{name: "secret id missing", env: map[string]string{}, wantErr: []string{"WX_TOKEN_SECRET_ID: required"}},
		{
			name:    "bad duration names variable and value",
			env:     map[string]string{"WX_TOKEN_SECRET_ID": "wx", "WX_TOKEN_CACHE_TTL": "5x"},
			wantErr: []string{`WX_TOKEN_CACHE_TTL "5x": invalid duration`},
		},
		{
			name:    "zero timeout",
			env:     map[string]string{"WX_TOKEN_SECRET_ID": "wx", "WX_HTTP_TIMEOUT": "0s"},
			wantErr: []string{`WX_HTTP_TIMEOUT "0s": must be greater than zero`},
		},
		{
			name:    "negative cache ttl",
			env:     map[string]string{"WX_TOKEN_SECRET_ID": "wx", "WX_INDUSTRY_CACHE_TTL": "-1s"},
			wantErr: []string{`WX_INDUSTRY_CACHE_TTL "-1s"`},
		},
		{
			name:    "plain http to a remote host",
			env:     map[string]string{"WX_TOKEN_SECRET_ID": "wx", "WX_API_BASE_URL": "http://api.weixin.qq.com"},
			wantErr: []string{`WX_API_BASE_URL "http://api.weixin.qq.com"`, "http is allowed only for loopback hosts"},
		},
		{
			name:    "reserved metrics namespace",
			env:     map[string]string{"WX_TOKEN_SECRET_ID": "wx", "WX_METRICS_NAMESPACE": "AWS/Lambda"},
			wantErr: []string{"WX_METRICS_NAMESPACE", `"AWS/"`},
		},
		{
			name:    "every problem at once",
			env:     map[string]string{"WX_HTTP_TIMEOUT": "soon", "WX_API_BASE_URL": "::"},
			wantErr: []string{"WX_TOKEN_SECRET_ID", "WX_HTTP_TIMEOUT", "WX_API_BASE_URL"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(func(k string) string { return tt.env[k] })
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("parseConfig() = %+v, nil; want an error", c)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("parseConfig() err = %q; want it to contain %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("parseConfig() err = %v", err)
			}
			if !tt.want(c) {
				t.Errorf("parseConfig() = %+v", c)
			}
		})
	}
}

// configVars returns the variables parseConfig reads, found by watching
// its getenv, and those it requires, found by the error it gives when none
// is set.
func configVars(tb testing.TB) (read, required map[string]bool) {
	tb.Helper()
	read, required = map[string]bool{}, map[string]bool{}
	_, err := parseConfig(func(k string) string { read[k] = true; return "" })
	for k := range read {
		if err != nil && strings.Contains(err.Error(), k+": required") {
			required[k] = true
		}
	}
	if len(read) == 0 || len(required) == 0 {
		tb.Fatalf("parseConfig read %v, requires %v; want both", read, required)
	}
	return read, required
}

// Every variable is either required or has a default the parser accepts.
func TestConfigDefaultsSuffice(t *testing.T) {
	_, required := configVars(t)
	env := map[string]string{}
	for k := range required {
		env[k] = "wx/" + k
	}
	if _, err := parseConfig(func(k string) string { return env[k] }); err != nil {
		t.Errorf("parseConfig(required variables only) = %v; want the defaults to do", err)
	}
}
