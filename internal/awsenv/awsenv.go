package awsenv

import (
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// SecretsManager builds the Secrets Manager client from what Lambda puts in
// the environment: the region, and either the execution role's credentials
// as variables or a container credentials endpoint (init caching).
// AWS_ENDPOINT_URL_SECRETS_MANAGER (or AWS_ENDPOINT_URL) is honoured as the
// SDK itself does, which is how the local stack points it at the fake. The
// client retries throttling, 5xx and connection errors with the SDK's own
// standard retryer, kept short so that a call fits in an invoke; retried
// PutSecretValue calls reuse the SDK's ClientRequestToken, so a retried
// write creates one version, not two.
func SecretsManager(getenv func(string) string) (*secretsmanager.Client, error) {
	region := getenv("AWS_REGION")
	if region == "" {
		region = getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		return nil, errors.New("AWS_REGION: required (Lambda sets it)")
	}
	var creds aws.CredentialsProvider
	switch {
	case getenv("AWS_ACCESS_KEY_ID") != "" && getenv("AWS_SECRET_ACCESS_KEY") == "":
		return nil, errors.New("AWS_SECRET_ACCESS_KEY: required with AWS_ACCESS_KEY_ID")
	case getenv("AWS_ACCESS_KEY_ID") != "":
		creds = credentials.NewStaticCredentialsProvider(
			getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"), getenv("AWS_SESSION_TOKEN"))
	case getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") != "":
		creds = aws.NewCredentialsCache(endpointcreds.New(getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
			func(o *endpointcreds.Options) { o.AuthorizationToken = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN") }))
	default:
		return nil, errors.New("AWS_ACCESS_KEY_ID: no AWS credentials in the environment (Lambda sets them)")
	}
	var endpoint *string
	for _, name := range []string{"AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_ENDPOINT_URL"} {
		if v := getenv(name); v != "" {
			endpoint = aws.String(v)
			break
		}
	}
	return secretsmanager.New(secretsmanager.Options{
		Region:       region,
		Credentials:  creds,
		BaseEndpoint: endpoint,
		Retryer:      secretsRetryer(),
	}), nil
}

func secretsRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 3
		o.MaxBackoff = 500 * time.Millisecond
	})
}
