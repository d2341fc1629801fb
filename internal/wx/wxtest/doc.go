// Package wxtest is a WeChat Official Account API simulator for tests and
// local runs, in the manner of net/http/httptest. A Simulator is an
// http.Handler that speaks the real wire format of getIndustry
// (GET /cgi-bin/template/get_industry?access_token=...): it checks the
// access_token against a set of valid tokens, answers the industry JSON or
// {"errcode":N,"errmsg":"... rid: ..."} with WeChat's texts and its
// Content-Type "application/json; encoding=utf-8", answers 404 for unknown
// paths, and plays scripted faults (errcodes, HTTP statuses, raw bodies, slow
// headers, stalled bodies, connection resets) for the next replies.
// NewServer starts it on a loopback port.
//
// It also serves getStableAccessToken (POST /cgi-bin/stable_token) for apps
// enabled with SetApp, as WeChat documents it: normal mode returns the
// current token and its remaining expires_in and issues a new one only in
// the token's last five minutes (the old one works until its own expiry);
// force mode issues a new one at most 20 times per Asia/Shanghai day (45009
// after that) and does not refresh when the last force was under 30 s ago;
// quotas of 10,000 calls a minute (45011) and 500,000 a day (45009); errcodes
// 40013, 40125, 40002, 41002, 41004, 43002 and 47001 for bad requests.
// WeChat says only that a force makes the previous token invalid; the
// simulator keeps every replaced token working for five more minutes, the
// handover WeChat documents for normal renewals; code should not depend on
// that grace. get_industry accepts tokens set with SetTokens (always)
// and issued tokens while they work (42001 once expired, 40001 once retired
// by a force). The clock is injectable (SetNow, Advance), so tests can let a
// token expire without sleeping.
//
// With SetComponent it also plays WeChat for a third-party platform: the
// component API (POST /cgi-bin/component/api_component_token,
// api_create_preauthcode, api_query_auth, api_authorizer_token,
// api_get_authorizer_list; HTTP 200 with errcode JSON on errors), with the
// ticket it last pushed valid 12 h (61006 for another, 61005 once old),
// component tokens of 7200 s (40001 when bad or expired), pre-auth codes of
// 600 s, authorization codes exchanged once (61009, 61010 once expired),
// per-account authorizer tokens and refresh tokens (61023 for a stale one,
// optional rotation), 61003 for an account that has not authorized, a
// switchable 61004 (allow-list) and per-operation call counts and scripts.
// Its functions play the admin and WeChat: AuthorizeAccount, Reauthorize,
// Revoke, RotateRefreshToken, and pushes signed and encrypted with wxcrypt
// (PushTicket, PushAuthorized, PushUnauthorized, or SealPush to tamper
// with one first). get_industry accepts an authorizer_access_token and
// answers that account's own industry (AccountIndustry, SetAccountIndustry).
// It plays WeChat's authorization pages too (GET /cgi-bin/componentloginpage
// and /wxaopen/safe/bindcomponent, configured with SetAuthPage): a Referer
// and redirect_uri on the registered domain and an unused pre_auth_code it
// issued get a confirm button, whose POST authorizes an account, pushes the
// authorized event and redirects to redirect_uri?auth_code=…&expires_in=…,
// push first or redirect first.
//
// A separately running process, such as cmd/localfakes under make local, can
// be scripted over HTTP on the same server (loopback use only):
//
//	POST /_sim/script    JSON array of Fault, e.g. [{"errcode":-1},{"status":502},{"delay":"2s"}]
//	                     (fields errcode, status, body, delay, body_delay, reset; durations as Go
//	                     duration strings); replaces the script; 204
//	POST /_sim/tokens    JSON array of valid access tokens, replacing the set; 204
//	POST /_sim/industry  JSON industry object in WeChat's shape; 204
//	POST /_sim/reset     clears the scripts and the counters; 204
//	GET  /_sim/stats     {"calls":N,"scripted":M,"stable_token_calls":K}: get_industry requests
//	                     received, faults left, stable_token requests received
//	POST /_sim/app       {"appid":"...","appsecret":"..."}: enable stable_token for an app; 204
//	POST /_sim/advance   {"by":"2h"}: move the simulator's clock forward; 204
//	POST /_sim/stable_token/script  JSON array of Fault for the next stable_token replies; 204
//	POST /_sim/component {"appid","appsecret","token","encoding_aes_key"}: play WeChat for this platform; 204
//	POST /_sim/component/authorize {"funcs":[1,2]}: a new account; {"appid","auth_code"}
//	POST /_sim/component/reauthorize, /revoke, /rotate_refresh_token {"appid":"wx..."}
//	POST /_sim/component/push {"url","info_type","appid","auth_code"}: sign, encrypt and send a push;
//	                     {"status":N,"body":"..."} as the receiver answered
//	POST /_sim/component/ip_allowed {"allowed":false}: answer 61004 from now on; 204
//	POST /_sim/component/script {"op":"api_query_auth","faults":[...]}; 204
//	POST /_sim/component/auth_page {"domain","receiver_url","redirect_first","funcs"}: configure the
//	                     authorization page; 204
//	POST /_sim/component/send_held_pushes: send the pushes redirect_first held; [{"status","body"}]
//	GET  /_sim/component/stats {"calls":{"api_query_auth":N,...},"accounts":N,"authorized":M}
//
// See https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html,
// https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken.html,
// and https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/component_access_token.html.
package wxtest
