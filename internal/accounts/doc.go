// Package accounts serves many WeChat Official Accounts from one process,
// for the multi-account mode of getindustry: a [Registry] keeps, per appid,
// a token source reading the account's DynamoDB item, a WeChat client with
// that source, and an industry cache, in a bounded LRU (least recently used
// out), and remembers for a while the appids that have no item, so that a
// caller cycling through unknown appids costs one read per appid per
// MissTTL. See https://developers.weixin.qq.com/doc/oplatform/en/Third-party_Platforms/2.0/api/Before_Develop/creat_token.html.
package accounts
