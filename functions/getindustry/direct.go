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
// answers"), so that Step Functions Retry and Catch can match it. In
// single-account mode any JSON object is accepted and its fields are
// ignored; in multi-account mode it must hold "appid", a well-formed appid
// string ({"appid":"wx0123456789abcdef"}).
func (e *endpoint) direct(ctx context.Context, payload []byte) ([]byte, error) {
	inv := invocationFrom(ctx)
	appid, ae := e.directRequest(payload)
	inv.appid = appid
	if ae != nil {
		inv.err = ae
	} else if ans, err := e.answer(ctx, appid); err != nil {
		ae = err
	} else {
		inv.status = 200
		return ans.Body, nil
	}
	// The log and metrics give a failed direct invoke its HTTP equivalent.
	inv.status = ae.Status
	return nil, lambdaError(ae)
}

// directRequest checks a direct invoke's payload and returns the appid it
// names (multi-account mode; "" otherwise). A payload that is not a JSON
// object is InvalidRequest; so is, in multi-account mode, one whose appid
// is missing, null, not a string or not well-formed.
func (e *endpoint) directRequest(p []byte) (string, *apiError) {
	if !isJSONObject(p) {
		return "", errInvalidRequest(400, "the payload must be a JSON object, such as {}")
	}
	if e.accounts == nil {
		return "", nil
	}
	var in struct {
		AppID *string `json:"appid"`
	}
	if json.Unmarshal(p, &in) != nil || in.AppID == nil {
		return "", errInvalidRequest(400, `the payload must be a JSON object with an "appid" string, such as {"appid":"wx0123456789abcdef"}`)
	}
	if !validAppID(*in.AppID) {
		return "", errBadAppID()
	}
	return *in.AppID, nil
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
