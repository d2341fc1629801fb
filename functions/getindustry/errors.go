package main

import (
	"errors"
	"net/http"
	"time"

	"github.com/wxindustry/getindustry/internal/token"
	"github.com/wxindustry/getindustry/internal/wx"
)

// apiError is a failure as the caller sees it: the HTTP status, the error
// code and Lambda errorType of the README's error table, and a public
// message that never carries the cause's text (the cause is logged once, at
// the edge). WeChat's failures take their class from wx.Classify, the one
// home of that table.
type apiError = wx.ErrorClass

func errInternal() *apiError {
	ae := wx.Internal()
	return &ae
}

func errInvalidRequest(status int, msg string) *apiError {
	return &apiError{Status: status, Code: "invalid_request", Type: "InvalidRequest", Message: msg}
}

// classify maps an error from the industry path to the caller's view: a
// token failure is token_unavailable (503 when it may pass, else 500), and
// everything else is wx.Classify's.
func classify(err error, now time.Time) *apiError {
	var te *token.Error
	if errors.As(err, &te) {
		status := http.StatusInternalServerError
		if te.Transient {
			status = http.StatusServiceUnavailable
		}
		return &apiError{Status: status, Code: "token_unavailable", Type: "TokenUnavailable",
			Message: "the access token is unavailable: " + te.Reason}
	}
	ae := wx.Classify(err, now)
	return &ae
}
