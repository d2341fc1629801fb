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

// tokenState is the token secret as the refresher read it.
type tokenState struct {
	token.Secret
	found   bool   // the secret has a current value
	note    string // why the value could not be used as it is, for the log
	history string // why the force history cannot be read; "" when it can
}

// readToken reads the token secret. A secret without a current value
// (ResourceNotFoundException, as for a secret created empty) gives an empty
// state and found false; the write that follows then fails if the secret
// does not exist at all. A value that cannot be used is an empty state too
// (the refresher overwrites it), with a note for the log, and history says
// why the forces it may have recorded cannot be read (see historyProblem).
// Other failures are TokenUnavailable.
func readToken(ctx context.Context, sm secretsAPI, id string) (tokenState, *failure) {
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &id})
	var nf *types.ResourceNotFoundException
	switch {
	case errors.As(err, &nf):
		return tokenState{}, nil
	case err != nil:
		return tokenState{}, fail(typeTokenUnavailable, "the token secret cannot be read: "+token.FromSDK(id, err).Reason,
			fmt.Errorf("read token secret: %w", err))
	case out.SecretString == nil:
		return tokenState{found: true, note: "token secret holds no SecretString", history: "the token secret holds no SecretString"}, nil
	}
	st := tokenState{found: true}
	var err2 error
	st.Secret, err2 = token.DecodeSecret(*out.SecretString, "")
	var te *token.Error
	if errors.As(err2, &te) {
		st.note = te.Reason
	}
	st.history = historyProblem(*out.SecretString, st.Secret)
	return st, nil
}

// historyProblem says why the forces recorded in value (decoded as s)
// cannot all be read, or returns "" when they can. A value that starts
// like a JSON object but is not one, a forced_at that is not a list, or
// an entry that is not an RFC 3339 time: the refresher cannot tell how
// many forces were spent, so it refuses to force (better one refused force
// than a 21st). A bare token (no JSON at all) has no history to lose: it is
// what a user stores by hand before the first run, and the refresher
// never writes one; WeChat still refuses a force over its own limit.
func historyProblem(value string, s token.Secret) string {
	v := strings.TrimSpace(value)
	if v == "" || v[0] != '{' {
		return ""
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal([]byte(v), &obj) != nil {
		return "the token secret is not valid JSON"
	}
	raw, ok := obj["forced_at"]
	if !ok || string(raw) == "null" {
		return ""
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return "forced_at in the token secret is not a list"
	}
	if len(list) != len(s.ForcedAt) {
		return "forced_at in the token secret holds entries that are not RFC 3339 times"
	}
	return ""
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
