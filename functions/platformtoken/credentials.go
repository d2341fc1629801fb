package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/wxindustry/getindustry/internal/redact"
	"github.com/wxindustry/getindustry/internal/token"
	"github.com/wxindustry/getindustry/internal/wxcrypt"
)

// credentialsTTL is how long the credentials secret, once read, is used
// before it is read again. A process reads it at its first invoke and then
// at most once per TTL, not at cold start: a cold start that could not
// read it would fail every invoke of the instance, and reading per push
// would put a Secrets Manager call inside WeChat's 5 seconds. A rotated
// secret takes effect within the TTL.
const credentialsTTL = 5 * time.Minute

// secretGetter is the part of the Secrets Manager client the service uses.
type secretGetter interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// platformCredentials are the third-party platform's credentials, from the
// secret WX_COMPONENT_SECRET_ID. They print with the secrets redacted.
type platformCredentials struct {
	AppID          string `json:"component_appid"`
	AppSecret      string `json:"component_appsecret"`
	Token          string `json:"token"`
	EncodingAESKey string `json:"encoding_aes_key"`
	// OnboardKey is optional: when set, the onboarding pages want it (the
	// key parameter, then the cookie derived from it); see onboard.Config.
	OnboardKey string `json:"onboard_key"`

	codec *wxcrypt.Codec // built from Token, EncodingAESKey and AppID
}

// String returns the component appid only.
func (c *platformCredentials) String() string {
	return "platformCredentials{AppID:" + c.AppID + ", secrets:REDACTED}"
}

// GoString makes %#v print the same as String.
func (c *platformCredentials) GoString() string { return c.String() }

// credentialSource reads the credentials secret and keeps it for
// credentialsTTL. It registers the appsecret, the message token and the
// AES key with secrets (nil: none), which the logger masks, at every read.
// It is safe for concurrent use; concurrent callers after the TTL wait for
// one read.
type credentialSource struct {
	sm      secretGetter
	id      string
	now     func() time.Time
	secrets *redact.Secrets

	mu   sync.Mutex
	held *platformCredentials
	at   time.Time
}

// errCredentials wraps every reason the credentials cannot be used.
var errCredentials = errors.New("platform credentials unavailable")

// get returns the credentials, reading the secret when the held copy is
// older than credentialsTTL. Errors wrap errCredentials and never quote the
// secret's value.
func (c *credentialSource) get(ctx context.Context) (*platformCredentials, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held != nil && c.now().Sub(c.at) < credentialsTTL {
		return c.held, nil
	}
	out, err := c.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &c.id})
	if err != nil {
		return nil, fmt.Errorf("%w: read secret %q: %s", errCredentials, c.id, token.FromSDK(c.id, err).Reason)
	}
	if out.SecretString == nil {
		return nil, fmt.Errorf("%w: secret %q holds no SecretString", errCredentials, c.id)
	}
	var pc platformCredentials
	if json.Unmarshal([]byte(*out.SecretString), &pc) != nil {
		return nil, fmt.Errorf(`%w: secret %q is not a JSON object {"component_appid","component_appsecret","token","encoding_aes_key"}`, errCredentials, c.id)
	}
	for _, f := range []*string{&pc.AppID, &pc.AppSecret, &pc.Token, &pc.EncodingAESKey, &pc.OnboardKey} {
		*f = strings.TrimSpace(*f)
	}
	for _, v := range []string{pc.AppSecret, pc.Token, pc.EncodingAESKey, pc.OnboardKey} {
		c.secrets.Add(v)
	}
	if pc.AppID == "" || pc.AppSecret == "" || pc.Token == "" || pc.EncodingAESKey == "" {
		return nil, fmt.Errorf("%w: secret %q: component_appid, component_appsecret, token or encoding_aes_key missing or empty", errCredentials, c.id)
	}
	codec, err := wxcrypt.NewCodec(pc.Token, pc.EncodingAESKey, pc.AppID)
	if err != nil {
		return nil, fmt.Errorf("%w: secret %q: encoding_aes_key is not 43 base64 characters", errCredentials, c.id)
	}
	pc.codec = codec
	c.held, c.at = &pc, c.now()
	return c.held, nil
}
