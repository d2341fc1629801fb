package main

import (
	"context"
	"crypto/sha1"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wxcrypt"
)

// maxSkew is how far a push's timestamp may be from now, either way.
const maxSkew = 5 * time.Minute

// handleEvents receives WeChat's pushes to the authorization event URL.
// In order: the signature (a missing or malformed msg_signature before the
// body is read; then against the envelope's Encrypt, in constant time),
// the timestamp, decryption and the appid inside; a push refused on the
// way (401, 400) has called no WeChat API and written nothing. Then it
// acts on the InfoType and answers 200 "success"; the work a slow WeChat
// does not let it finish within the push budget is recorded for the next
// run (see authorize).
func (s *service) handleEvents(w http.ResponseWriter, r *http.Request) {
	inv := invocationFrom(r.Context())
	ctx, cancel := context.WithTimeout(r.Context(), s.pushBudget)
	defer cancel()
	q := r.URL.Query()
	tsRaw, nonce, sig := q.Get("timestamp"), q.Get("nonce"), q.Get("msg_signature")
	if len(sig) != sha1.Size*2 {
		refuse(w, inv, http.StatusUnauthorized, "missing or malformed msg_signature")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, wxcrypt.MaxBodyLen+1))
	if err != nil {
		refuse(w, inv, http.StatusBadRequest, "unreadable body")
		return
	}
	pc, err := s.creds.get(ctx)
	if err != nil {
		inv.cause = err
		answer(w, inv, http.StatusServiceUnavailable, "credentials unavailable", "")
		return
	}
	env, err := wxcrypt.ParseEnvelope(body)
	if err != nil {
		refuse(w, inv, http.StatusBadRequest, "not an encrypted push envelope")
		return
	}
	if wxcrypt.VerifySignature(pc.Token, tsRaw, nonce, env.Encrypt, sig) != nil {
		refuse(w, inv, http.StatusUnauthorized, "bad signature")
		return
	}
	if !fresh(tsRaw, s.now()) {
		refuse(w, inv, http.StatusUnauthorized, "timestamp more than 5 minutes from now")
		return
	}
	m, err := pc.codec.Open(tsRaw, nonce, sig, body)
	switch {
	case errors.Is(err, wxcrypt.ErrAppID):
		refuse(w, inv, http.StatusBadRequest, "push for another platform")
		return
	case err != nil:
		refuse(w, inv, http.StatusBadRequest, "push cannot be decrypted or parsed")
		return
	case q.Get("encrypt_type") != "aes":
		refuse(w, inv, http.StatusBadRequest, "encrypt_type is not aes")
		return
	}
	inv.infoType, inv.appID = m.InfoType, m.AuthorizerAppID
	switch status := s.act(ctx, inv, pc, m); status {
	case http.StatusOK:
	case http.StatusBadRequest:
		refuse(w, inv, status, "authorizer appid is not an appid")
		return
	default:
		answer(w, inv, status, "try again", "")
		return
	}
	answer(w, inv, http.StatusOK, "success", inv.outcome)
}

// act does what a verified push asks and returns the status to answer:
// 200, 400 for an authorizer appid that is not one, or 503 when the table
// cannot be written (WeChat then pushes again).
func (s *service) act(ctx context.Context, inv *invocation, pc *platformCredentials, m *wxcrypt.Message) int {
	now := s.now()
	switch m.InfoType {
	case wxcrypt.InfoTicket:
		s.secrets.Add(m.ComponentVerifyTicket)
		err := s.store.putTicket(ctx, pc.AppID, m.ComponentVerifyTicket, m.CreateTime, now)
		return s.stored(inv, err, "ticket_stored", "ticket_older_than_stored")
	case wxcrypt.InfoAuthorized, wxcrypt.InfoUpdateAuthorized:
		if !appIDPattern.MatchString(m.AuthorizerAppID) {
			return http.StatusBadRequest
		}
		return s.authorize(ctx, inv, pc, m)
	case wxcrypt.InfoUnauthorized:
		if !appIDPattern.MatchString(m.AuthorizerAppID) {
			return http.StatusBadRequest
		}
		err := s.store.deleteAccount(ctx, m.AuthorizerAppID, m.CreateTime)
		return s.stored(inv, err, "account_deleted", "older_than_authorization")
	}
	inv.outcome = "ignored"
	return http.StatusOK
}

// stored notes the outcome of a conditional write: done, or lost to a
// newer event (still 200: the newer state stands), or failed (503).
func (s *service) stored(inv *invocation, err error, done, lost string) int {
	switch {
	case err == nil:
		inv.outcome = done
	case isLost(err):
		inv.outcome = lost
	default:
		inv.outcome, inv.cause = "table_error", err
		return http.StatusServiceUnavailable
	}
	return http.StatusOK
}

// authorize handles authorized and updateauthorized: the code is
// exchanged once (see exchange), by this push or by the onboarding
// callback, whichever claims it first, and the account's item written
// before the answer. A push whose code was already exchanged (a replay, or
// the callback was first) calls nothing. When WeChat fails or is too slow
// for the push budget, the push is still answered success: the account is
// recorded as pending (an account with no token yet), which the next
// refresh run finds as due and completes through api_get_authorizer_list;
// an account that has a token keeps it.
func (s *service) authorize(ctx context.Context, inv *invocation, pc *platformCredentials, m *wxcrypt.Message) int {
	inv.secrets = append(inv.secrets, m.AuthorizationCode)
	x := exchange{code: m.AuthorizationCode, appID: m.AuthorizerAppID, eventTime: m.CreateTime}
	err := s.exchange(ctx, pc, &x)
	inv.secrets = append(inv.secrets, x.secrets...)
	switch {
	case err == nil:
		inv.outcome = x.outcome
		return http.StatusOK
	case errors.Is(err, errTable):
		inv.outcome, inv.cause = "table_error", err
		return http.StatusServiceUnavailable
	case errors.Is(err, errInProgress):
		inv.outcome = "exchange_in_progress" // the claimant writes the account
		return http.StatusOK
	case errors.Is(err, errAppIDMismatch):
		inv.outcome, inv.cause = "appid_mismatch", err
		return http.StatusOK
	}
	inv.cause, inv.wxErrcode = err, errcodeOf(err)
	if inv.wxErrcode == wx.CodeAuthCodeInvalid { // already exchanged, by the onboarding callback
		inv.outcome = "code_already_used"
		return http.StatusOK
	}
	return s.pending(ctx, inv, m)
}

// pending records an authorization that could not be completed now.
func (s *service) pending(ctx context.Context, inv *invocation, m *wxcrypt.Message) int {
	err := s.store.markPending(ctx, m.AuthorizerAppID, m.CreateTime, s.now())
	if isLost(err) {
		inv.outcome = "left_to_next_run"
		return http.StatusOK
	}
	return s.stored(inv, err, "pending", "pending")
}

// fresh reports whether a push's timestamp (Unix seconds) is within maxSkew
// of now.
func fresh(raw string, now time.Time) bool {
	sec, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return false
	}
	d := now.Sub(time.Unix(sec, 0))
	return d <= maxSkew && d >= -maxSkew
}

// refuse answers a push that was not acted on.
func refuse(w http.ResponseWriter, inv *invocation, status int, why string) {
	inv.refusal = why
	answer(w, inv, status, http.StatusText(status), "refused")
}

// answer writes a plain-text answer; WeChat wants the body "success".
func answer(w http.ResponseWriter, inv *invocation, status int, body, outcome string) {
	if outcome != "" {
		inv.outcome = outcome
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
