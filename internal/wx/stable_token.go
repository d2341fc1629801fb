package wx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/wxindustry/getindustry/internal/redact"
)

// The getStableAccessToken operation.
const (
	opStableToken   = "stable_token"
	pathStableToken = "/cgi-bin/stable_token"
)

// WeChat return codes of stable_token that callers act on, besides the
// global ones (CodeBusy, CodeDailyQuota, CodeMinuteQuota, CodeIPNotAllowed).
// See https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken.html.
const (
	CodeInvalidAppID     = 40013 // invalid appid
	CodeInvalidAppSecret = 40125 // invalid appsecret
)

// StableToken is the reply of stable_token: an access token and the seconds
// it has left. Its String, GoString, LogValue and MarshalJSON methods print
// REDACTED in place of the token, so that formatting, logging or encoding a
// StableToken never reveals it; read AccessToken explicitly to use it.
type StableToken struct {
	AccessToken string // the access_token; treat as a secret
	ExpiresIn   int    // seconds the token has left, as WeChat counts them (at most 7200 today)
}

// String returns "wx.StableToken{AccessToken:REDACTED, ExpiresIn:N}".
func (t StableToken) String() string {
	return "wx.StableToken{AccessToken:" + redact.Mask + ", ExpiresIn:" + strconv.Itoa(t.ExpiresIn) + "}"
}

// GoString makes %#v print the same as String.
func (t StableToken) GoString() string { return t.String() }

// LogValue logs the token as a group with access_token=REDACTED and
// expires_in.
func (t StableToken) LogValue() slog.Value {
	return slog.GroupValue(slog.String("access_token", redact.Mask), slog.Int("expires_in", t.ExpiresIn))
}

// MarshalJSON encodes {"access_token":"REDACTED","expires_in":N}: a
// StableToken put in a response or a log by mistake reveals nothing.
func (t StableToken) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}{redact.Mask, t.ExpiresIn})
}

// stableTokenRequest is the JSON body WeChat expects.
type stableTokenRequest struct {
	GrantType    string `json:"grant_type"`
	AppID        string `json:"appid"`
	Secret       string `json:"secret"`
	ForceRefresh bool   `json:"force_refresh"`
}

// StableToken asks WeChat for the account's stable access token
// (getStableAccessToken, POST /cgi-bin/stable_token). In normal mode
// (force false) WeChat returns the current token and its remaining lifetime,
// issuing a new one only in the last five minutes; the call is idempotent
// and transient failures are retried like GetIndustry's. In force mode WeChat
// issues a new token and retires the previous one; WeChat allows that 20
// times a day, 30 s apart, so a forced call is made once and never retried.
//
// The appsecret travels in the request body and never appears in an error
// string or log line; neither does the returned token. It needs no
// TokenSource. It returns *Error when WeChat answers errcode != 0 (for
// example CodeInvalidAppID, CodeInvalidAppSecret, CodeIPNotAllowed,
// CodeDailyQuota) or an unexpected HTTP status, an error wrapping
// ErrBadResponse for a reply without a token or a positive expires_in, and
// ErrTimeout, ErrUnavailable or the caller's context error as GetIndustry
// does.
func (c *Client) StableToken(ctx context.Context, appID, appSecret string, force bool) (*StableToken, error) {
	if appID == "" || appSecret == "" {
		return nil, fmt.Errorf("wx: %s: %w", opStableToken, errMissingCredentials)
	}
	body, err := json.Marshal(stableTokenRequest{GrantType: "client_credential", AppID: appID, Secret: appSecret, ForceRefresh: force})
	if err != nil {
		return nil, fmt.Errorf("wx: %s: encode request: %w", opStableToken, err)
	}
	reply, err := c.do(ctx, request{op: opStableToken, method: http.MethodPost, path: pathStableToken,
		body: body, once: force, secrets: []string{appSecret}})
	if err != nil {
		return nil, err
	}
	return decodeStableToken(reply)
}

// errMissingCredentials reports an empty appid or appsecret.
var errMissingCredentials = errors.New("appid and appsecret must not be empty")

// stableTokenReply tells a missing field from a zero one.
type stableTokenReply struct {
	AccessToken *string `json:"access_token"`
	ExpiresIn   *int    `json:"expires_in"`
}

// decodeStableToken decodes a stable_token reply that parseReply accepted. A
// reply without a non-empty access_token string or a positive integer
// expires_in is ErrBadResponse; the error text never quotes the reply.
func decodeStableToken(body []byte) (*StableToken, error) {
	var r stableTokenReply
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("wx: %s: %w: %s", opStableToken, ErrBadResponse, jsonProblem(err))
	}
	switch {
	case r.AccessToken == nil && r.ExpiresIn == nil:
		return nil, fmt.Errorf("wx: %s: %w: neither errcode nor access_token", opStableToken, ErrBadResponse)
	case r.AccessToken == nil || *r.AccessToken == "":
		return nil, fmt.Errorf("wx: %s: %w: no access_token", opStableToken, ErrBadResponse)
	case r.ExpiresIn == nil || *r.ExpiresIn <= 0:
		return nil, fmt.Errorf("wx: %s: %w: no positive expires_in", opStableToken, ErrBadResponse)
	}
	return &StableToken{AccessToken: *r.AccessToken, ExpiresIn: *r.ExpiresIn}, nil
}

// jsonProblem describes a decoding error without quoting the input, which
// may hold the token.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at offset %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %s: want %s, got JSON %s", te.Field, te.Type, te.Value)
	}
	return "invalid JSON"
}
