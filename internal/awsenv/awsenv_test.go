package awsenv

import (
	"context"
	"strings"
	"testing"
)

func TestSecretsManager(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		wantErr  string
		endpoint string
		keyID    string
	}{
		{name: "no region", env: map[string]string{"AWS_ACCESS_KEY_ID": "AKID"}, wantErr: "AWS_REGION"},
		{name: "key without secret", env: map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKID"}, wantErr: "AWS_SECRET_ACCESS_KEY"},
		{name: "no credentials", env: map[string]string{"AWS_REGION": "us-east-1"}, wantErr: "AWS_ACCESS_KEY_ID"},
		{name: "role variables", env: map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s"}, keyID: "AKID"},
		{name: "default region and service endpoint", env: map[string]string{"AWS_DEFAULT_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s",
			"AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://127.0.0.1:2"}, endpoint: "http://127.0.0.1:2", keyID: "AKID"},
		{name: "container credentials", env: map[string]string{"AWS_REGION": "us-east-1",
			"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "t"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := SecretsManager(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("SecretsManager() err = %v; want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("SecretsManager() err = %v", err)
			}
			o := c.Options()
			if o.Region == "" || o.Credentials == nil {
				t.Errorf("options = region %q credentials %v; want both set", o.Region, o.Credentials)
			}
			if got := ""; o.BaseEndpoint != nil {
				if got = *o.BaseEndpoint; got != tt.endpoint {
					t.Errorf("BaseEndpoint = %q; want %q", got, tt.endpoint)
				}
			} else if tt.endpoint != "" {
				t.Errorf("BaseEndpoint unset; want %q", tt.endpoint)
			}
			if tt.keyID != "" {
				creds, err := o.Credentials.Retrieve(context.Background())
				if err != nil || creds.AccessKeyID != tt.keyID {
					t.Errorf("credentials = %q, %v; want %q", creds.AccessKeyID, err, tt.keyID)
				}
			}
		})
	}
}
