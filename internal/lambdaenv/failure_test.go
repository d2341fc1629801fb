package lambdaenv

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

func TestFailure(t *testing.T) {
	f := Fail("TokenUnavailable", "the token table cannot be read", context.DeadlineExceeded)
	var le messages.InvokeResponse_Error
	if !errors.As(f.LambdaError(), &le) || le.Type != "TokenUnavailable" || le.Message != "the token table cannot be read" {
		t.Errorf("LambdaError() = %#v; want errorType TokenUnavailable and the public message only", f.LambdaError())
	}
	if got := f.Error(); got != "TokenUnavailable: the token table cannot be read" {
		t.Errorf("Error() = %q; want the errorType and the public message", got)
	}
	if !errors.Is(f, context.DeadlineExceeded) {
		t.Error("errors.Is(failure, its cause) = false; want true")
	}
}
