package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/wxindustry/getindustry/internal/lambdahttp"
	"github.com/wxindustry/getindustry/internal/onboard"
)

// The service is the onboarding's PreAuthCoder (and Authorizer, authorize.go).
var _ onboard.PreAuthCoder = (*service)(nil)

// CreatePreAuthCode asks WeChat for a pre_auth_code (onboard.PreAuthCoder):
// one api_create_preauthcode with the component token, which is refreshed
// first only when it has expired. Its error is a *failure, whose Type names
// the Lambda errorType of the direct authorize_url invoke.
func (s *service) CreatePreAuthCode(ctx context.Context) (string, int, error) {
	code, expiresIn, f := s.preAuthCode(ctx)
	if f != nil {
		inv := invocationFrom(ctx) // the summary line logs the cause once
		inv.cause, inv.wxErrcode = f.Cause, f.WxCode
		return "", 0, f
	}
	return code, expiresIn, nil
}

// preAuthCode is CreatePreAuthCode's work.
func (s *service) preAuthCode(ctx context.Context) (string, int, *failure) {
	pc, err := s.creds.get(ctx)
	if err != nil {
		return "", 0, fail(typeCredentialsUnavailable, "the platform credentials secret cannot be used", err)
	}
	ct, _, f := s.componentToken(ctx, pc, 0)
	if f != nil {
		return "", 0, f
	}
	c, err := s.wechat.CreatePreAuthCode(ctx, ct, pc.AppID)
	if err != nil {
		return "", 0, classifyWeChat(err)
	}
	return c.Code, c.ExpiresIn, nil
}

// onboarding serves the onboarding routes (package onboard) with the
// platform's current credentials: the component appid and the optional
// onboard_key come from the credentials secret, which is read at the first
// request that needs it and again after credentialsTTL, so the handler is
// rebuilt whenever a new read comes back and a rotated key takes effect
// within the TTL. It is safe for concurrent use.
type onboarding struct {
	conf onboard.Config // the base URLs; the appid and the key are filled in per read
	svc  *service

	mu sync.Mutex
	pc *platformCredentials // the read h was built from
	h  *onboard.Handler
}

func newOnboarding(svc *service, conf onboard.Config) *onboarding {
	return &onboarding{conf: conf, svc: svc}
}

// handler returns the onboarding handler of the credentials held now.
func (o *onboarding) handler(ctx context.Context) (*onboard.Handler, error) {
	pc, err := o.svc.creds.get(ctx)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if pc == o.pc {
		return o.h, nil
	}
	conf := o.conf
	conf.ComponentAppID, conf.Key = pc.AppID, pc.OnboardKey
	h, err := onboard.NewHandler(conf, o.svc, o.svc, o.svc.log)
	if err != nil {
		return nil, err
	}
	o.pc, o.h = pc, h
	return h, nil
}

// ServeHTTP serves the three onboarding routes. The public base, unless
// WX_PUBLIC_BASE_URL sets it, is "https://" + the event's
// requestContext.domainName. When the credentials cannot be read it answers
// the onboarding's own 500 page, with its security headers.
func (o *onboarding) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	inv := invocationFrom(r.Context())
	inv.page = r.URL.Path
	h, err := o.handler(r.Context())
	if err != nil {
		inv.cause = err
		onboard.ServeProblem(w, r, http.StatusInternalServerError)
		return
	}
	if d, ok := lambdahttp.DomainNameFromContext(r.Context()); ok {
		r = r.WithContext(onboard.WithDomainName(r.Context(), d))
	}
	h.ServeHTTP(w, r)
}

// authorizeURL serves the direct {"action":"authorize_url",...}: WeChat's
// PC and H5 authorization pages for one new pre_auth_code. A bad
// redirect_uri, auth_type or biz_appid is InvalidRequest (no WeChat call).
func (o *onboarding) authorizeURL(ctx context.Context, in onboard.AuthorizeURLRequest) (*onboard.AuthorizeURLs, *failure) {
	h, err := o.handler(ctx)
	if err != nil {
		return nil, fail(typeCredentialsUnavailable, "the platform credentials secret cannot be used", err)
	}
	urls, err := h.AuthorizeURL(ctx, in)
	var f *failure
	switch {
	case err == nil:
		return urls, nil
	case errors.Is(err, onboard.ErrInvalidRequest):
		return nil, fail(typeInvalidRequest, invalidMessage(err), nil)
	case errors.As(err, &f):
		return nil, f
	}
	return nil, fail(typeInternal, "internal error", err)
}

// invalidMessage is the public message of a refused authorize_url: the
// field the caller sent and what is wanted, as onboard words it.
func invalidMessage(err error) string {
	msg := strings.TrimSuffix(err.Error(), ": "+onboard.ErrInvalidRequest.Error())
	return strings.TrimPrefix(msg, "onboard: ")
}
