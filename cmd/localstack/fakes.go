package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/wxindustry/getindustry/internal/accountstest"
	"github.com/wxindustry/getindustry/internal/token/smtest"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

const (
	secretID      = "getindustry/access-token"
	credsSecretID = "getindustry/app-credentials"
	wrongSecretID = "getindustry/wrong-token"
	// The made-up app that the local simulator issues tokens to.
	localAppID     = "wxlocal0000000000"
	localAppSecret = "local-appsecret-not-a-secret"
	// fixedWeChatAddr and fixedSecretsAddr are used in serve mode, so that
	// events/env.json (for sam local invoke --env-vars) can name them.
	fixedWeChatAddr  = "127.0.0.1:8081"
	fixedSecretsAddr = "127.0.0.1:8082"
)

// fakes are the local stand-ins for WeChat and Secrets Manager.
type fakes struct {
	wx, sm       *http.Server
	wxURL, smURL string
	sim          *wxtest.Simulator
	calls        *accountstest.CallLog // get_industry calls, in front of sim
	secrets      *smtest.Fake
}

// startFakes starts the simulator knowing one app, and Secrets Manager with
// that app's credentials and a token secret as CloudFormation would leave it
// before the refresher first writes it.
func startFakes(fixedPorts bool) (*fakes, error) {
	sim := wxtest.NewSimulator()
	sim.SetApp(localAppID, localAppSecret)
	sm := smtest.NewFake()
	sm.SetSecret(credsSecretID, fmt.Sprintf(`{"appid":%q,"appsecret":%q}`, localAppID, localAppSecret))
	sm.SetSecret(secretID, "placeholder-before-the-first-refresh")
	sm.SetSecret(wrongSecretID, "a-token-wechat-does-not-know")
	sm.SetSecret(platformSecretID, platformCreds())

	wxAddr, smAddr := "127.0.0.1:0", "127.0.0.1:0"
	if fixedPorts {
		wxAddr, smAddr = fixedWeChatAddr, fixedSecretsAddr
	}
	f := &fakes{sim: sim, calls: accountstest.NewCallLog(sim), secrets: sm}
	var err error
	if f.wx, f.wxURL, err = listen(wxAddr, f.calls); err != nil {
		return nil, err
	}
	if f.sm, f.smURL, err = listen(smAddr, sm); err != nil {
		f.wx.Close()
		return nil, err
	}
	return f, nil
}

func listen(addr string, h http.Handler) (*http.Server, string, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Printf("localstack: fake on %s stopped: %v\n", addr, err)
		}
	}()
	return srv, "http://" + l.Addr().String(), nil
}

// env is getindustry's environment under the emulator: the configuration
// of README's Configuration pointed at the fakes.
func (f *fakes) env() []string {
	return append(f.awsEnv(), "WX_API_BASE_URL="+f.wxURL, "AWS_LAMBDA_FUNCTION_NAME=GetIndustryFunction")
}

// refresherEnv is the token refresher's environment under the emulator.
func (f *fakes) refresherEnv() []string {
	return append(f.awsEnv(), "WX_API_BASE_URL="+f.wxURL, "WX_APP_SECRET_ID="+credsSecretID,
		"AWS_LAMBDA_FUNCTION_NAME=RefreshTokenFunction")
}

// awsEnv is what both functions share: the token secret, the Secrets
// Manager endpoint, and dummy AWS credentials (the fake does not check
// signatures; the SDK insists on having some).
func (f *fakes) awsEnv() []string {
	return []string{
		"WX_TOKEN_SECRET_ID=" + secretID,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + f.smURL,
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=AKIDLOCALSTACK",
		"AWS_SECRET_ACCESS_KEY=local-not-a-secret",
		"AWS_LAMBDA_LOG_LEVEL=INFO",
	}
}

func (f *fakes) close() {
	f.wx.Close()
	f.sm.Close()
}

// indent pretty-prints JSON, and returns anything else as it is.
func indent(body []byte) string {
	var out bytes.Buffer
	if err := json.Indent(&out, body, "", "  "); err != nil {
		return string(body)
	}
	return out.String()
}
