package wx

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// The third-party platform ("component") operations, all
// POST /cgi-bin/component/... with a JSON body; every one but
// api_component_token takes component_access_token in the query.
// See https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/component_access_token.html.
const (
	opComponentToken    = "api_component_token"
	opCreatePreAuthCode = "api_create_preauthcode"
	opQueryAuth         = "api_query_auth"
	opAuthorizerToken   = "api_authorizer_token"
	opAuthorizerList    = "api_get_authorizer_list"
	componentPathPrefix = "/cgi-bin/component/"
)

// WeChat return codes of the component API that callers act on, besides
// the global ones.
const (
	CodeComponentNotAuthorized = 61003 // the account has not authorized this platform (or revoked it)
	CodeComponentIPNotAllowed  = 61004 // caller IP not on the platform's allow-list
	CodeTicketExpired          = 61005 // component_verify_ticket expired
	CodeTicketInvalid          = 61006 // component_verify_ticket invalid (not the latest pushed)
	CodeAuthCodeInvalid        = 61009 // authorization code invalid (unknown or already used)
	CodeAuthCodeExpired        = 61010 // authorization code expired
	CodeRefreshTokenInvalid    = 61023 // authorizer_refresh_token invalid
)

// MaxAuthorizerListCount is the most accounts api_get_authorizer_list
// returns per page.
const MaxAuthorizerListCount = 500

// componentTokenRequest is api_component_token's body.
type componentTokenRequest struct {
	ComponentAppID     string `json:"component_appid"`
	ComponentAppSecret string `json:"component_appsecret"`
	Ticket             string `json:"component_verify_ticket"`
}

// ComponentToken asks WeChat for a component_access_token
// (POST /cgi-bin/component/api_component_token) with the platform's appid,
// appsecret and the latest component_verify_ticket WeChat pushed. Each call
// issues a token, so a transient failure is retried like GetIndustry's (a
// token lost with a reply is never used, and harms nothing). It needs no
// TokenSource. It returns *Error for an errcode (CodeTicketExpired,
// CodeTicketInvalid, CodeComponentIPNotAllowed, CodeInvalidAppSecret, ...),
// an error wrapping ErrBadResponse for a reply without a token or a positive
// expires_in, and the transport errors GetIndustry returns. Neither the
// appsecret nor the returned token appears in an error or a log line.
func (c *Client) ComponentToken(ctx context.Context, componentAppID, componentAppSecret, ticket string) (*ComponentToken, error) {
	if componentAppID == "" || componentAppSecret == "" || ticket == "" {
		return nil, fmt.Errorf("wx: %s: component appid, appsecret and ticket must not be empty", opComponentToken)
	}
	var r struct {
		Token     *string `json:"component_access_token"`
		ExpiresIn *int    `json:"expires_in"`
	}
	in := componentTokenRequest{componentAppID, componentAppSecret, ticket}
	if err := c.component(ctx, opComponentToken, "", in, false, []string{componentAppSecret, ticket}, nil, &r); err != nil {
		return nil, err
	}
	if err := present(opComponentToken, "component_access_token", r.Token, r.ExpiresIn); err != nil {
		return nil, err
	}
	return &ComponentToken{AccessToken: *r.Token, ExpiresIn: *r.ExpiresIn}, nil
}

// CreatePreAuthCode asks for a pre_auth_code for the authorization page
// (POST /cgi-bin/component/api_create_preauthcode). An unused code just
// expires, so a transient failure is retried. Errors as ComponentToken,
// plus 40001/42001 for a rejected component_access_token.
func (c *Client) CreatePreAuthCode(ctx context.Context, componentToken, componentAppID string) (*PreAuthCode, error) {
	var r struct {
		Code      *string `json:"pre_auth_code"`
		ExpiresIn *int    `json:"expires_in"`
	}
	in := map[string]string{"component_appid": componentAppID}
	if err := c.component(ctx, opCreatePreAuthCode, componentToken, in, false, nil, nil, &r); err != nil {
		return nil, err
	}
	if err := present(opCreatePreAuthCode, "pre_auth_code", r.Code, r.ExpiresIn); err != nil {
		return nil, err
	}
	return &PreAuthCode{Code: *r.Code, ExpiresIn: *r.ExpiresIn}, nil
}

// QueryAuth exchanges an authorization code for the account's tokens and
// granted permission sets (POST /cgi-bin/component/api_query_auth). WeChat
// accepts a code once, so the call is made once and never retried: a
// retry after a lost reply would be refused (CodeAuthCodeInvalid) and hide
// the success. Errors as ComponentToken, plus CodeAuthCodeInvalid and
// CodeAuthCodeExpired.
func (c *Client) QueryAuth(ctx context.Context, componentToken, componentAppID, authCode string) (*Authorization, error) {
	var r struct {
		Info *struct {
			AppID     string  `json:"authorizer_appid"`
			Token     *string `json:"authorizer_access_token"`
			ExpiresIn *int    `json:"expires_in"`
			Refresh   string  `json:"authorizer_refresh_token"`
			FuncInfo  []struct {
				Category struct {
					ID int `json:"id"`
				} `json:"funcscope_category"`
			} `json:"func_info"`
		} `json:"authorization_info"`
	}
	in := map[string]string{"component_appid": componentAppID, "authorization_code": authCode}
	if err := c.component(ctx, opQueryAuth, componentToken, in, true, []string{authCode}, nil, &r); err != nil {
		return nil, err
	}
	if r.Info == nil {
		return nil, fmt.Errorf("wx: %s: %w: no authorization_info", opQueryAuth, ErrBadResponse)
	}
	if err := present(opQueryAuth, "authorizer_access_token", r.Info.Token, r.Info.ExpiresIn); err != nil {
		return nil, err
	}
	if r.Info.AppID == "" || r.Info.Refresh == "" {
		return nil, fmt.Errorf("wx: %s: %w: no authorizer_appid or authorizer_refresh_token", opQueryAuth, ErrBadResponse)
	}
	a := &Authorization{AuthorizerToken: AuthorizerToken{AppID: r.Info.AppID, AccessToken: *r.Info.Token,
		ExpiresIn: *r.Info.ExpiresIn, RefreshToken: r.Info.Refresh}}
	for _, f := range r.Info.FuncInfo {
		a.FuncScopes = append(a.FuncScopes, f.Category.ID)
	}
	return a, nil
}

