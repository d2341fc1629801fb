package awsenv

import (
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
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
	region, creds, err := fromEnv(getenv)
	if err != nil {
		return nil, err
	}
	return secretsmanager.New(secretsmanager.Options{
		Region:       region,
		Credentials:  creds,
		BaseEndpoint: endpoint(getenv, "AWS_ENDPOINT_URL_SECRETS_MANAGER"),
		Retryer:      shortRetryer(),
	}), nil
}

// DynamoDB builds the DynamoDB client as SecretsManager builds its client:
// the same region, credentials and short retryer, and
// AWS_ENDPOINT_URL_DYNAMODB (or AWS_ENDPOINT_URL) honoured as the SDK does,
// which is how tests and the local stack point it at dynalite.
func DynamoDB(getenv func(string) string) (*dynamodb.Client, error) {
	region, creds, err := fromEnv(getenv)
	if err != nil {
		return nil, err
	}
	return dynamodb.New(dynamodb.Options{
		Region:       region,
		Credentials:  creds,
		BaseEndpoint: endpoint(getenv, "AWS_ENDPOINT_URL_DYNAMODB"),
		Retryer:      shortRetryer(),
	}), nil
}

// fromEnv reads the region and the credentials that Lambda gives a function.
func fromEnv(getenv func(string) string) (string, aws.CredentialsProvider, error) {
	region := getenv("AWS_REGION")
	if region == "" {
		region = getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		return "", nil, errors.New("AWS_REGION: required (Lambda sets it)")
	}
	switch {
	case getenv("AWS_ACCESS_KEY_ID") != "" && getenv("AWS_SECRET_ACCESS_KEY") == "":
		return "", nil, errors.New("AWS_SECRET_ACCESS_KEY: required with AWS_ACCESS_KEY_ID")
	case getenv("AWS_ACCESS_KEY_ID") != "":
		return region, credentials.NewStaticCredentialsProvider(
			getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"), getenv("AWS_SESSION_TOKEN")), nil
	case getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") != "":
		return region, aws.NewCredentialsCache(endpointcreds.New(getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
			func(o *endpointcreds.Options) { o.AuthorizationToken = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN") })), nil
	}
	return "", nil, errors.New("AWS_ACCESS_KEY_ID: no AWS credentials in the environment (Lambda sets them)")
}

// endpoint returns the service's own endpoint variable, else
// AWS_ENDPOINT_URL, else nil (the SDK's endpoint for the region).
func endpoint(getenv func(string) string, serviceVar string) *string {
	for _, name := range []string{serviceVar, "AWS_ENDPOINT_URL"} {
		if v := getenv(name); v != "" {
			return aws.String(v)
		}
	}
	return nil
}

// shortRetryer retries as the SDK's standard retryer does, with few enough
// attempts and short enough waits that a call fits in an invoke.
func shortRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 3
		o.MaxBackoff = 500 * time.Millisecond
	})
}
