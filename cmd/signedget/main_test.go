package main

import (
	"context"
	"io"
	"testing"
)

func TestRegionFromHost(t *testing.T) {
	tests := []struct{ host, def, want string }{
		{"abc123.execute-api.us-east-1.amazonaws.com", "eu-west-1", "us-east-1"},
		{"abc123.execute-api.cn-north-1.amazonaws.com.cn", "", "cn-north-1"},
		{"api.example.com", "eu-west-1", "eu-west-1"},
	}
	for _, tt := range tests {
		if got := regionFromHost(tt.host, tt.def); got != tt.want {
			t.Errorf("regionFromHost(%q, %q) = %q; want %q", tt.host, tt.def, got, tt.want)
		}
	}
}

func TestRunRejectsBadURL(t *testing.T) {
	for _, u := range []string{"", "http://abc.execute-api.us-east-1.amazonaws.com/industry", "not a url"} {
		if err := run(context.Background(), []string{"-url", u}, io.Discard); err == nil {
			t.Errorf("run(-url %q) = nil; want an error", u)
		}
	}
}
