package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	base := map[string]string{"WX_APP_SECRET_ID": "wx/app", "WX_TOKEN_SECRET_ID": "wx/token"}
	tests := []struct {
		name    string
		env     map[string]string
		want    config
		wantErr []string // variables the error must name
	}{
		{name: "defaults", want: config{AppSecretID: "wx/app", TokenSecretID: "wx/token", BaseURL: "https://api.weixin.qq.com", HTTPTimeout: 3 * time.Second}},
		{name: "all set", env: map[string]string{"WX_API_BASE_URL": "http://127.0.0.1:8080/", "WX_HTTP_TIMEOUT": "750ms"},
			want: config{AppSecretID: "wx/app", TokenSecretID: "wx/token", BaseURL: "http://127.0.0.1:8080", HTTPTimeout: 750 * time.Millisecond}},
		{name: "nothing set", env: map[string]string{"WX_APP_SECRET_ID": " ", "WX_TOKEN_SECRET_ID": ""}, wantErr: []string{"WX_APP_SECRET_ID", "WX_TOKEN_SECRET_ID"}},
		{name: "same secret twice", env: map[string]string{"WX_TOKEN_SECRET_ID": "wx/app"}, wantErr: []string{"WX_TOKEN_SECRET_ID"}},
		{name: "http to a remote host", env: map[string]string{"WX_API_BASE_URL": "http://api.weixin.qq.com"}, wantErr: []string{"WX_API_BASE_URL"}},
		{name: "timeout without unit", env: map[string]string{"WX_HTTP_TIMEOUT": "3"}, wantErr: []string{"WX_HTTP_TIMEOUT"}},
		{name: "zero timeout", env: map[string]string{"WX_HTTP_TIMEOUT": "0s"}, wantErr: []string{"WX_HTTP_TIMEOUT"}},
		{name: "everything wrong", env: map[string]string{"WX_APP_SECRET_ID": "", "WX_API_BASE_URL": "ftp://x", "WX_HTTP_TIMEOUT": "-1s"},
			wantErr: []string{"WX_APP_SECRET_ID", "WX_API_BASE_URL", "WX_HTTP_TIMEOUT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tt.env {
				env[k] = v
			}
			got, err := parseConfig(func(k string) string { return env[k] })
			if tt.wantErr == nil {
				if err != nil || got != tt.want {
					t.Errorf("parseConfig() = %+v, %v; want %+v", got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("parseConfig() = %+v; want an error naming %v", got, tt.wantErr)
			}
			for _, name := range tt.wantErr {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("parseConfig() err = %q; want it to name %s", err, name)
				}
			}
		})
	}
}

// Every variable is either required or has a default the parser accepts:
// with nothing set, the error names only the required ones.
func TestConfigDefaultsSuffice(t *testing.T) {
	read := map[string]bool{}
	_, err := parseConfig(func(k string) string { read[k] = true; return "" })
	required := []string{"WX_APP_SECRET_ID", "WX_TOKEN_SECRET_ID"}
	if err == nil || strings.Count(err.Error(), ": required") != len(required) {
		t.Fatalf("parseConfig(nothing set) = %v; want exactly %v required", err, required)
	}
	for k := range read {
		if !strings.Contains(err.Error(), k) && !strings.HasPrefix(k, "WX_") {
			t.Errorf("parseConfig reads %s, which is not the function's", k)
		}
	}
}
