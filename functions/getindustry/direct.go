package main

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// direct answers an invoke that is not HTTP-shaped (another Lambda, a Step
// Functions task): the industry object itself, or an error whose Lambda
// errorType is the DESIGN.md name, so that Step Functions Retry and Catch
// can match it. Any JSON object is accepted; its fields are ignored.
func (e *endpoint) direct(ctx context.Context, payload []byte) ([]byte, error) {
	if !isJSONObject(payload) {
		ae := errInvalidRequest(400, "the payload must be a JSON object, such as {}")
		invocationFrom(ctx).err = ae
		return nil, lambdaError(ae)
	}
	ans, ae := e.answer(ctx)
	if ae != nil {
		return nil, lambdaError(ae)
	}
	return ans.Body, nil
}

// lambdaError returns the error value whose errorType aws-lambda-go reports
// as is. A Go error type would be reported by its type name (apiError), and
// a wrapped one by the wrapper's (wrapError), so the name is set explicitly.
func lambdaError(ae *apiError) error {
	return messages.InvokeResponse_Error{Type: ae.Type, Message: ae.Message}
}

func isJSONObject(p []byte) bool {
	p = bytes.TrimSpace(p)
	return len(p) > 0 && p[0] == '{' && json.Valid(p)
}
