package token_test

import (
	"context"
	"errors"
	"testing"

	"github.com/wxindustry/getindustry/internal/token"
)

func TestErrorString(t *testing.T) {
	cause := errors.New("operation error Secrets Manager: GetSecretValue")
	tests := []struct {
		name string
		err  *token.Error
		want string
	}{
		{"read with cause", &token.Error{SecretID: "wechat/token", Reason: "access denied", Err: cause},
			`token: read secret "wechat/token": access denied: operation error Secrets Manager: GetSecretValue`},
		{"read without cause", &token.Error{SecretID: "arn:aws:secretsmanager:us-east-1:123456789012:secret:t-AbCdEf", Reason: "secret is empty"},
			`token: read secret "arn:aws:secretsmanager:us-east-1:123456789012:secret:t-AbCdEf": secret is empty`},
		{"parse", &token.Error{Reason: "secret is not valid JSON"}, `token: parse secret: secret is not valid JSON`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q; want %q", got, tt.want)
			}
			if got := tt.err.Unwrap(); got != tt.err.Err {
				t.Errorf("Unwrap() = %v; want %v", got, tt.err.Err)
			}
		})
	}
	wrapped := &token.Error{SecretID: "s", Reason: "timed out", Transient: true, Err: context.DeadlineExceeded}
	if !errors.Is(wrapped, context.DeadlineExceeded) {
		t.Error("errors.Is(err, context.DeadlineExceeded) = false; want true")
	}
}
