package main

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/wxindustry/getindustry/internal/wx"
)

// recordTimeout bounds the record of a force of unknown outcome when the
// invoke has no deadline.
const recordTimeout = 2 * time.Second

// tokenIssuer is the part of wx.Client the refresher uses.
type tokenIssuer interface {
	StableToken(ctx context.Context, appID, appSecret string, force bool) (*wx.StableToken, error)
}

// refresher is the Lambda handler: it keeps the token secret in step with
// WeChat's stable access token. It holds no per-invoke state and is safe for
// concurrent use (AWS_LAMBDA_MAX_CONCURRENCY > 1): refreshes in one process
// run one at a time, and refreshes in different processes compare before
// they write (see refresh).
type refresher struct {
	sm            secretsAPI
	wechat        tokenIssuer
	appSecretID   string           // WX_APP_SECRET_ID
	tokenSecretID string           // WX_TOKEN_SECRET_ID
	now           func() time.Time // the clock for expires_at and forced_at
	log           *slog.Logger
	turn          chan struct{} // holds one value while a refresh runs
	warm          atomic.Bool   // false until the first invoke has begun
}

// newRefresher returns a refresher that reads the credentials from
// appSecretID and keeps tokenSecretID up to date.
func newRefresher(sm secretsAPI, wechat tokenIssuer, appSecretID, tokenSecretID string, now func() time.Time, log *slog.Logger) *refresher {
	return &refresher{sm: sm, wechat: wechat, appSecretID: appSecretID, tokenSecretID: tokenSecretID,
		now: now, log: log, turn: make(chan struct{}, 1)}
}

// refreshInTurn waits for any other refresh in this process to finish, then
// runs refresh.
func (r *refresher) refreshInTurn(ctx context.Context, force bool, o *outcome) *failure {
	select {
	case r.turn <- struct{}{}:
		defer func() { <-r.turn }()
	case <-ctx.Done():
		return fail(typeUpstreamTimeout, "another refresh in this instance did not finish before the deadline", ctx.Err())
	}
	return r.refresh(ctx, force, o)
}

// refresh runs one refresh and fills o. In order: read the credentials
// afresh; read the token secret; for a forced refresh, refuse it without
// calling WeChat if the recorded forces say WeChat would; ask WeChat; and,
// when the secret should change, read it again and write it only if what we
// hold is still newer (another refresher may have written meanwhile). A
// refresher in another process that reads between that second read and the
// write can still write an older token over ours; run the function with a
// reserved concurrency of 1 to rule that out.
func (r *refresher) refresh(ctx context.Context, force bool, o *outcome) *failure {
	creds, f := readCredentials(ctx, r.sm, r.appSecretID)
	if f != nil {
		return f
	}
	o.secrets = append(o.secrets, creds.AppSecret)
	state, f := readToken(ctx, r.sm, r.tokenSecretID)
	if f != nil {
		return f
	}
	cur := state.Secret
	o.note = state.note
	o.secrets = append(o.secrets, cur.AccessToken)
	now := r.now()
	var forcedAt time.Time
	if force {
		if !state.found {
			return fail(typeTokenUnavailable, "the token secret has no value yet: run a normal refresh first", nil)
		}
		if state.history != "" {
			return fail(typeForceRefreshLimited, "forced refresh refused: the record of past forces cannot be read ("+state.history+
				"), so WeChat's limits cannot be checked; fix or remove forced_at in the token secret", nil)
		}
		if ok, reason, after := forceAllowed(cur.ForcedAt, now); !ok {
			return forceLimited(reason, after)
		}
		forcedAt = now
	}
	st, err := r.wechat.StableToken(ctx, creds.AppID, creds.AppSecret, force)
	if err != nil {
		if force && forceMayHaveCounted(err) {
			r.recordForce(ctx, forcedAt, o.deadline)
		}
		return classifyWeChat(err, force)
	}
	o.secrets = append(o.secrets, st.AccessToken)
	if force && st.AccessToken == cur.AccessToken {
		return fail(typeForceRefreshLimited, "WeChat did not issue a new token: forced refreshes must be 30 s apart", nil)
	}
	ours := issued{AccessToken: st.AccessToken, ExpiresAt: now.Add(time.Duration(st.ExpiresIn) * time.Second).Truncate(time.Second)}
	next, write := plan(cur, ours, forcedAt, now)
	if write {
		latest, f := readToken(ctx, r.sm, r.tokenSecretID)
		if f != nil {
			return f
		}
		o.secrets = append(o.secrets, latest.AccessToken)
		cur = latest.Secret
		next, write = plan(cur, ours, forcedAt, now)
	}
	if write {
		if f := writeToken(ctx, r.sm, r.tokenSecretID, next); f != nil {
			return f
		}
	}
	o.wrote, o.changed = write, write && next.AccessToken != cur.AccessToken
	o.expiresAt, o.forces = next.ExpiresAt, len(next.ForcedAt)
	return nil
}

// forceMayHaveCounted reports whether a failed force may still have been
// spent: WeChat answered no errcode (a timeout, a lost connection, a 5xx or
// an unreadable reply), so it may have issued a token we never saw.
func forceMayHaveCounted(err error) bool {
	var we *wx.Error
	return !errors.As(err, &we) || we.Code == 0
}

// recordForce notes a force whose outcome is unknown in the token secret,
// so that the limits count it: better to refuse a force WeChat would have
// allowed than to spend one more than its 20 a day. It is best effort; a
// failure is logged, and the invoke reports the WeChat failure.
//
// The force may have been cut off by ctx's own deadline, so the record is
// made on a context that is not cancelled with ctx, bounded by half of the
// answer reserve (ctx's deadline to the invoke's, invokeDeadline); the
// other half stays for answering. Without an invoke deadline it is
// bounded by recordTimeout.
func (r *refresher) recordForce(ctx context.Context, forcedAt, invokeDeadline time.Time) {
	end := time.Now().Add(recordTimeout)
	if d, ok := ctx.Deadline(); ok && !invokeDeadline.IsZero() {
		end = d.Add(invokeDeadline.Sub(d) / 2)
	}
	ctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), end)
	defer cancel()
	latest, f := readToken(ctx, r.sm, r.tokenSecretID)
	if f == nil && latest.found {
		next := latest.Secret
		next.ForcedAt = append(recentForces(latest.ForcedAt, forcedAt), forcedAt)
		slices.SortFunc(next.ForcedAt, time.Time.Compare)
		f = writeToken(ctx, r.sm, r.tokenSecretID, next)
	}
	if f != nil {
		r.log.LogAttrs(ctx, slog.LevelWarn, "could not record a force of unknown outcome", slog.String("error_type", f.Type))
	}
}
