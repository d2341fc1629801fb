package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/wxindustry/getindustry/internal/onboard"
	"github.com/wxindustry/getindustry/internal/redact"
	"github.com/wxindustry/getindustry/internal/wx"
)

// Timing rules of README, "Third-party platform".
const (
	// refreshWindow: a token (component or account) with less than this
	// left is refreshed by a run. Runs come every 5 minutes, so a token is
	// refreshed at least three times over before it expires.
	refreshWindow = 20 * time.Minute
	// expiryMargin is taken off WeChat's expires_in when an expiry is
	// stored, counted from before the request was sent, so that a stored
	// expires_at is never late (the table contract allows up to 5 minutes early: README, "Many accounts").
	expiryMargin = time.Minute
	// pushWeChatBudget bounds the WeChat calls a push makes, and
	// pushBudget the whole push, inside WeChat's 5 seconds.
	pushWeChatBudget = 3 * time.Second
	pushBudget       = 4500 * time.Millisecond
)

// The WeChat calls the service makes; *wx.Client implements them.
type (
	componentTokener interface {
		ComponentToken(ctx context.Context, componentAppID, componentAppSecret, ticket string) (*wx.ComponentToken, error)
	}
	authQuerier interface {
		QueryAuth(ctx context.Context, componentToken, componentAppID, authCode string) (*wx.Authorization, error)
	}
	authorizerTokener interface {
		AuthorizerToken(ctx context.Context, componentToken, componentAppID, authorizerAppID, refreshToken string) (*wx.AuthorizerToken, error)
	}
	authorizerLister interface {
		AuthorizerList(ctx context.Context, componentToken, componentAppID string, offset, count int) (*wx.AuthorizerListPage, error)
	}
	preAuthCoder interface {
		CreatePreAuthCode(ctx context.Context, componentToken, componentAppID string) (*wx.PreAuthCode, error)
	}
)

// componentAPI is what newService needs of the WeChat client.
type componentAPI interface {
	componentTokener
	authQuerier
	authorizerTokener
	authorizerLister
	preAuthCoder
}

// service is the platform token service: the push receiver (an
// http.Handler, routes), the refresh and sync runs (direct). It holds no
// per-invoke state and is safe for concurrent use.
type service struct {
	store   *store
	creds   *credentialSource
	wechat  componentAPI
	now     func() time.Time
	log     *slog.Logger
	workers int // accounts refreshed at once
	// secrets holds the platform's secrets the logger masks: the service
	// adds the ticket and the component token as it reads or receives them.
	// An account's tokens are many (10,000 accounts) and would crowd these
	// out of its bounded set, so they are masked where they are handled
	// instead (invocation.secrets, refreshRun.account).
	secrets *redact.Secrets
	// onboarding serves the onboarding routes and the authorize_url invoke;
	// newService gives it WeChat's authorization pages and the event's
	// domain as the public base, which build replaces with the settings.
	onboarding *onboarding

	pushWeChatBudget time.Duration
	pushBudget       time.Duration
}

func newService(st *store, creds *credentialSource, wechat componentAPI, now func() time.Time, workers int, log *slog.Logger, secrets *redact.Secrets) *service {
	s := &service{store: st, creds: creds, wechat: wechat, now: now, log: log, workers: workers, secrets: secrets,
		pushWeChatBudget: pushWeChatBudget, pushBudget: pushBudget}
	s.onboarding = newOnboarding(s, onboard.Config{})
	return s
}

// routes returns the handler of every HTTP route of the function's URL:
// WeChat's pushes, and the onboarding's entry page, click and callback
// (which answer another method with 405 and Allow themselves). Other
// methods on the push route get 405 with Allow, other paths 404.
func (s *service) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /component/events", s.handleEvents)
	for _, p := range []string{onboard.PathAuthorize, onboard.PathAuthorizeGo, onboard.PathCallback} {
		mux.Handle(p, s.onboarding)
	}
	return mux
}

// appIDPattern is the appid getindustry accepts; an account's item key
// always matches it.
var appIDPattern = regexp.MustCompile(`^wx[0-9a-f]{16}$`)

// expiry is when a token WeChat gave with expiresIn seconds, asked for at
// sent, is stored to expire.
func expiry(sent time.Time, expiresIn int) time.Time {
	return sent.Add(time.Duration(expiresIn)*time.Second - expiryMargin)
}

// componentState is what getting the component token found, for a run's
// report and metrics.
type componentState struct {
	Refreshed bool          // this call got a new component token
	TicketAge time.Duration // age of the stored ticket; -1 when none
	Err       error         // a refresh that failed while the old token still works
}

// componentToken returns a component_access_token with at least window
// left (0: any that still works), refreshing it with the stored ticket
// when needed. When the refresh fails and the stored token still works,
// it returns that token and the failure in st.Err.
func (s *service) componentToken(ctx context.Context, pc *platformCredentials, window time.Duration) (string, componentState, *failure) {
	st := componentState{TicketAge: -1}
	item, err := s.store.component(ctx, pc.AppID)
	if err != nil {
		return "", st, fail(typeTokenUnavailable, "the token table cannot be read", err)
	}
	s.secrets.Add(item.Ticket)
	s.secrets.Add(item.ComponentToken)
	now := s.now()
	if !item.TicketAt.IsZero() {
		st.TicketAge = now.Sub(item.TicketAt)
	}
	if item.ComponentToken != "" && item.ComponentExpires.Sub(now) >= window && now.Before(item.ComponentExpires) {
		return item.ComponentToken, st, nil
	}
	works := item.ComponentToken != "" && now.Before(item.ComponentExpires)
	if item.Ticket == "" {
		f := fail(typeTicketUnavailable, "no component_verify_ticket received yet: WeChat pushes one every 10 minutes to /component/events once the platform's authorization event URL is set", nil)
		if works {
			st.Err = errors.New("no ticket")
			return item.ComponentToken, st, nil
		}
		return "", st, f
	}
	tok, err := s.wechat.ComponentToken(ctx, pc.AppID, pc.AppSecret, item.Ticket)
	if err != nil {
		if works {
			st.Err = err
			return item.ComponentToken, st, nil
		}
		return "", st, classifyWeChat(err)
	}
	st.Refreshed = true
	s.secrets.Add(tok.AccessToken)
	if err := s.store.putComponentToken(ctx, pc.AppID, tok.AccessToken, expiry(now, tok.ExpiresIn)); err != nil {
		s.log.WarnContext(ctx, "component token not stored", "error", err.Error())
	}
	return tok.AccessToken, st, nil
}
