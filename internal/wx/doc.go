// Package wx is a small client for the WeChat Official Account API. It calls
// getIndustry (GET /cgi-bin/template/get_industry) with an access_token taken
// from a TokenSource, retries transient failures with exponential backoff and
// full jitter inside the caller's deadline, re-reads the token once when WeChat
// rejects it, and reports failures as *Error (errcode or HTTP status) or as the
// sentinels ErrBadResponse, ErrTimeout and ErrUnavailable. Retries never
// outlive the caller's deadline: when the time left is shorter than the
// backoff wait plus one AttemptTimeout, the client still waits and makes one
// final attempt, its timeout shrunk to what remains, if at least 50ms (or
// AttemptTimeout, when smaller) remain after the wait; otherwise it returns
// the last error at once instead of sleeping. StableToken fetches the
// account's access token itself (POST /cgi-bin/stable_token, normal or force
// mode) for a token refresher; a forced call, not idempotent, is never
// retried. The access_token, and the appsecret StableToken sends, never
// appear in an error string or a log line: URLs inside errors are rebuilt
// with access_token=REDACTED (see Redact). A Client is safe for concurrent
// use. See
// https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html,
// https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken.html
// and https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html.
package wx
