package token

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Public reasons carried by Error.Reason.
const (
	reasonNotFound     = "secret not found"
	reasonDenied       = "access denied"
	reasonDecrypt      = "secret cannot be decrypted"
	reasonInvalid      = "secret cannot be read (invalid request)"
	reasonThrottled    = "secrets manager throttled"
	reasonUnavailable  = "secrets manager unavailable"
	reasonMalformed    = "secrets manager sent a malformed reply"
	reasonTimedOut     = "timed out"
	reasonCanceled     = "canceled"
	reasonFailed       = "secrets manager request failed"
	reasonNoValue      = "secret has no string value"
	reasonEmpty        = "secret is empty"
	reasonNotJSON      = "secret is not valid JSON"
	reasonExpiresAt    = "expires_at is not RFC 3339"
	reasonForcedAt     = "forced_at is not a list of times"
	reasonTokenExpired = "token in secret has expired"
)

// Error is a failure to get the token, with a public Reason that never
// contains the secret value. Transient is true for throttling, Secrets Manager
// 5xx replies, network errors and timeouts (worth retrying later: HTTP 503 at
// the edge) and false for everything else (not found, access denied,
// decryption failure, a malformed or expired secret: HTTP 500).
type Error struct {
	SecretID  string // secret name or ARN (not secret); empty for ParseSecret errors
	Reason    string // public cause, e.g. "secret not found", "secret is not valid JSON", "timed out"
	Transient bool   // whether a later attempt may succeed
	Err       error  // underlying cause (an SDK error or context error), may be nil; never holds the secret value
}

// Error returns "token: read secret \"<id>\": <reason>: <err>", or
// "token: parse secret: <reason>" for errors from ParseSecret.
func (e *Error) Error() string {
	s := "token: parse secret: " + e.Reason
	if e.SecretID != "" {
		s = fmt.Sprintf("token: read secret %q: %s", e.SecretID, e.Reason)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// FromSDK classifies an error returned by a Secrets Manager call of the
// secret id (GetSecretValue, or PutSecretValue for a writer such as the
// token refresher): a public Reason, such as "secret not found" or "timed
// out", and whether a later attempt may succeed.
func FromSDK(id string, err error) *Error {
	e := &Error{SecretID: id, Err: err}
	var (
		ae smithy.APIError
		de *smithy.DeserializationError
		re *smithyhttp.ResponseError
		se *smithyhttp.RequestSendError
		ne net.Error
	)
	switch {
	case errors.As(err, &ae):
		e.Reason, e.Transient = fromCode(ae.ErrorCode())
		if e.Reason == "" {
			e.Reason, e.Transient = fmt.Sprintf("secrets manager error %s", ae.ErrorCode()), false
			if errors.As(err, &re) {
				e.Reason, e.Transient = fromStatus(re.HTTPStatusCode(), e.Reason)
			}
		}
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		e.Reason, e.Transient = reasonTimedOut, true
	case errors.Is(err, context.Canceled):
		e.Reason, e.Transient = reasonCanceled, true
	case errors.As(err, &de):
		// The decoder's message may quote bytes of the reply, which holds
		// the secret: keep none of it.
		e.Reason, e.Transient, e.Err = reasonMalformed, true, errors.New("deserialization failed")
	case errors.As(err, &se), errors.As(err, &ne):
		e.Reason, e.Transient = reasonUnavailable, true
	case errors.As(err, &re):
		e.Reason, e.Transient = fromStatus(re.HTTPStatusCode(), reasonFailed)
	default:
		e.Reason = reasonFailed
	}
	return e
}

// fromCode maps a Secrets Manager error code to a reason; "" if unknown.
func fromCode(code string) (reason string, transient bool) {
	switch code {
	case "ResourceNotFoundException":
		return reasonNotFound, false
	case "AccessDeniedException", "AccessDenied":
		return reasonDenied, false
	case "DecryptionFailure":
		return reasonDecrypt, false
	case "InvalidRequestException", "InvalidParameterException", "ValidationException":
		return reasonInvalid, false
	case "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded":
		return reasonThrottled, true
	case "InternalServiceError", "InternalFailure", "ServiceUnavailable":
		return reasonUnavailable, true
	}
	return "", false
}

// fromStatus maps an HTTP status to a reason, or fallback if it says nothing.
func fromStatus(status int, fallback string) (reason string, transient bool) {
	switch {
	case status == 429:
		return reasonThrottled, true
	case status >= 500:
		return reasonUnavailable, true
	}
	return fallback, false
}

// fromContext is the error for a caller whose context ended first.
func fromContext(ctx context.Context, id string) *Error {
	reason := reasonCanceled
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		reason = reasonTimedOut
	}
	return &Error{SecretID: id, Reason: reason, Transient: true, Err: context.Cause(ctx)}
}
