package main

import (
	"context"

	"github.com/wxindustry/getindustry/internal/redact"
	"github.com/wxindustry/getindustry/internal/wx"
)

// sync pages through api_get_authorizer_list and makes every listed
// account's item hold the refresh token WeChat shows (onboarding a platform
// that already has accounts, recovery after data loss). It fetches no
// access token: a new account is left pending, due, and the next refresh
// run fetches its token under a lease, so that it costs one
// api_authorizer_token in all. Items of accounts the list no longer shows
// are left alone (an unauthorized push deletes them).
func (s *service) sync(ctx context.Context, rep *runReport) *failure {
	pc, err := s.creds.get(ctx)
	if err != nil {
		return fail(typeCredentialsUnavailable, "the platform credentials secret cannot be used", err)
	}
	ct, cs, f := s.componentToken(ctx, pc, refreshWindow)
	rep.noteComponent(cs, f)
	if f != nil {
		return f
	}
	var tableErr error
	n, err := s.listAuthorizers(ctx, ct, pc.AppID, func(a wx.Authorizer) error {
		if !appIDPattern.MatchString(a.AppID) || a.RefreshToken == "" {
			rep.add(a.AppID, outcome{res: resFailed, key: "bad_list_entry"})
			return nil
		}
		res, err := s.store.syncAccount(ctx, a.AppID, a.RefreshToken, a.AuthTime, s.now())
		if err != nil {
			tableErr = redact.Error(err, a.RefreshToken)
			return tableErr
		}
		switch res {
		case syncCreated:
			rep.Created++
		case syncUpdated:
			rep.Updated++
		default:
			rep.Unchanged++
		}
		return nil
	})
	rep.Listed = n
	switch {
	case tableErr != nil:
		return fail(typeTokenUnavailable, "the token table cannot be written", tableErr)
	case err != nil:
		f := classifyWeChat(err)
		if rep.Listed == 0 {
			return f
		}
		rep.Incomplete = "api_get_authorizer_list failed part way: " + f.Message
		s.log.WarnContext(ctx, "sync incomplete", "error", err.Error())
	}
	return nil
}
