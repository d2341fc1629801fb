// Command refreshtoken is the AWS Lambda function that keeps the token
// secret getindustry reads in step with WeChat's stable access token
// (getStableAccessToken). On a schedule it runs in normal mode ({}): it reads
// the app credentials afresh, asks WeChat for the current token, and writes
// {"access_token","expires_at"} to the token secret only when the token
// changed and is newer than what the secret holds. Invoked with
// {"force_refresh": true}, after a leak, it makes WeChat issue a new token,
// refusing (ForceRefreshLimited) a force that WeChat's limits of 20 a day,
// 30 s apart would refuse, by the record it keeps in the secret's forced_at
// field. main only wires the parts together; refresh.go holds the steps and
// state.go the rules. See
// https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken.html.
package main
