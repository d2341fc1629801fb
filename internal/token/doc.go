// Package token provides the WeChat access_token read from AWS Secrets
// Manager ([NewSource]) or, for one of many accounts, from its item in a
// DynamoDB table ([NewItemSource]). A [Source] caches the token in memory for
// a TTL, refreshes it early when the secret's expires_at is near, lets concurrent callers share one
// GetSecretValue call, drops exactly the token WeChat rejected when asked to
// ([Source.Invalidate]), and keeps serving a still-valid token when Secrets
// Manager fails. The secret holds either the bare token or a JSON object
// {"access_token":"...","expires_at":"<RFC 3339>"} (see [ParseSecret]).
// Failures are [*Error] values whose text never contains the secret value;
// retries of throttled or failed calls are left to the SDK's own retryer,
// configured by the caller. The two stores differ only in the one read a
// Source makes; the cache, the shared read, Invalidate and the stale rules are
// the same code. See
// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
// and https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_access_token.html.
package token
