package token

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// DefaultField is the JSON field that holds the token when Options.Field is
// empty.
const DefaultField = "access_token"

// Fields of the token secret besides the token's own.
const (
	fieldExpires  = "expires_at"
	fieldForcedAt = "forced_at"
)

// Secret is the content of the token secret: the one codec for it, read by
// Source and read and written by the token refresher. The value is either a
// bare token or a JSON object holding the token (field "access_token" by
// default), "expires_at" (RFC 3339) and, as the refresher keeps it,
// "forced_at" (the forced refreshes of the last 24 hours); other fields are
// kept in Extra and written back unchanged. Its String and GoString methods
// print REDACTED in place of the token.
type Secret struct {
	AccessToken string
	ExpiresAt   time.Time                  // zero: the secret gives none
	ForcedAt    []time.Time                // ascending
	Extra       map[string]json.RawMessage // other fields, nil when there are none
}

// String describes s with the token redacted.
func (s Secret) String() string {
	return fmt.Sprintf("token.Secret{AccessToken:REDACTED, ExpiresAt:%s, ForcedAt:%v, Extra:%d fields}",
		s.ExpiresAt.Format(time.RFC3339), s.ForcedAt, len(s.Extra))
}

// GoString makes %#v print the same as String.
func (s Secret) GoString() string { return s.String() }

// DecodeSecret reads a token secret value. A value whose first non-space
// character is '{' is a JSON object: field (DefaultField if empty) must be a
// non-empty string, the optional "expires_at" an RFC 3339 time (null means
// none) and the optional "forced_at" a list of RFC 3339 times (entries that
// are not are dropped). Any other value is the bare token. Tokens are
// trimmed of surrounding white space.
//
// On a problem DecodeSecret still returns what it could read (a bad
// expires_at leaves the token, say) with an *Error (empty SecretID) whose
// Reason names the first problem and never quotes the value: "secret is
// empty", "secret is not valid JSON", "field \"access_token\" missing or not
// a string", "field \"access_token\" is empty", "expires_at is not RFC 3339"
// or "forced_at is not a list of times".
func DecodeSecret(value, field string) (Secret, error) {
	if field == "" {
		field = DefaultField
	}
	v := strings.TrimSpace(value)
	switch {
	case v == "":
		return Secret{}, &Error{Reason: reasonEmpty}
	case v[0] != '{':
		return Secret{AccessToken: v}, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(v), &obj); err != nil {
		return Secret{}, &Error{Reason: reasonNotJSON, Err: jsonCause(err)}
	}
	var s Secret
	var problem string
	note := func(p string) {
		if problem == "" {
			problem = p
		}
	}
	raw, ok := obj[field]
	switch {
	case !ok || string(raw) == "null" || json.Unmarshal(raw, &s.AccessToken) != nil:
		note(fmt.Sprintf("field %q missing or not a string", field))
	case strings.TrimSpace(s.AccessToken) == "":
		note(fmt.Sprintf("field %q is empty", field))
	}
	s.AccessToken = strings.TrimSpace(s.AccessToken)
	if raw, ok := obj[fieldExpires]; ok && string(raw) != "null" {
		var t string
		if json.Unmarshal(raw, &t) != nil {
			note(reasonExpiresAt)
		} else if s.ExpiresAt, ok = parseTime(t); !ok {
			note(reasonExpiresAt)
		}
	}
	if raw, ok := obj[fieldForcedAt]; ok && string(raw) != "null" {
		var list []string
		if json.Unmarshal(raw, &list) != nil {
			note(reasonForcedAt)
		}
		for _, e := range list {
			if t, ok := parseTime(e); ok {
				s.ForcedAt = append(s.ForcedAt, t)
			}
		}
		slices.SortFunc(s.ForcedAt, time.Time.Compare)
	}
	delete(obj, field)
	delete(obj, fieldExpires)
	delete(obj, fieldForcedAt)
	if len(obj) > 0 {
		s.Extra = obj
	}
	if problem != "" {
		return s, &Error{Reason: problem}
	}
	return s, nil
}

func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, s)
	return t, err == nil
}

// Encode returns the secret value for s: {"access_token","expires_at"}, plus
// "forced_at" when forces are recorded and the Extra fields, with times in
// RFC 3339 UTC (forced_at entries with their fraction of a second, RFC 3339
// nano; DecodeSecret reads both forms).
func (s Secret) Encode() (string, error) {
	obj := maps.Clone(s.Extra)
	if obj == nil {
		obj = make(map[string]json.RawMessage, 3)
	}
	var err error
	set := func(k string, v any) {
		if b, e := json.Marshal(v); e != nil {
			err = e
		} else {
			obj[k] = b
		}
	}
	set(DefaultField, s.AccessToken)
	set(fieldExpires, s.ExpiresAt.UTC().Format(time.RFC3339))
	if len(s.ForcedAt) > 0 {
		list := make([]string, len(s.ForcedAt))
		for i, t := range s.ForcedAt {
			list[i] = t.UTC().Format(time.RFC3339Nano) // sub-second: the 30 s spacing is checked exactly
		}
		set(fieldForcedAt, list)
	}
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(obj)
	return string(b), err
}

// ParseSecret is DecodeSecret for a reader of the token alone: it returns
// the token and its expiry, or zero values and the *Error when either cannot
// be read. A forced_at it cannot read is the refresher's concern, not its.
func ParseSecret(value string, field string) (token string, expiresAt time.Time, err error) {
	s, err := DecodeSecret(value, field)
	var te *Error
	if err != nil && !(errors.As(err, &te) && te.Reason == reasonForcedAt) {
		return "", time.Time{}, err
	}
	return s.AccessToken, s.ExpiresAt, nil
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
