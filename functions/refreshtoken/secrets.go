package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/wxindustry/getindustry/internal/token"
)

// secretsAPI is the part of the Secrets Manager client the refresher uses;
// *secretsmanager.Client implements it.
type secretsAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
}

// appCredentials are the app's WeChat credentials. They print and log with the
// appsecret redacted.
type appCredentials struct {
	AppID     string `json:"appid"`
	AppSecret string `json:"appsecret"`
}

// String returns the credentials with the appsecret redacted.
func (c appCredentials) String() string {
	return "appCredentials{AppID:" + c.AppID + ", AppSecret:REDACTED}"
}

// GoString makes %#v print the same as String.
func (c appCredentials) GoString() string { return c.String() }

// LogValue logs the appid only.
func (c appCredentials) LogValue() slog.Value { return slog.StringValue(c.AppID) }

// readCredentials reads {"appid","appsecret"} from the credentials secret,
// afresh on every run (they may be rotated). Any failure, a malformed value
// included, is CredentialsUnavailable; the message never quotes the value.
func readCredentials(ctx context.Context, sm secretsAPI, id string) (appCredentials, *failure) {
	unusable := func(reason string, cause error) (appCredentials, *failure) {
		if cause == nil {
			cause = fmt.Errorf("credentials secret %q: %s", id, reason)
		}
		return appCredentials{}, fail(typeCredentialsUnavailable, "the app credentials secret cannot be used: "+reason, cause)
	}
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &id})
	if err != nil {
		return unusable(token.FromSDK(id, err).Reason, fmt.Errorf("read credentials secret: %w", err))
	}
	if out.SecretString == nil {
		return unusable("it holds no SecretString", nil)
	}
	var c appCredentials
	if json.Unmarshal([]byte(*out.SecretString), &c) != nil {
		return unusable(`it is not a JSON object {"appid":"...","appsecret":"..."}`, nil)
	}
	c.AppID, c.AppSecret = strings.TrimSpace(c.AppID), strings.TrimSpace(c.AppSecret)
	if c.AppID == "" || c.AppSecret == "" {
		return unusable("appid or appsecret missing or empty", nil)
	}
	return c, nil
}

// readToken reads the token secret. A secret without a current value
// (ResourceNotFoundException, as for a secret created empty) gives an empty
// state and found false; the write that follows then fails if the secret
// does not exist at all. A value that cannot be used is an empty state too
// (the refresher overwrites it), with a note for the log. Other failures
// are TokenUnavailable.
func readToken(ctx context.Context, sm secretsAPI, id string) (st token.Secret, found bool, note string, f *failure) {
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &id})
	var nf *types.ResourceNotFoundException
	switch {
	case errors.As(err, &nf):
		return token.Secret{}, false, "", nil
	case err != nil:
		return token.Secret{}, false, "", fail(typeTokenUnavailable, "the token secret cannot be read: "+token.FromSDK(id, err).Reason,
			fmt.Errorf("read token secret: %w", err))
	case out.SecretString == nil:
		return token.Secret{}, true, "token secret holds no SecretString", nil
	}
	st, err = token.DecodeSecret(*out.SecretString, "")
	var te *token.Error
	if errors.As(err, &te) {
		note = te.Reason
	}
	return st, true, note, nil
}

// writeToken stores st as the token secret's new current version.
func writeToken(ctx context.Context, sm secretsAPI, id string, st token.Secret) *failure {
	value, err := st.Encode()
	if err != nil {
		return fail(typeInternal, "internal error", fmt.Errorf("encode token secret: %w", err))
	}
	if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: &id, SecretString: &value}); err != nil {
		return fail(typeTokenUnavailable, "the token secret cannot be written: "+token.FromSDK(id, err).Reason,
			fmt.Errorf("write token secret: %w", err))
	}
	return nil
}
