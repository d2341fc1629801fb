package redact

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"no token", "connection refused", "connection refused"},
		{"url query", "https://h/p?access_token=abc-DEF_1", "https://h/p?access_token=REDACTED"},
		{"url query with more params", "https://h/p?a=1&access_token=abc&b=2", "https://h/p?a=1&access_token=REDACTED&b=2"},
		{"quoted url in error", `Get "http://127.0.0.1:1/x?access_token=S%2BT": EOF`, `Get "http://127.0.0.1:1/x?access_token=REDACTED": EOF`},
		{"two tokens", "access_token=a access_token=b", "access_token=REDACTED access_token=REDACTED"},
		{"authorizer token", "x?authorizer_access_token=abc", "x?authorizer_access_token=REDACTED"},
		{"empty value kept", "x?access_token=&y=1", "x?access_token=&y=1"},
		{"fragment ends value", "x?access_token=abc#frag", "x?access_token=REDACTED#frag"},
		{"json field", `{"access_token":"abc","expires_in":7200}`, `{"access_token":"REDACTED","expires_in":7200}`},
		{"json field spaced", `{"access_token" : "a\"b"}`, `{"access_token" : "REDACTED"}`},
		{"word alone untouched", "access_token missing", "access_token missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRedactSecrets(t *testing.T) {
	const secret = "S3CRET+/=x"
	tests := []struct {
		name string
		in   string
	}{
		{"raw", "token is S3CRET+/=x here"},
		{"query escaped", "token is " + url.QueryEscape(secret)},
		{"path escaped", "token is " + url.PathEscape(secret)},
		{"upper-cased", "token is " + strings.ToUpper(secret)},
		{"lower-cased, query escaped", "token is " + strings.ToLower(url.QueryEscape(secret))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in, "", secret); strings.Contains(got, "S3CRET") {
				t.Errorf("String(%q) = %q; want the secret gone", tt.in, got)
			}
		})
	}
}

func TestRedactError(t *testing.T) {
	const secret = "S3CRET"
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	tests := []struct {
		name   string
		err    error
		wantIs error
	}{
		{"url error", &url.Error{Op: "Get", URL: "http://h/p?access_token=" + secret, Err: refused}, syscall.ECONNREFUSED},
		{"url error, secret in cause", &url.Error{Op: "Get", URL: "http://h/p", Err: fmt.Errorf("bad %s: %w", secret, context.Canceled)}, context.Canceled},
		{"plain error with secret", fmt.Errorf("oops %s: %w", secret, refused), syscall.ECONNREFUSED},
		{"clean error unchanged", refused, syscall.ECONNREFUSED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Error(tt.err, secret)
			for _, format := range []string{"%v", "%+v", "%#v"} {
				if s := fmt.Sprintf(format, got); strings.Contains(s, secret) {
					t.Errorf("Error() formatted with %s = %s; want no secret", format, s)
				}
			}
			if !errors.Is(got, tt.wantIs) {
				t.Errorf("Error() = %v; want errors.Is %v to still hold", got, tt.wantIs)
			}
		})
	}
	if Error(nil) != nil {
		t.Error("Error(nil) != nil")
	}
}

func ExampleString() {
	fmt.Println(String(`Get "https://api.weixin.qq.com/cgi-bin/template/get_industry?access_token=abc123": EOF`))
	fmt.Println(String("errmsg: invalid credential, access_token is ABC123XYZ", "abc123xyz"))
	// Output:
	// Get "https://api.weixin.qq.com/cgi-bin/template/get_industry?access_token=REDACTED": EOF
	// errmsg: invalid credential, access_token is REDACTED
}

func TestRedactSecretsSet(t *testing.T) {
	var s Secrets
	for i := range maxSecrets + 1 { // the first is forgotten
		s.Add(fmt.Sprintf("TOKEN+%02d/x", i))
	}
	s.Add("") // ignored
	tests := []struct {
		name, in, want string
	}{
		{"nothing to mask", "cache hit", "cache hit"},
		{"newest, raw", "echo TOKEN+16/x!", "echo REDACTED!"},
		{"oldest kept, query-escaped, lower-cased", "u?t=token%2B01%2Fx", "u?t=REDACTED"},
		{"path-escaped", "/p/TOKEN+05%2Fx", "/p/REDACTED"},
		{"forgotten past the limit", "echo TOKEN+00/x", "echo TOKEN+00/x"},
		{"pattern without a known secret", "x?access_token=other", "x?access_token=REDACTED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.String(tt.in); got != tt.want {
				t.Errorf("Secrets.String(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
	// A secret added again is the newest again: it outlives maxSecrets-1
	// newer ones that would have pushed it out.
	s.Add("TOKEN+01/x")
	for i := range maxSecrets - 1 {
		s.Add(fmt.Sprintf("LATER+%02d", i))
	}
	if got := s.String("errmsg: access_token is TOKEN+01/x"); got != "errmsg: access_token is REDACTED" {
		t.Errorf("a re-added secret, after %d newer ones: String = %q; want it masked", maxSecrets-1, got)
	}
	if got := s.String("TOKEN+16/x"); got != "TOKEN+16/x" {
		t.Errorf("the secret %d newer ones pushed out: String = %q; want it forgotten", maxSecrets-1, got)
	}
	var none *Secrets
	if got := none.String("x?access_token=a"); got != "x?access_token=REDACTED" {
		t.Errorf("nil Secrets.String = %q; want the pattern masked", got)
	}
}

// BenchmarkSecretsString is what the logger pays per string attribute with
// a full set of tokens remembered (multi-account mode) and none in the text.
func BenchmarkSecretsString(b *testing.B) {
	var s Secrets
	for i := range maxSecrets {
		s.Add(fmt.Sprintf("%02d-%s", i, strings.Repeat("tOkEn_", 26)))
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = s.String("/accounts/wx0123456789abcdef/industry")
	}
}
