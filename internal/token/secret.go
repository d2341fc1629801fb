package token

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// SecretGetter is the one Secrets Manager method a Source needs. It is
// satisfied by *secretsmanager.Client.
type SecretGetter interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// secretReader reads the token from a Secrets Manager secret: the store of
// a Source made by NewSource.
type secretReader struct {
	sm    SecretGetter
	id    string // secret name or ARN
	field string // JSON field holding the token
}

// read makes one GetSecretValue call and parses the value.
func (r *secretReader) read(ctx context.Context) (string, time.Time, error) {
	out, err := r.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(r.id)})
	if err != nil {
		return "", time.Time{}, FromSDK(r.id, err)
	}
	var value string
	switch {
	case out.SecretString != nil:
		value = *out.SecretString
	case out.SecretBinary != nil:
		value = string(out.SecretBinary) // a binary secret holds the same text, as bytes
	default:
		return "", time.Time{}, &Error{SecretID: r.id, Reason: reasonNoValue}
	}
	tok, exp, err := ParseSecret(value, r.field)
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			pe.SecretID = r.id
		}
		return "", time.Time{}, err
	}
	return tok, exp, nil
}
