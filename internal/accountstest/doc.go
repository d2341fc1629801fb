// Package accountstest sets up authorized accounts for the local runs and
// the benchmark of multi-account mode (cmd/localstack, cmd/bench): the
// WeChat simulator (wxtest) plays WeChat for a made-up third-party platform
// and issues each account its own authorizer_access_token through the real
// component API (api_component_token, api_query_auth, api_authorizer_token,
// called with wx.Client), and the token table on dynalite (ddbtest) gets
// each account's item as README's "Many accounts" contract has it: key
// appid, access_token, expires_at (RFC 3339). Start puts it together
// behind a ReadCounter; a CallLog in front of the simulator tells each
// account's WeChat calls apart. Both count at the fakes, so the function
// itself needs no counters.
//
// See https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/authorization_info.html.
package accountstest
