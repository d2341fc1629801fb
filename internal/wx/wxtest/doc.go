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
// A separately running process, such as cmd/localfakes under make local, can
// be scripted over HTTP on the same server (loopback use only):
//
//	POST /_sim/script    JSON array of Fault, e.g. [{"errcode":-1},{"status":502},{"delay":"2s"}]
//	                     (fields errcode, status, body, delay, body_delay, reset; durations as Go
//	                     duration strings); replaces the script; 204
//	POST /_sim/tokens    JSON array of valid access tokens, replacing the set; 204
//	POST /_sim/industry  JSON industry object in WeChat's shape; 204
//	POST /_sim/reset     clears the script and the counters; 204
//	GET  /_sim/stats     {"calls":N,"scripted":M}: get_industry requests received, faults left
//
// See https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html.
package wxtest
