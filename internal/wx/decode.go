package wx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/wxindustry/getindustry/internal/redact"
)

// envelope is the part every WeChat reply may carry.
type envelope struct {
	Errcode *int   `json:"errcode"`
	Errmsg  string `json:"errmsg"`
}

// parseReply checks a 200 reply: an empty or non-JSON body, or a JSON value
// that is not an object, is ErrBadResponse; a non-zero errcode is *Error
// (errmsg scrubbed of secrets, in any letter case); a reply that holds one
// of refused (the request's credentials) is ErrBadResponse. Otherwise the
// body is returned for the operation's own decoder.
func parseReply(op string, body []byte, secrets, refused []string) ([]byte, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Errorf("wx: %s: %w: empty body", op, ErrBadResponse)
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("wx: %s: %w: %s", op, ErrBadResponse, redact.String(err.Error(), secrets...))
	}
	if env.Errcode != nil && *env.Errcode != 0 {
		msg := redact.String(env.Errmsg, secrets...)
		return nil, &Error{Op: op, Code: *env.Errcode, Status: http.StatusOK, Message: msg, RID: parseRID(msg)}
	}
	if redact.Contains(string(body), refused...) {
		// An upstream or a proxy echoed the access token (or the
		// appsecret) into a reply that would be answered to the caller.
		return nil, fmt.Errorf("wx: %s: %w: the reply echoes a secret of the request", op, ErrBadResponse)
	}
	return body, nil
}

// industryReply tells a missing industry object from an empty one.
type industryReply struct {
	Primary   *Class `json:"primary_industry"`
	Secondary *Class `json:"secondary_industry"`
}

// decodeIndustry decodes a get_industry reply that parseReply accepted.
// Missing fields inside a class are allowed; a reply without a
// primary_industry object is ErrBadResponse.
func decodeIndustry(body []byte) (*Industry, error) {
	var r industryReply
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("wx: %s: %w: %s", opGetIndustry, ErrBadResponse, err)
	}
	switch {
	case r.Primary == nil && r.Secondary == nil:
		return nil, fmt.Errorf("wx: %s: %w: neither errcode nor industry", opGetIndustry, ErrBadResponse)
	case r.Primary == nil:
		return nil, fmt.Errorf("wx: %s: %w: no primary_industry", opGetIndustry, ErrBadResponse)
	}
	ind := &Industry{PrimaryIndustry: *r.Primary}
	if r.Secondary != nil {
		ind.SecondaryIndustry = *r.Secondary
	}
	return ind, nil
}
