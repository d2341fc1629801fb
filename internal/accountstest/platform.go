package accountstest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/wxindustry/getindustry/internal/redact"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// component is the made-up platform the simulator plays WeChat for.
var component = wxtest.Component{
	AppID:          "wx0000000000c0ffee",
	AppSecret:      "local-component-secret-not-a-secret",
	Token:          "local-message-token",
	EncodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
}

// Component returns the made-up platform that NewPlatform sets, so that a
// local platform token service can be given its credentials.
func Component() wxtest.Component { return component }

// expiryMargin is how much earlier than WeChat's expiry an item's
// expires_at is written ("up to 5 minutes early, never late").
const expiryMargin = 5 * time.Minute

// Account is one authorized account and its current token. String,
// GoString and LogValue print the token as REDACTED.
type Account struct {
	AppID       string
	AccessToken string    // authorizer_access_token; a secret
	ExpiresAt   time.Time // expires_at of its item: WeChat's expiry less five minutes
	refresh     string
}

// String returns "accountstest.Account{AppID:wx..., AccessToken:REDACTED}".
func (a Account) String() string {
	return "accountstest.Account{AppID:" + a.AppID + ", AccessToken:" + redact.Mask + "}"
}

// GoString makes %#v print the same as String.
func (a Account) GoString() string { return a.String() }

// LogValue logs the appid only.
func (a Account) LogValue() slog.Value {
	return slog.GroupValue(slog.String("appid", a.AppID), slog.String("access_token", redact.Mask))
}

// Platform is a third-party platform that the simulator plays WeChat for,
// holding a component_access_token. It is safe for concurrent use.
type Platform struct {
	sim     *wxtest.Simulator
	wx      *wx.Client
	token   string // component_access_token
	mu      sync.Mutex
	byApp   map[string]Account
	byToken map[string]string // every token issued here → its appid
}

// NewPlatform makes sim play WeChat for a made-up platform (forgetting any
// earlier one), has it push a component_verify_ticket, and gets a
// component_access_token from simURL, the address sim is served on.
func NewPlatform(ctx context.Context, sim *wxtest.Simulator, simURL string) (*Platform, error) {
	if err := sim.SetComponent(component); err != nil {
		return nil, err
	}
	// The platform's receiver: it only needs to take the push.
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "success")
	}))
	ticket, _, err := sim.PushTicket(ctx, receiver.URL+"/component/events")
	receiver.Close()
	if err != nil {
		return nil, fmt.Errorf("accountstest: push the ticket: %w", err)
	}
	c, err := wx.NewClient(simURL, nil, wx.Options{HTTPClient: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}})
	if err != nil {
		return nil, fmt.Errorf("accountstest: %w", err)
	}
	ct, err := c.ComponentToken(ctx, component.AppID, component.AppSecret, ticket)
	if err != nil {
		return nil, fmt.Errorf("accountstest: %w", err)
	}
	return &Platform{sim: sim, wx: c, token: ct.AccessToken, byApp: map[string]Account{}, byToken: map[string]string{}}, nil
}

// Authorize plays n admins authorizing the platform, each for a new
// account, and exchanges each authorization code for the account's tokens
// (api_query_auth), workers at a time. It returns the accounts in order.
func (p *Platform) Authorize(ctx context.Context, n, workers int) ([]Account, error) {
	accounts := make([]Account, n)
	err := parallel(ctx, n, workers, func(ctx context.Context, i int) error {
		appID, code, err := p.sim.AuthorizeAccount()
		if err != nil {
			return err
		}
		a, err := p.wx.QueryAuth(ctx, p.token, component.AppID, code)
		if err != nil {
			return fmt.Errorf("accountstest: authorize %s: %w", appID, err)
		}
		accounts[i] = p.keep(a.AuthorizerToken)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return accounts, nil
}

// Rotate refreshes appID's token at WeChat (api_authorizer_token), as the
// platform token service does before it expires, and returns the account
// with its new token. WeChat keeps the replaced token working for a few
// minutes (the simulator: wxtest.ForceOverlap).
func (p *Platform) Rotate(ctx context.Context, appID string) (Account, error) {
	p.mu.Lock()
	old, ok := p.byApp[appID]
	p.mu.Unlock()
	if !ok {
		return Account{}, fmt.Errorf("accountstest: rotate %s: not authorized here", appID)
	}
	t, err := p.wx.AuthorizerToken(ctx, p.token, component.AppID, appID, old.refresh)
	if err != nil {
		return Account{}, fmt.Errorf("accountstest: rotate %s: %w", appID, err)
	}
	t.AppID = appID
	return p.keep(*t), nil
}

// keep records t as its account's current token and returns the account.
func (p *Platform) keep(t wx.AuthorizerToken) Account {
	a := Account{AppID: t.AppID, AccessToken: t.AccessToken, refresh: t.RefreshToken,
		ExpiresAt: time.Now().Add(time.Duration(t.ExpiresIn)*time.Second - expiryMargin).UTC().Truncate(time.Second)}
	p.mu.Lock()
	p.byApp[a.AppID] = a
	p.byToken[a.AccessToken] = a.AppID
	p.mu.Unlock()
	return a
}

// parallel runs f(0..n-1) on workers goroutines and returns the first error.
func parallel(ctx context.Context, n, workers int, f func(context.Context, int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			for i := range next {
				if err := f(ctx, i); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

// AppID returns the account whose token tok is or was, "" for none.
func (p *Platform) AppID(tok string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.byToken[tok]
}
