package token

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DefaultField is the JSON field that holds the token when Options.Field is
// empty.
const DefaultField = "access_token"

// ParseSecret parses a secret value. A value whose first non-space character
// is '{' is a JSON object: field (DefaultField if empty) must be a non-empty
// string, and the optional "expires_at" must be an RFC 3339 time (null or
// absent means no expiry); other fields are ignored. Any other value is the
// bare token, trimmed of surrounding white space. The returned token is
// trimmed too, and expiresAt is zero when the secret gives none.
//
// ParseSecret returns an *Error (with an empty SecretID) whose text never
// quotes the value: "secret is empty", "secret is not valid JSON",
// "field \"access_token\" missing or not a string", "field \"access_token\" is
// empty" or "expires_at is not RFC 3339".
func ParseSecret(value string, field string) (token string, expiresAt time.Time, err error) {
	if field == "" {
		field = DefaultField
	}
	v := strings.TrimSpace(value)
	if v == "" {
		return "", time.Time{}, &Error{Reason: reasonEmpty}
	}
	if v[0] != '{' {
		return v, time.Time{}, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(v), &obj); err != nil {
		return "", time.Time{}, &Error{Reason: reasonNotJSON, Err: jsonCause(err)}
	}
	var tok string
	raw, ok := obj[field]
	if !ok || json.Unmarshal(raw, &tok) != nil || string(raw) == "null" {
		return "", time.Time{}, &Error{Reason: fmt.Sprintf("field %q missing or not a string", field)}
	}
	if tok = strings.TrimSpace(tok); tok == "" {
		return "", time.Time{}, &Error{Reason: fmt.Sprintf("field %q is empty", field)}
	}
	if raw, ok := obj["expires_at"]; ok && string(raw) != "null" {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", time.Time{}, &Error{Reason: reasonExpiresAt}
		}
		if expiresAt, err = time.Parse(time.RFC3339, s); err != nil {
			return "", time.Time{}, &Error{Reason: reasonExpiresAt}
		}
	}
	return tok, expiresAt, nil
}

// jsonCause describes a JSON decoding error without quoting the input
// (encoding/json's messages quote the offending character).
func jsonCause(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("syntax error at offset %d", se.Offset)
	}
	return errors.New("not a JSON object")
}
