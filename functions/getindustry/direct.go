package main

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// direct answers an invoke that is not HTTP-shaped (another Lambda, a Step
// Functions task): the industry object itself, or an error whose Lambda
// errorType is the name in the README's error table ("Event sources and
// answers"), so that Step Functions Retry and Catch can match it. Any JSON
// object is accepted; its fields are ignored.
func (e *endpoint) direct(ctx context.Context, payload []byte) ([]byte, error) {
	inv := invocationFrom(ctx)
	var ae *apiError
	if !isJSONObject(payload) {
		ae = errInvalidRequest(400, "the payload must be a JSON object, such as {}")
		inv.err = ae
	} else if ans, err := e.answer(ctx); err != nil {
		ae = err
	} else {
		inv.status = 200
		return ans.Body, nil
	}
	// The log and metrics give a failed direct invoke its HTTP equivalent.
	inv.status = ae.Status
	return nil, lambdaError(ae)
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
