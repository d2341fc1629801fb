package wx

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/wxindustry/getindustry/internal/redact"
)

// ComponentToken is the reply of api_component_token. Like StableToken, it
// prints, logs and encodes its token as REDACTED.
type ComponentToken struct {
	AccessToken string // the component_access_token; treat as a secret
	ExpiresIn   int    // seconds it has left (7200 when new)
}

// String returns "wx.ComponentToken{AccessToken:REDACTED, ExpiresIn:N}".
func (t ComponentToken) String() string {
	return "wx.ComponentToken{AccessToken:" + redact.Mask + ", ExpiresIn:" + strconv.Itoa(t.ExpiresIn) + "}"
}

// GoString makes %#v print the same as String.
func (t ComponentToken) GoString() string { return t.String() }

// LogValue logs the token as REDACTED.
func (t ComponentToken) LogValue() slog.Value {
	return slog.GroupValue(slog.String("component_access_token", redact.Mask), slog.Int("expires_in", t.ExpiresIn))
}

// MarshalJSON encodes the token as REDACTED.
func (t ComponentToken) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		AccessToken string `json:"component_access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}{redact.Mask, t.ExpiresIn})
}

// PreAuthCode is the reply of api_create_preauthcode. The code is a secret
// of one authorization; String, GoString, LogValue and MarshalJSON print it
// as REDACTED.
type PreAuthCode struct {
	Code      string // pre_auth_code
	ExpiresIn int    // seconds (600 when new)
}

// String returns "wx.PreAuthCode{Code:REDACTED, ExpiresIn:N}".
func (p PreAuthCode) String() string {
	return "wx.PreAuthCode{Code:" + redact.Mask + ", ExpiresIn:" + strconv.Itoa(p.ExpiresIn) + "}"
}

// GoString makes %#v print the same as String.
func (p PreAuthCode) GoString() string { return p.String() }

// LogValue logs the code as REDACTED.
func (p PreAuthCode) LogValue() slog.Value {
	return slog.GroupValue(slog.String("pre_auth_code", redact.Mask), slog.Int("expires_in", p.ExpiresIn))
}

// MarshalJSON encodes the code as REDACTED.
func (p PreAuthCode) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Code      string `json:"pre_auth_code"`
		ExpiresIn int    `json:"expires_in"`
	}{redact.Mask, p.ExpiresIn})
}

// AuthorizerToken is an authorized account's token pair: the reply of
// api_authorizer_token, and the token part of api_query_auth's. Both tokens
// are secrets: String, GoString, LogValue and MarshalJSON print them as
// REDACTED.
type AuthorizerToken struct {
	AppID        string // authorizer_appid; in api_authorizer_token's reply, the appid asked for
	AccessToken  string // authorizer_access_token
	ExpiresIn    int    // seconds the access token has left (7200 when new)
	RefreshToken string // authorizer_refresh_token; keep the latest WeChat returns
}

// String returns the appid and expires_in, tokens REDACTED.
func (a AuthorizerToken) String() string {
	return "wx.AuthorizerToken{AppID:" + a.AppID + ", AccessToken:" + redact.Mask + ", ExpiresIn:" +
		strconv.Itoa(a.ExpiresIn) + ", RefreshToken:" + redact.Mask + "}"
}

// GoString makes %#v print the same as String.
func (a AuthorizerToken) GoString() string { return a.String() }

// LogValue logs the appid and expires_in, tokens REDACTED.
func (a AuthorizerToken) LogValue() slog.Value {
	return slog.GroupValue(slog.String("authorizer_appid", a.AppID), slog.String("authorizer_access_token", redact.Mask),
		slog.Int("expires_in", a.ExpiresIn), slog.String("authorizer_refresh_token", redact.Mask))
}

// MarshalJSON encodes the appid and expires_in, tokens REDACTED.
func (a AuthorizerToken) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		AppID        string `json:"authorizer_appid"`
		AccessToken  string `json:"authorizer_access_token"`
		ExpiresIn    int    `json:"expires_in"`
		RefreshToken string `json:"authorizer_refresh_token"`
	}{a.AppID, redact.Mask, a.ExpiresIn, redact.Mask})
}

// Authorization is the reply of api_query_auth: the account's tokens and
// the permission sets (funcscope_category ids) it granted.
type Authorization struct {
	AuthorizerToken
	FuncScopes []int // funcscope_category ids, in WeChat's order
}

// String returns the token part's String and the scopes.
func (a Authorization) String() string {
	return "wx.Authorization{" + a.AuthorizerToken.String() + ", FuncScopes:" + fmt.Sprint(a.FuncScopes) + "}"
}

// GoString makes %#v print the same as String.
func (a Authorization) GoString() string { return a.String() }

// AuthorizerListPage is one page of api_get_authorizer_list.
type AuthorizerListPage struct {
	TotalCount int          // authorized accounts in all
	List       []Authorizer // this page
}

// Authorizer is one entry of api_get_authorizer_list. RefreshToken is a
// secret: String, GoString, LogValue and MarshalJSON print it as REDACTED.
type Authorizer struct {
	AppID        string // authorizer_appid
	RefreshToken string // refresh_token: the account's current authorizer_refresh_token
	AuthTime     int64  // auth_time, Unix seconds
}

// String returns the appid and time, the refresh token REDACTED.
func (a Authorizer) String() string {
	return "wx.Authorizer{AppID:" + a.AppID + ", RefreshToken:" + redact.Mask + ", AuthTime:" + strconv.FormatInt(a.AuthTime, 10) + "}"
}

// GoString makes %#v print the same as String.
func (a Authorizer) GoString() string { return a.String() }

// LogValue logs the appid and time, the refresh token REDACTED.
func (a Authorizer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("authorizer_appid", a.AppID), slog.String("refresh_token", redact.Mask), slog.Int64("auth_time", a.AuthTime))
}

// MarshalJSON encodes the appid and time, the refresh token REDACTED.
func (a Authorizer) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		AppID        string `json:"authorizer_appid"`
		RefreshToken string `json:"refresh_token"`
		AuthTime     int64  `json:"auth_time"`
	}{a.AppID, redact.Mask, a.AuthTime})
}