// AuthorizerToken refreshes an account's authorizer_access_token with its
// refresh token (POST /cgi-bin/component/api_authorizer_token). The reply's
// RefreshToken is the one to keep from now on (WeChat may rotate it; when
// the reply leaves it out, the one sent is returned). The call is made once
// and never retried: after a lost reply, a retry with a rotated-away refresh
// token would be refused; the caller's recovery (api_get_authorizer_list,
// then one more call) handles it. Errors as ComponentToken, plus
// CodeRefreshTokenInvalid and CodeComponentNotAuthorized.
func (c *Client) AuthorizerToken(ctx context.Context, componentToken, componentAppID, authorizerAppID, refreshToken string) (*AuthorizerToken, error) {
	var r struct {
		Token     *string `json:"authorizer_access_token"`
		ExpiresIn *int    `json:"expires_in"`
		Refresh   string  `json:"authorizer_refresh_token"`
	}
	in := map[string]string{"component_appid": componentAppID, "authorizer_appid": authorizerAppID, "authorizer_refresh_token": refreshToken}
	if err := c.component(ctx, opAuthorizerToken, componentToken, in, true, nil, []string{refreshToken}, &r); err != nil {
		return nil, err
	}
	if err := present(opAuthorizerToken, "authorizer_access_token", r.Token, r.ExpiresIn); err != nil {
		return nil, err
	}
	t := &AuthorizerToken{AppID: authorizerAppID, AccessToken: *r.Token, ExpiresIn: *r.ExpiresIn, RefreshToken: r.Refresh}
	if t.RefreshToken == "" {
		t.RefreshToken = refreshToken
	}
	return t, nil
}

// AuthorizerList returns one page of the accounts that authorized the
// platform (POST /cgi-bin/component/api_get_authorizer_list), count at most
// MaxAuthorizerListCount. It reads only, so transient failures are retried.
// Errors as ComponentToken; a count outside 1..500 or a negative offset is
// refused without calling WeChat.
func (c *Client) AuthorizerList(ctx context.Context, componentToken, componentAppID string, offset, count int) (*AuthorizerListPage, error) {
	if offset < 0 || count < 1 || count > MaxAuthorizerListCount {
		return nil, fmt.Errorf("wx: %s: offset %d, count %d: want offset >= 0 and count 1..%d", opAuthorizerList, offset, count, MaxAuthorizerListCount)
	}
	var r struct {
		Total *int `json:"total_count"`
		List  []struct {
			AppID    string `json:"authorizer_appid"`
			Refresh  string `json:"refresh_token"`
			AuthTime int64  `json:"auth_time"`
		} `json:"list"`
	}
	in := struct {
		ComponentAppID string `json:"component_appid"`
		Offset         int    `json:"offset"`
		Count          int    `json:"count"`
	}{componentAppID, offset, count}
	if err := c.component(ctx, opAuthorizerList, componentToken, in, false, nil, nil, &r); err != nil {
		return nil, err
	}
	if r.Total == nil {
		return nil, fmt.Errorf("wx: %s: %w: no total_count", opAuthorizerList, ErrBadResponse)
	}
	page := &AuthorizerListPage{TotalCount: *r.Total, List: make([]Authorizer, 0, len(r.List))}
	for _, a := range r.List {
		page.List = append(page.List, Authorizer{AppID: a.AppID, RefreshToken: a.Refresh, AuthTime: a.AuthTime})
	}
	return page, nil
}

// component makes one component API call: body as JSON, token (if any) as
// component_access_token in the query, once for a call never retried,
// secrets and echoed the body's values to scrub from errors and log lines
// besides the token (see request). The reply is decoded into out.
func (c *Client) component(ctx context.Context, op, token string, body any, once bool, secrets, echoed []string, out any) error {
	if op != opComponentToken && token == "" {
		return fmt.Errorf("wx: %s: empty component_access_token", op)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("wx: %s: encode request: %w", op, err)
	}
	r := request{op: op, method: http.MethodPost, path: componentPathPrefix + op, body: b, once: once, secrets: secrets, echoed: echoed}
	if token != "" {
		r.query = url.Values{"component_access_token": {token}}
	}
	reply, err := c.do(ctx, r)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(reply, out); err != nil {
		return fmt.Errorf("wx: %s: %w: %s", op, ErrBadResponse, jsonProblem(err))
	}
	return nil
}

// present checks that a reply carried a non-empty token and a positive
// expires_in.
func present(op, field string, tok *string, expiresIn *int) error {
	switch {
	case tok == nil || *tok == "":
		return fmt.Errorf("wx: %s: %w: no %s", op, ErrBadResponse, field)
	case expiresIn == nil || *expiresIn <= 0:
		return fmt.Errorf("wx: %s: %w: no positive expires_in", op, ErrBadResponse)
	}
	return nil
}
