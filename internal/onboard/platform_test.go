package onboard_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/wxindustry/getindustry/internal/onboard"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
	"github.com/wxindustry/getindustry/internal/wxcrypt"
)

// testPlatform is the platform the simulator plays WeChat for.
var testPlatform = wxtest.Component{
	AppID:          "wx5555555555555555",
	AppSecret:      "SENTINEL-COMPONENT-SECRET",
	Token:          "SENTINEL-MSG-TOKEN",
	EncodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
}

// fakePlatform stands in for the platform token service: an in-memory
// PreAuthCoder and Authorizer over the simulator's component API, and the
// push receiver at /component/events. Authorize exchanges each code once
// (api_query_auth), whoever asks first, the push or the callback, and
// answers later calls from memory; it counts calls per code.
type fakePlatform struct {
	client *wx.Client
	codec  *wxcrypt.Codec
	ctoken string // component_access_token

	mu        sync.Mutex
	calls     map[string]int // Authorize calls by code
	exchanges map[string]int // api_query_auth calls by code
	accounts  map[string]onboard.Account
	locks     map[string]*sync.Mutex // one exchange at a time per code
	pushes    int
}

var (
	_ onboard.PreAuthCoder = (*fakePlatform)(nil)
	_ onboard.Authorizer   = (*fakePlatform)(nil)
)

// newFakePlatform gets a component token from sim (after a ticket push to a
// throwaway receiver) for the service's calls.
func newFakePlatform(tb testing.TB, sim *wxtest.Simulator, simURL string) *fakePlatform {
	tb.Helper()
	client, err := wx.NewClient(simURL, nil, wx.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	codec, err := wxcrypt.NewCodec(testPlatform.Token, testPlatform.EncodingAESKey, testPlatform.AppID)
	if err != nil {
		tb.Fatal(err)
	}
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "success") }))
	defer sink.Close()
	ticket, _, err := sim.PushTicket(context.Background(), sink.URL)
	if err != nil {
		tb.Fatal(err)
	}
	tok, err := client.ComponentToken(context.Background(), testPlatform.AppID, testPlatform.AppSecret, ticket)
	if err != nil {
		tb.Fatal(err)
	}
	return &fakePlatform{client: client, codec: codec, ctoken: tok.AccessToken, calls: map[string]int{},
		exchanges: map[string]int{}, accounts: map[string]onboard.Account{}, locks: map[string]*sync.Mutex{}}
}

// CreatePreAuthCode implements onboard.PreAuthCoder.
func (p *fakePlatform) CreatePreAuthCode(ctx context.Context) (string, int, error) {
	c, err := p.client.CreatePreAuthCode(ctx, p.ctoken, testPlatform.AppID)
	if err != nil {
		return "", 0, err
	}
	return c.Code, c.ExpiresIn, nil
}

// Authorize implements onboard.Authorizer.
func (p *fakePlatform) Authorize(ctx context.Context, code string) (onboard.Account, error) {
	p.mu.Lock()
	p.calls[code]++
	l := p.locks[code]
	if l == nil {
		l = &sync.Mutex{}
		p.locks[code] = l
	}
	p.mu.Unlock()
	l.Lock()
	defer l.Unlock()
	p.mu.Lock()
	a, done := p.accounts[code]
	if !done {
		p.exchanges[code]++
	}
	p.mu.Unlock()
	if done {
		return a, nil
	}
	auth, err := p.client.QueryAuth(ctx, p.ctoken, testPlatform.AppID, code)
	if err != nil {
		return onboard.Account{}, err
	}
	a = onboard.Account{AppID: auth.AppID, FuncScopes: auth.FuncScopes}
	p.mu.Lock()
	p.accounts[code] = a
	p.mu.Unlock()
	return a, nil
}

// ServeHTTP receives WeChat's pushes: an authorized event exchanges its code.
func (p *fakePlatform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, wxcrypt.MaxBodyLen))
	q := r.URL.Query()
	m, err := p.codec.Open(q.Get("timestamp"), q.Get("nonce"), q.Get("msg_signature"), body)
	if err != nil {
		http.Error(w, "bad push", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	p.pushes++
	p.mu.Unlock()
	if m.InfoType == wxcrypt.InfoAuthorized || m.InfoType == wxcrypt.InfoUpdateAuthorized {
		if _, err := p.Authorize(r.Context(), m.AuthorizationCode); err != nil {
			http.Error(w, "exchange failed", http.StatusBadGateway)
			return
		}
	}
	_, _ = io.WriteString(w, "success")
}

// counts returns the Authorize calls and exchanges of every code, and the
// pushes received.
func (p *fakePlatform) counts() (calls, exchanges map[string]int, pushes int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	calls, exchanges = map[string]int{}, map[string]int{}
	for k, v := range p.calls {
		calls[k] = v
	}
	for k, v := range p.exchanges {
		exchanges[k] = v
	}
	return calls, exchanges, p.pushes
}

// flowEnv is the onboarding under test: the simulator (WeChat's API and
// authorization pages) and, on a loopback server, the onboarding handler
// with the fake platform service behind it, receiving pushes too.
type flowEnv struct {
	sim      *wxtest.Simulator
	platform *fakePlatform
	base     string // the public base URL: where the browser opens the entry page
}

// newFlowEnv starts the simulator and our server; the simulator's
// authorization page takes our server's host:port as the registered
// domain and pushes to our /component/events in the given order.
func newFlowEnv(tb testing.TB, order wxtest.PushOrder, key string) *flowEnv {
	tb.Helper()
	sim := wxtest.NewSimulator()
	if err := sim.SetComponent(testPlatform); err != nil {
		tb.Fatal(err)
	}
	simSrv := wxtest.NewServer(sim)
	tb.Cleanup(simSrv.Close)
	p := newFakePlatform(tb, sim, simSrv.URL)

	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux)
	srv.Start()
	tb.Cleanup(srv.Close)
	h, err := onboard.NewHandler(onboard.Config{ComponentAppID: testPlatform.AppID, PublicBaseURL: srv.URL,
		AuthPageBaseURL: simSrv.URL, H5BaseURL: simSrv.URL, Key: key}, p, p, nil)
	if err != nil {
		tb.Fatal(err)
	}
	mux.Handle("/component/events", p)
	mux.Handle("/component/", h)
	sim.SetAuthPage(wxtest.AuthPage{Domain: strings.TrimPrefix(srv.URL, "http://"),
		ReceiverURL: srv.URL + "/component/events", Order: order, Funcs: []int{1, 15}})
	sim.Reset() // count from here: the setup's api_component_token is not the flow's
	return &flowEnv{sim: sim, platform: p, base: srv.URL}
}
