package lambdaenv

import "github.com/aws/aws-lambda-go/lambda/messages"

// Failure is a direct invoke that could not do its work, as its caller sees
// it: the Lambda errorType, which Step Functions Retry and Catch match; a
// public message that never carries a secret or the cause's text; and the
// cause, logged once (masked) and never answered.
type Failure struct {
	Type    string
	Message string
	Cause   error
	WxCode  int    // WeChat's errcode, when WeChat answered with one
	RID     string // WeChat's rid, when WeChat answered with one
}

// Fail returns the Failure of that errorType, message and cause.
func Fail(typ, msg string, cause error) *Failure {
	return &Failure{Type: typ, Message: msg, Cause: cause}
}

// LambdaError returns the error value whose errorType aws-lambda-go reports
// as is (a Go error type would be reported by its type name).
func (f *Failure) LambdaError() error {
	return messages.InvokeResponse_Error{Type: f.Type, Message: f.Message}
}

// Error returns the public message, so that a *Failure can travel as an
// error (the platform's onboarding returns one through onboard).
func (f *Failure) Error() string { return f.Type + ": " + f.Message }

// Unwrap returns the cause.
func (f *Failure) Unwrap() error { return f.Cause }
