// Package onboard serves the pages through which an Official Account's admin
// authorizes a WeChat third-party platform: an entry page of ours with one
// link, a click route that asks WeChat for a pre_auth_code and redirects to
// WeChat's authorization page (componentloginpage on a computer, the H5
// bindcomponent page on a phone), and the callback WeChat sends the browser
// back to with the authorization code. WeChat serves its page only when the
// browser arrives by a click from a page on the platform's registered
// "authorization initiation page domain" (it reads the Referer), so the entry
// page is a page, not a redirect, and every answer keeps our origin in the
// Referer. The WeChat calls and the table belong to the platform token
// service; this package reaches them through two one-method interfaces,
// PreAuthCoder and Authorizer. Handler.AuthorizeURL serves the direct
// invocation {"action":"authorize_url",...} for platforms whose own web app
// holds the entry page.
// See https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/operation/thirdparty/Before_Develop/Authorization_Process_Technical_Description.html.
package onboard
