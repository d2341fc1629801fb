package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/wxindustry/getindustry/internal/onboard"
	"github.com/wxindustry/getindustry/internal/wx"
)

// The service is the onboarding callback's Authorizer.
var _ onboard.Authorizer = (*service)(nil)

// Why an exchange did not give an account.
var (
	// errInProgress: another claimant holds the code and did not finish
	// within the wait; it writes the account when it does.
	errInProgress = errors.New("authorization code being exchanged by another request")
	// errAppIDMismatch: api_query_auth answered for another account than
	// the push named; nothing is written.
	errAppIDMismatch = errors.New("api_query_auth answered for another authorizer")
	// errTable: the table could not be read or written.
	errTable = errors.New("token table unavailable")
)

// Authorize exchanges an authorization code from the onboarding callback
// (onboard.Authorizer): exactly one api_query_auth per code, shared with
// the authorized push for the same code, whichever comes first; the
// account's item is written before it returns. For a code already
// exchanged, by this call's rival or earlier, it answers from the table
// without calling WeChat, after waiting (up to 5 s, within ctx) for a
// rival still exchanging it. It returns an error wrapping onboard.ErrRefused
// (and the *wx.Error, errcode 61009 or 61010) for a code WeChat refuses
// while the table knows nothing of it (nothing is then written), and
// otherwise wraps the cause: the credentials, the component token, WeChat,
// the table, or a rival still at work. It is safe for concurrent use.
func (s *service) Authorize(ctx context.Context, authCode string) (onboard.Account, error) {
	if authCode == "" {
		return onboard.Account{}, fmt.Errorf("platformtoken: authorize: empty code: %w", onboard.ErrRefused)
	}
	pc, err := s.creds.get(ctx)
	if err != nil {
		return onboard.Account{}, fmt.Errorf("platformtoken: authorize: %w", err)
	}
	x := exchange{code: authCode, eventTime: s.now().Unix()}
	err = s.exchange(ctx, pc, &x)
	inv := invocationFrom(ctx) // masked in the callback's summary line
	inv.secrets = append(inv.secrets, authCode)
	inv.secrets = append(inv.secrets, x.secrets...)
	if err != nil {
		return onboard.Account{}, fmt.Errorf("platformtoken: authorize: %w", err)
	}
	return x.account, nil
}

// exchange is one attempt to turn an authorization code into an account:
// the input (code, the appid a push names, the push's CreateTime) and
// what came of it.
type exchange struct {
	code      string
	appID     string // the push's AuthorizerAppid; "" from the callback
	eventTime int64  // the push's CreateTime, or now

	account onboard.Account
	outcome string   // account_written, older_than_stored or already_exchanged
	secrets []string // the tokens api_query_auth gave, for the caller to mask
}

// exchange claims x.code and, holding the claim, calls api_query_auth
// (within pushWeChatBudget) and writes the account; or, when another
// request holds the claim, waits for its result (see awaitClaim). A claim
// that ends without an account is released, so that a later request may
// try again.
func (s *service) exchange(ctx context.Context, pc *platformCredentials, x *exchange) error {
	hash, owner := hashCode(x.code), rand.Text()
	deadline := time.Now().Add(maxAuthorizeWait)
	for {
		err := s.store.claimCode(ctx, hash, owner, s.now())
		if err == nil {
			break
		}
		if !isLost(err) {
			return fmt.Errorf("%w: %w", errTable, err)
		}
		c, again, err := s.awaitClaim(ctx, hash, deadline)
		if err != nil {
			return err
		}
		if !again {
			x.account, x.outcome = onboard.Account{AppID: c.AppID, FuncScopes: c.FuncScopes}, "already_exchanged"
			return nil
		}
	}
	err := s.queryAuth(ctx, pc, x)
	if err == nil {
		return nil
	}
	if rerr := s.store.releaseClaim(ctx, hash, owner); rerr != nil {
		s.log.WarnContext(ctx, "authorization code claim not released", "error", rerr.Error())
	}
	return err
}

// queryAuth is the claimant's part: api_query_auth, then the account's
// item, then the claim marked done.
func (s *service) queryAuth(ctx context.Context, pc *platformCredentials, x *exchange) error {
	wctx, cancel := context.WithTimeout(ctx, s.pushWeChatBudget)
	defer cancel()
	ct, _, f := s.componentToken(wctx, pc, 0)
	if f != nil {
		if f.Cause != nil {
			return f.Cause
		}
		return errors.New(f.Message)
	}
	sent := s.now()
	a, err := s.wechat.QueryAuth(wctx, ct, pc.AppID, x.code)
	if code := errcodeOf(err); code == wx.CodeAuthCodeInvalid || code == wx.CodeAuthCodeExpired {
		return fmt.Errorf("%w: %w", onboard.ErrRefused, err)
	}
	if err != nil {
		return err
	}
	x.secrets = append(x.secrets, a.AccessToken, a.RefreshToken)
	if x.appID != "" && a.AppID != x.appID {
		return fmt.Errorf("%w %s", errAppIDMismatch, a.AppID)
	}
	err = s.store.putAuthorization(ctx, authorization{AppID: a.AppID, AccessToken: a.AccessToken,
		ExpiresAt: expiry(sent, a.ExpiresIn), RefreshToken: a.RefreshToken, FuncScopes: a.FuncScopes,
		AuthCode: x.code, EventTime: x.eventTime}, s.now())
	switch {
	case isLost(err):
		x.outcome = "older_than_stored"
	case err != nil:
		return fmt.Errorf("%w: %w", errTable, err)
	default:
		x.outcome = "account_written"
	}
	x.account = onboard.Account{AppID: a.AppID, FuncScopes: a.FuncScopes}
	if err := s.store.finishClaim(ctx, hashCode(x.code), a.AppID, a.FuncScopes); err != nil {
		// The account is written; only a rival waiting on the claim misses
		// the result, and answers errInProgress.
		s.log.WarnContext(ctx, "authorization code claim not finished", "authorizer_appid", a.AppID, "error", err.Error())
	}
	return nil
}

// awaitClaim polls a code claimed by another request until it is done
// (again false: c is the result), or released or stale (again true: claim
// it), or until deadline or ctx ends (errInProgress).
func (s *service) awaitClaim(ctx context.Context, hash string, deadline time.Time) (c codeClaim, again bool, err error) {
	for {
		c, found, err := s.store.claim(ctx, hash)
		switch {
		case err != nil:
			return codeClaim{}, false, fmt.Errorf("%w: %w", errTable, err)
		case !found, !c.done() && s.now().Sub(c.ClaimedAt) >= claimTTL:
			return codeClaim{}, true, nil
		case c.done():
			return c, false, nil
		}
		if time.Until(deadline) < claimPollEvery {
			return codeClaim{}, false, errInProgress
		}
		t := time.NewTimer(claimPollEvery)
		select {
		case <-ctx.Done():
			t.Stop()
			return codeClaim{}, false, errInProgress
		case <-t.C:
		}
	}
}
