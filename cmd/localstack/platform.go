package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wxindustry/getindustry/internal/accountstest"
	"github.com/wxindustry/getindustry/internal/rie"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
	"github.com/wxindustry/getindustry/internal/wxcrypt"
)

// platformSecretID holds the third-party platform's credentials.
const platformSecretID = "getindustry/platform-credentials"

// platformComponent is the made-up platform of the third part of make local.
var platformComponent = wxtest.Component{
	AppID:          "wx00000000000b0a7d",
	AppSecret:      "local-platform-secret-not-a-secret",
	Token:          "local-platform-message-token",
	EncodingAESKey: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq",
}

// platformCreds is the credentials secret's value.
func platformCreds() string { return credsOf(platformComponent) }

// credsOf is c's credentials secret value.
func credsOf(c wxtest.Component) string {
	b, _ := json.Marshal(map[string]string{"component_appid": c.AppID,
		"component_appsecret": c.AppSecret, "token": c.Token, "encoding_aes_key": c.EncodingAESKey})
	return string(b)
}

// componentOps are the WeChat calls the platform token service makes.
var componentOps = []string{"api_component_token", "api_create_preauthcode", "api_query_auth",
	"api_authorizer_token", "api_get_authorizer_list", "api_get_authorizer_info"}

// platformEnv is the platform token service's environment.
func platformEnv(f *fakes, s *accountstest.Stack, wxURL, front string) []string {
	return append(f.awsEnv()[1:], "WX_COMPONENT_SECRET_ID="+platformSecretID, "WX_TOKEN_TABLE="+s.Table,
		"WX_API_BASE_URL="+wxURL, "AWS_ENDPOINT_URL_DYNAMODB="+s.URL, "WX_PUBLIC_BASE_URL="+front,
		"WX_AUTH_PAGE_BASE_URL="+wxURL, "WX_AUTH_H5_BASE_URL="+wxURL, "AWS_LAMBDA_FUNCTION_NAME=PlatformTokenFunction")
}

// platformStack is the platform token service under the emulator behind a
// loopback Function URL front.
type platformStack struct {
	sim   *wxtest.Simulator // its own WeChat simulator, on real time (make local moves the first one's clock)
	wx    *httptest.Server
	emu   *rie.Emulator
	front *httptest.Server
	mu    sync.Mutex // the emulator runs one invoke at a time
}

// startServedPlatform starts the platform token service for make serve:
// the platform is the multi-account part's (accountstest.Component) on
// f's simulator, so that accounts onboarded in a browser answer through
// the multi-account getindustry too; publicBase is the serve address. It
// has the simulator push a ticket, gets the component token, and points
// the simulator's authorization page at publicBase. It returns the
// Function URL front's handler, to route /component/ to.
func startServedPlatform(ctx context.Context, f *fakes, s *accountstest.Stack, dir, publicBase string, output io.Writer) (http.Handler, func(), error) {
	boot, err := rie.BuildBootstrap(ctx, "./functions/platformtoken", filepath.Join(dir, "platformtoken"))
	if err != nil {
		return nil, nil, err
	}
	const servedSecretID = "getindustry/served-platform-credentials"
	f.secrets.SetSecret(servedSecretID, credsOf(accountstest.Component()))
	env := platformEnv(f, s, f.wxURL, publicBase)
	env = append(env, "WX_COMPONENT_SECRET_ID="+servedSecretID)
	p := &platformStack{sim: f.sim}
	if p.emu, err = rie.Start(ctx, rie.Options{Bootstrap: boot, Env: env, Timeout: 10 * time.Second, Output: output}); err != nil {
		return nil, nil, err
	}
	front := rie.FunctionURLFront("", p.frontInvoke)
	local := httptest.NewServer(front) // the ticket's way in before the serve address listens
	_, res, err := f.sim.PushTicket(ctx, local.URL+"/component/events")
	local.Close()
	if err == nil && res.Body != "success" {
		err = fmt.Errorf("ticket push answered HTTP %d %s", res.Status, res.Body)
	}
	if err == nil {
		var out []byte
		if _, out, err = p.invoke(ctx, []byte(`{"action":"refresh"}`)); err == nil && !strings.Contains(string(out), `"component_token":"refreshed"`) {
			err = fmt.Errorf("refresh run: %s", out)
		}
	}
	if err != nil {
		p.emu.Close()
		return nil, nil, fmt.Errorf("platform: %w\n%s", err, p.emu.Log.Tail(20))
	}
	f.sim.SetAuthPage(wxtest.AuthPage{Domain: strings.TrimPrefix(publicBase, "http://"),
		ReceiverURL: publicBase + "/component/events", Order: wxtest.PushBeforeRedirect})
	return front, p.emu.Close, nil
}

