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

// classify maps an error from the industry path to the caller's view: an
// appid without an item (multi-account mode) is account_not_found, another
// token failure token_unavailable (503 when it may pass, else 500), and
// everything else is wx.Classify's.
func classify(err error, now time.Time) *apiError {
	if errors.Is(err, token.ErrAccountNotFound) {
		return &apiError{Status: http.StatusNotFound, Code: "account_not_found", Type: "AccountNotFound",
			Message: "no such account: the token table has no item for this appid"}
	}
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
