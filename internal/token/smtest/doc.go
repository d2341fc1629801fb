// Package smtest is an in-memory fake of AWS Secrets Manager that speaks the
// service's real wire protocol (AWS JSON 1.1), so the real SDK v2 client can be
// pointed at it through its BaseEndpoint (or AWS_ENDPOINT_URL_SECRETS_MANAGER).
// A [Fake] is an [http.Handler] serving POST / with the X-Amz-Target operations
// secretsmanager.GetSecretValue and secretsmanager.PutSecretValue; any other
// target is answered with 400 UnknownOperationException, and a request without
// an Authorization header with 400 MissingAuthenticationTokenException (the
// SigV4 signature itself is not verified). Errors have the AWS shape: a JSON
// body {"__type":"...","message":"..."} and an X-Amzn-ErrorType header. Tests
// script failures with [Fake.Fail] and count calls with [Fake.Calls].
//
// A separately running process (cmd/localfakes, used by make local) is driven
// through a small control API on the same handler:
//
//	POST /_fake/secret  {"id":"wechat/token","value":"..."}            set a secret (204)
//	POST /_fake/delete  {"id":"wechat/token"}                          delete a secret (204)
//	POST /_fake/fail    {"id":"wechat/token","faults":[{"type":"ThrottlingException","status":400,"delay":"2s","op":"GetSecretValue"}]}
//	                    the next len(faults) GetSecretValue calls fail (204)
//	GET  /_fake/stats   {"calls":{"wechat/token":3},"puts":{"wechat/token":1}}
//
// See https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
// for the operation this fake imitates.
package smtest