func (p *platformStack) invoke(ctx context.Context, payload []byte) (int, []byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.emu.Invoke(ctx, payload)
}

func (p *platformStack) Close() { p.front.Close(); p.emu.Close(); p.wx.Close() }

// startPlatform builds and starts the platform token service.
func startPlatform(ctx context.Context, f *fakes, s *accountstest.Stack, dir string, output io.Writer) (*platformStack, error) {
	boot, err := rie.BuildBootstrap(ctx, "./functions/platformtoken", filepath.Join(dir, "platformtoken"))
	if err != nil {
		return nil, err
	}
	p := &platformStack{sim: wxtest.NewSimulator()}
	if err := p.sim.SetComponent(platformComponent); err != nil {
		return nil, err
	}
	p.wx = wxtest.NewServer(p.sim)
	p.front = httptest.NewServer(rie.FunctionURLFront("", p.frontInvoke))
	p.emu, err = rie.Start(ctx, rie.Options{Bootstrap: boot, Env: platformEnv(f, s, p.wx.URL, p.front.URL), Timeout: 10 * time.Second, Output: output})
	if err != nil {
		p.front.Close()
		p.wx.Close()
		return nil, err
	}
	return p, nil
}

// frontInvoke is p.invoke for rie.FunctionURLFront: an emulator answer
// other than HTTP 200 (a crash) is an error.
func (p *platformStack) frontInvoke(ctx context.Context, payload []byte) ([]byte, error) {
	status, out, err := p.invoke(ctx, payload)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("emulator answered HTTP %d", status)
	}
	return out, err
}

// wechatCalls returns the simulator's count of each component call.
func wechatCalls(sim *wxtest.Simulator) map[string]int {
	m := map[string]int{}
	for _, op := range componentOps {
		m[op] = sim.ComponentCalls(op)
	}
	return m
}

