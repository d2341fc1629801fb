package token

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Public reasons carried by Error.Reason.
const (
	reasonNotFound    = "secret not found"
	reasonDenied      = "access denied"
	reasonDecrypt     = "secret cannot be decrypted"
	reasonInvalid     = "secret cannot be read (invalid request)"
	reasonThrottled   = "secrets manager throttled"
	reasonUnavailable = "secrets manager unavailable"
	reasonTimedOut    = "timed out"
	reasonCanceled    = "canceled"
	reasonNoValue     = "secret has no string value"
	reasonEmpty       = "secret is empty"
	reasonNotJSON     = "secret is not valid JSON"
	reasonExpiresAt   = "expires_at is not RFC 3339"
	reasonForcedAt    = "forced_at is not a list of times"
)

// ErrAccountNotFound is wrapped by the *Error of a Source made by
// NewItemSource when the table has no item for its appid: the account is
// unknown (never authorized, or its authorization withdrawn).
var ErrAccountNotFound = errors.New("account not found")

// Error is a failure to get the token, with a public Reason that never
// contains the secret value. Transient is true for throttling, Secrets Manager
// or DynamoDB 5xx replies, network errors and timeouts (worth retrying later:
// HTTP 503 at the edge) and false for everything else (not found, access
// denied, decryption failure, a malformed or expired secret: HTTP 500). For
// an account's item (Table set), an item without access_token or past its
// expires_at is transient too: its writer is behind.
type Error struct {
	SecretID  string // secret name or ARN (not secret); empty for ParseSecret errors and items
	Table     string // DynamoDB table of an account's item; empty for secrets
	AppID     string // the account's appid (the item's key), with Table
	Reason    string // public cause, e.g. "secret not found", "secret is not valid JSON", "timed out"
	Transient bool   // whether a later attempt may succeed
	Err       error  // underlying cause (an SDK error, a context error, ErrAccountNotFound), may be nil; never holds the secret value
}

// with returns a copy of e, which names a store (secret, or table and
// appid), failed for reason.
func (e Error) with(reason string, transient bool, err error) *Error {
	e.Reason, e.Transient, e.Err = reason, transient, err
	return &e
}

// Error returns "token: read secret \"<id>\": <reason>: <err>",
// "token: read item \"<appid>\" of table \"<table>\": <reason>: <err>", or
// "token: parse secret: <reason>" for errors from ParseSecret.
func (e *Error) Error() string {
	s := "token: parse secret: " + e.Reason
	switch {
	case e.Table != "":
		s = fmt.Sprintf("token: read item %q of table %q: %s", e.AppID, e.Table, e.Reason)
	case e.SecretID != "":
		s = fmt.Sprintf("token: read secret %q: %s", e.SecretID, e.Reason)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// attrs names the store in log lines: secret_id, or table and appid.
func (e *Error) attrs() []slog.Attr {
	if e.Table != "" {
		return []slog.Attr{slog.String("table", e.Table), slog.String("appid", e.AppID)}
	}
	return []slog.Attr{slog.String("secret_id", e.SecretID)}
}

// FromSDK classifies an error returned by a Secrets Manager call of the
// secret id (GetSecretValue, or PutSecretValue for a writer such as the
// token refresher): a public Reason, such as "secret not found" or "timed
// out", and whether a later attempt may succeed.
func FromSDK(id string, err error) *Error {
	e := secretsManager.classify(err)
	e.SecretID = id
	return e
}

// service is how an AWS service's failures read: its name and the reasons
// of its error codes.
type service struct {
	name  string                                            // e.g. "secrets manager"
	codes func(code string) (reason string, transient bool) // "" for a code it does not know
}

// Services whose failures a Source reports.
var (
	secretsManager = service{name: "secrets manager", codes: fromCode}
	dynamoDB       = service{name: "dynamodb", codes: fromDynamoDBCode}
)

// classify names err, returned by a call of svc, with a public Reason and
// whether a later attempt may succeed.
func (svc service) classify(err error) *Error {
	e := &Error{Err: err}
	var (
		ae smithy.APIError
		de *smithy.DeserializationError
		re *smithyhttp.ResponseError
		se *smithyhttp.RequestSendError
		ne net.Error
	)
	switch {
	case errors.As(err, &ae):
		e.Reason, e.Transient = svc.codes(ae.ErrorCode())
		if e.Reason == "" {
			e.Reason, e.Transient = fmt.Sprintf("%s error %s", svc.name, ae.ErrorCode()), false
			if errors.As(err, &re) {
				e.Reason, e.Transient = svc.fromStatus(re.HTTPStatusCode(), e.Reason)
			}
		}
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		e.Reason, e.Transient = reasonTimedOut, true
	case errors.Is(err, context.Canceled):
		e.Reason, e.Transient = reasonCanceled, true
	case errors.As(err, &de):
		// The decoder's message may quote bytes of the reply, which holds
		// the secret: keep none of it.
		e.Reason, e.Transient, e.Err = svc.name+" sent a malformed reply", true, errors.New("deserialization failed")
	case errors.As(err, &se), errors.As(err, &ne):
		e.Reason, e.Transient = svc.name+" unavailable", true
	case errors.As(err, &re):
		e.Reason, e.Transient = svc.fromStatus(re.HTTPStatusCode(), svc.name+" request failed")
	default:
		e.Reason = svc.name + " request failed"
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

// fromDynamoDBCode maps a DynamoDB error code to a reason; "" if unknown.
func fromDynamoDBCode(code string) (reason string, transient bool) {
	switch code {
	case "ResourceNotFoundException":
		return "table not found", false
	case "AccessDeniedException", "AccessDenied", "UnrecognizedClientException":
		return reasonDenied, false
	case "ValidationException":
		return "item cannot be read (invalid request)", false
	case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded":
		return "dynamodb throttled", true
	case "InternalServerError", "InternalFailure", "ServiceUnavailable":
		return "dynamodb unavailable", true
	}
	return "", false
}

// fromStatus maps an HTTP status to a reason, or fallback if it says nothing.
func (svc service) fromStatus(status int, fallback string) (reason string, transient bool) {
	switch {
	case status == 429:
		return svc.name + " throttled", true
	case status >= 500:
		return svc.name + " unavailable", true
	}
	return fallback, false
}

// fromContext is the error for a caller whose context ended first; ident
// names the store.
func fromContext(ctx context.Context, ident Error) *Error {
	reason := reasonCanceled
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		reason = reasonTimedOut
	}
	e := ident
	e.Reason, e.Transient, e.Err = reason, true, context.Cause(ctx)
	return &e
}
