package smtest

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
)

// messages are the texts AWS sends with each error code.
var messages = map[string]string{
	"ResourceNotFoundException":           "Secrets Manager can't find the specified secret.",
	"AccessDeniedException":               "User: arn:aws:sts::123456789012:assumed-role/getindustry/fn is not authorized to perform: secretsmanager:GetSecretValue because no identity-based policy allows the secretsmanager:GetSecretValue action",
	"DecryptionFailure":                   "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
	"InvalidRequestException":             "You can't perform this operation on the secret because it was marked for deletion.",
	"InvalidParameterException":           "You must provide either SecretString or SecretBinary.",
	"ResourceExistsException":             "You can't modify an existing version, you can only create a new version.",
	"ThrottlingException":                 "Rate exceeded",
	"InternalServiceError":                "An error occurred on the server side.",
	"InternalFailure":                     "The request processing has failed because of an unknown error, exception or failure.",
	"ServiceUnavailable":                  "The request has failed due to a temporary failure of the server.",
	"ValidationException":                 "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null",
	"SerializationException":              "Start of structure or map found where not expected.",
	"UnknownOperationException":           "The requested operation is not supported.",
	"MissingAuthenticationTokenException": "Missing Authentication Token",
}

// status returns the fault's HTTP status, defaulted from its type.
func (ft Fault) status() int {
	if ft.Status != 0 {
		return ft.Status
	}
	switch ft.Type {
	case "InternalServiceError", "InternalFailure":
		return http.StatusInternalServerError
	case "ServiceUnavailable":
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

// code returns the fault's error code, defaulted from its status.
func (ft Fault) code() string {
	switch {
	case ft.Type != "":
		return ft.Type
	case ft.Status == http.StatusServiceUnavailable:
		return "ServiceUnavailable"
	case ft.Status >= 500:
		return "InternalServiceError"
	case ft.Status == http.StatusTooManyRequests:
		return "ThrottlingException"
	}
	return "InvalidRequestException"
}

// writeError writes an AWS JSON 1.1 error reply for ft.
func writeError(w http.ResponseWriter, ft Fault) {
	code := ft.code()
	msg, ok := messages[code]
	if !ok {
		msg = code
	}
	w.Header().Set("X-Amzn-ErrorType", code)
	writeJSON(w, ft.status(), map[string]string{"__type": code, "message": msg})
}

// writeJSON writes v as an AWS JSON 1.1 reply with a request ID.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "smtest: encode reply", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-RequestId", requestID())
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// requestID returns a random UUID-shaped request ID.
func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
