package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/wxindustry/getindustry/internal/token/smtest"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

const (
	secretID      = "getindustry/access-token"
	wrongSecretID = "getindustry/wrong-token"
	// localToken is a made-up token that only the local simulator accepts.
	localToken = "local-access-token-0123456789"
	// fixedWeChatAddr and fixedSecretsAddr are used in serve mode, so that
	// events/env.json (for sam local invoke --env-vars) can name them.
	fixedWeChatAddr  = "127.0.0.1:8081"
	fixedSecretsAddr = "127.0.0.1:8082"
)

// fakes are the local stand-ins for WeChat and Secrets Manager.
type fakes struct {
	wx, sm       *http.Server
	wxURL, smURL string
}

func startFakes(fixedPorts bool) (*fakes, error) {
	sim := wxtest.NewSimulator(localToken)
	sm := smtest.NewFake()
	expires := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
	sm.SetSecret(secretID, fmt.Sprintf(`{"access_token":%q,"expires_at":%q}`, localToken, expires))
	sm.SetSecret(wrongSecretID, "a-token-wechat-does-not-know")

	wxAddr, smAddr := "127.0.0.1:0", "127.0.0.1:0"
	if fixedPorts {
		wxAddr, smAddr = fixedWeChatAddr, fixedSecretsAddr
	}
	f := &fakes{}
	var err error
	if f.wx, f.wxURL, err = listen(wxAddr, sim); err != nil {
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

// env is the function's environment under the emulator: the configuration
// of DESIGN.md pointed at the fakes, and dummy AWS credentials (the fake does
// not check signatures; the SDK insists on having some).
func (f *fakes) env() []string {
	return []string{
		"WX_TOKEN_SECRET_ID=" + secretID,
		"WX_API_BASE_URL=" + f.wxURL,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + f.smURL,
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=AKIDLOCALSTACK",
		"AWS_SECRET_ACCESS_KEY=local-not-a-secret",
		"AWS_LAMBDA_FUNCTION_NAME=GetIndustryFunction",
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