// callsSince formats the component calls made since before: "none" or
// "api_query_auth 1, ...".
func callsSince(sim *wxtest.Simulator, before map[string]int) string {
	var out []string
	for op, n := range wechatCalls(sim) {
		if d := n - before[op]; d != 0 {
			out = append(out, fmt.Sprintf("%s %d", op, d))
		}
	}
	if len(out) == 0 {
		return "none"
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// showPlatform is make local's third part: the platform token service
// writes the accounts' items that a multi-account getindustry reads.
func showPlatform(ctx context.Context, f *fakes, s *accountstest.Stack, dir string, output io.Writer,
	start func(env []string) (*rie.Emulator, error), stdout io.Writer) error {
	fmt.Fprintln(stdout, "\n-- third-party platform: the platform token service (functions/platformtoken) under the emulator, behind a loopback Function URL")
	p, err := startPlatform(ctx, f, s, dir, output)
	if err != nil {
		return err
	}
	defer p.Close()
	receiver := p.front.URL + "/component/events"
	fmt.Fprintf(stdout, "   receiver %s, credentials secret %s, table %s (the one getindustry reads)\n", receiver, platformSecretID, s.Table)
	// getindustry asks the platform's simulator (the last WX_API_BASE_URL wins).
	gi, err := start(append(accountsEnv(f, s), "WX_INDUSTRY_CACHE_TTL=0", "WX_API_BASE_URL="+p.wx.URL))
	if err != nil {
		return err
	}
	defer gi.Close()
	sim := p.sim
	fail := func(step string, err error) error {
		return fmt.Errorf("platform: %s: %w\n%s", step, err, p.emu.Log.Tail(20))
	}
	pushLine := func(what string, res wxtest.PushResult, before map[string]int) {
		fmt.Fprintf(stdout, "push %s: HTTP %d %s; WeChat calls: %s\n", what, res.Status, res.Body, callsSince(sim, before))
	}
	answer := func(appID, note string) error {
		r := httptest.NewRequest(http.MethodGet, "/accounts/"+appID+"/industry", nil)
		r.RemoteAddr = "127.0.0.1:40000"
		payload, _ := json.Marshal(httpAPIEvent(r, nil, "local-platform"))
		_, out, err := gi.Invoke(ctx, payload)
		if err != nil {
			return fail("getindustry", err)
		}
		var resp events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			return fail("getindustry", err)
		}
		summary := resp.Body
		var body struct {
			Secondary struct {
				SecondClass string `json:"second_class"`
			} `json:"secondary_industry"`
			Error struct{ Code string }
		}
		if json.Unmarshal([]byte(resp.Body), &body) == nil {
			if body.Error.Code != "" {
				summary = body.Error.Code
			} else if body.Secondary.SecondClass == appID {
				summary = "its own industry (secondary second_class " + appID + ")"
			}
		}
		fmt.Fprintf(stdout, "getindustry GET /accounts/%s/industry%s: HTTP %d %s\n", appID, note, resp.StatusCode, summary)
		return nil
	}

	fmt.Fprintln(stdout)
	before := wechatCalls(sim)
	_, res, err := sim.PushTicket(ctx, receiver)
	if err != nil {
		return fail("ticket", err)
	}
	pushLine("component_verify_ticket (signed, encrypted)", res, before)

	before = wechatCalls(sim)
	_, out, err := p.invoke(ctx, []byte(`{"action":"refresh"}`))
	if err != nil {
		return fail("refresh", err)
	}
	var rep struct {
		ComponentToken string `json:"component_token"`
		Due, Refreshed int
		Recovered      int
	}
	_ = json.Unmarshal(out, &rep)
	fmt.Fprintf(stdout, "scheduled run: component token %s; WeChat calls: %s\n", rep.ComponentToken, callsSince(sim, before))

	var appIDs []string
	for range 3 {
		appID, code, err := sim.AuthorizeAccount()
		if err != nil {
			return err
		}
		before = wechatCalls(sim)
		res, err := sim.PushAuthorized(ctx, receiver, appID, code, false)
		if err != nil {
			return fail("authorized", err)
		}
		pushLine("authorized for "+appID, res, before)
		appIDs = append(appIDs, appID)
	}
	for _, a := range appIDs {
		if err := answer(a, ""); err != nil {
			return err
		}
	}

	domain := strings.TrimPrefix(p.front.URL, "http://")
	sim.SetAuthPage(wxtest.AuthPage{Domain: domain, ReceiverURL: receiver, Order: wxtest.PushBeforeRedirect, Funcs: []int{1, 15}})
	fmt.Fprintf(stdout, "\nonboarding without a browser (to click it in your own browser: make serve, then open %s):\n", "http://127.0.0.1:3000/component/authorize")
	before = wechatCalls(sim)
	onboarded, err := onboardOnce(ctx, p.front.URL, stdout)
	if err != nil {
		return fail("onboarding", err)
	}
	if st := sim.AuthPageStats(); len(st.Pushes) == 1 {
		fmt.Fprintf(stdout, "onboarding: the authorized push: HTTP %d %s\n", st.Pushes[0].Status, st.Pushes[0].Body)
	}
	fmt.Fprintf(stdout, "onboarding: WeChat calls: %s\n", callsSince(sim, before))
	if err := answer(onboarded, " (onboarded)"); err != nil {
		return err
	}

	fmt.Fprintln(stdout)
	revoked := appIDs[2]
	sim.Revoke(revoked)
	before = wechatCalls(sim)
	if res, err = sim.PushUnauthorized(ctx, receiver, revoked); err != nil {
		return fail("unauthorized", err)
	}
	pushLine("unauthorized for "+revoked+" (the admin revoked)", res, before)
	if err := answer(revoked, " (revoked)"); err != nil {
		return err
	}

	lost := appIDs[0]
	sim.RotateRefreshToken(lost)
	_, err = s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.Table,
		Key:              map[string]types.AttributeValue{"appid": &types.AttributeValueMemberS{Value: lost}},
		UpdateExpression: new("SET expires_at = :e"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":e": &types.AttributeValueMemberS{
			Value: time.Now().Add(5 * time.Minute).UTC().Format(time.RFC3339)}}})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%s's refresh token is lost (WeChat holds another one) and its token is due\n", lost)
	before = wechatCalls(sim)
	if _, out, err = p.invoke(ctx, []byte(`{"action":"refresh"}`)); err != nil {
		return fail("refresh", err)
	}
	rep.Due, rep.Refreshed, rep.Recovered = 0, 0, 0
	_ = json.Unmarshal(out, &rep)
	fmt.Fprintf(stdout, "run: %d due, %d refreshed, %d recovered through api_get_authorizer_list; WeChat calls: %s\n",
		rep.Due, rep.Refreshed, rep.Recovered, callsSince(sim, before))
	if err := answer(lost, " (recovered)"); err != nil {
		return err
	}

	sealed, err := sim.SealPush(wxcrypt.Message{InfoType: wxcrypt.InfoUnauthorized, AuthorizerAppID: appIDs[1]})
	if err != nil {
		return err
	}
	sealed.Query.Set("msg_signature", strings.Repeat("0", 40))
	before = wechatCalls(sim)
	if res, err = sealed.Send(ctx, receiver); err != nil {
		return fail("forged push", err)
	}
	pushLine("forged unauthorized for "+appIDs[1]+" (bad signature)", res, before)
	if err := answer(appIDs[1], " (after the forged push)"); err != nil {
		return err
	}
	if res.Status == http.StatusOK {
		return errors.New("platform: the forged push was accepted")
	}
	return nil
}
