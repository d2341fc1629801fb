package smtest

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// NewClient returns a real SDK v2 Secrets Manager client for baseURL (for
// example a [NewServer]'s URL) with static test credentials, region
// us-east-1, and the SDK's standard retryer (3 attempts) with millisecond
// backoff and no client-side retry quota, so tests exercise SDK retries
// quickly. optFns adjust the options further.
func NewClient(baseURL string, optFns ...func(*secretsmanager.Options)) *secretsmanager.Client {
	opts := secretsmanager.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(baseURL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDSMTEST", "smtest-secret-key", ""),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxBackoff = time.Millisecond
			o.RateLimiter = ratelimit.None
		}),
	}
	return secretsmanager.New(opts, optFns...)
}

// Env returns the environment that points a function's own Secrets Manager
// client (as internal/awsenv builds it from the environment) at the fake
// served at baseURL: the endpoint override, region us-east-1 and dummy
// credentials (the fake checks that a request is signed, not by whom). Add
// the function's own settings to it.
func Env(baseURL string) map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": baseURL,
		"AWS_REGION":                       "us-east-1",
		"AWS_ACCESS_KEY_ID":                "AKIDTEST",
		"AWS_SECRET_ACCESS_KEY":            "test-secret",
		"AWS_SESSION_TOKEN":                "",
	}
}
