package main

import (
	"context"
	"crypto/rand"
	"sync"
	"time"

	"github.com/wxindustry/getindustry/internal/redact"
	"github.com/wxindustry/getindustry/internal/wx"
)

// runReport is a run's answer: counts, never a token. Refresh fills the
// refresh fields, sync the sync fields; both fill the component's.
type runReport struct {
	Action         string `json:"action"`
	ComponentToken string `json:"component_token"` // valid, refreshed, refresh_failed (the stored one still works) or unavailable
	TicketAge      *int64 `json:"ticket_age_seconds,omitempty"`

	Due             int            `json:"due"`                         // accounts found due by the scan
	Refreshed       int            `json:"refreshed"`                   // tokens written, recovered ones included
	Recovered       int            `json:"recovered"`                   // of which with a refresh token from api_get_authorizer_list
	Skipped         int            `json:"skipped"`                     // leased by another run, or refreshed by it meanwhile
	NeedsReauth     int            `json:"needs_reauth"`                // marked needing re-authorization by this run
	AwaitingReauth  int            `json:"awaiting_reauth"`             // accounts needing re-authorization after this run, these included
	Failed          int            `json:"failed"`                      // left as they were, for the next run
	FailedByErrcode map[string]int `json:"failed_by_errcode,omitempty"` // errcode (or timeout, unavailable, table, lease_lost, ...) → accounts
	NotReached      int            `json:"not_reached"`                 // the deadline came first

	Listed    int `json:"listed,omitempty"`    // sync: accounts api_get_authorizer_list returned
	Created   int `json:"created,omitempty"`   // sync: new items, due for the next refresh run
	Updated   int `json:"updated,omitempty"`   // sync: items given the listed refresh token
	Unchanged int `json:"unchanged,omitempty"` // sync: items that already held it

	Incomplete string `json:"incomplete,omitempty"` // why a run that did some work stopped early

	failedIDs, reauthIDs []string          // named in the log line (appids are not secrets)
	causes               map[string]string // failure kind → the first such failure, for the log line
}

// result is what refreshing one account did.
type result int

const (
	resRefreshed result = iota
	resRecovered
	resSkipped
	resNeedsReauth
	resFailed
	resNotReached
)

// outcome is one account's result; for a failure, its kind (errcode,
// timeout, table, ...) and cause.
type outcome struct {
	res result
	key string
	err error
}

// add counts one account's outcome, keeping the first cause of each kind
// of failure for the log line; the caller serialises calls.
func (r *runReport) add(appID string, o outcome) {
	switch o.res {
	case resRecovered:
		r.Recovered++
		fallthrough
	case resRefreshed:
		r.Refreshed++
	case resSkipped:
		r.Skipped++
	case resNeedsReauth:
		r.NeedsReauth++
		r.AwaitingReauth++
		r.reauthIDs = append(r.reauthIDs, appID)
	case resFailed:
		r.Failed++
		if r.FailedByErrcode == nil {
			r.FailedByErrcode = map[string]int{}
		}
		r.FailedByErrcode[o.key]++
		r.failedIDs = append(r.failedIDs, appID)
		if r.causes == nil {
			r.causes = map[string]string{}
		}
		if _, seen := r.causes[o.key]; !seen && o.err != nil {
			r.causes[o.key] = appID + ": " + o.err.Error()
		}
	case resNotReached:
		r.NotReached++
	}
}

// noteComponent copies what getting the component token found into r.
func (r *runReport) noteComponent(cs componentState, f *failure) {
	r.ComponentToken = "valid"
	switch {
	case f != nil:
		r.ComponentToken = "unavailable"
	case cs.Refreshed:
		r.ComponentToken = "refreshed"
	case cs.Err != nil:
		r.ComponentToken = "refresh_failed"
	}
	if cs.TicketAge >= 0 {
		age := int64(cs.TicketAge.Seconds())
		r.TicketAge = &age
	}
}

// refresh is the scheduled run: the component token when under
// refreshWindow remains, then every due account, workers at a time, each
// under a lease. It fails only when it can do nothing: no credentials, no
// component token, no scan.
func (s *service) refresh(ctx context.Context, rep *runReport) *failure {
	pc, err := s.creds.get(ctx)
	if err != nil {
		return fail(typeCredentialsUnavailable, "the platform credentials secret cannot be used", err)
	}
	ct, cs, f := s.componentToken(ctx, pc, refreshWindow)
	rep.noteComponent(cs, f)
	if f != nil {
		return f
	}
	// work bounds the leases and WeChat calls (see leaseTTL); ctx, a little
	// longer, the writes that follow them.
	work, cancel := context.WithTimeout(ctx, leaseTTL-leaseSlack)
	defer cancel()
	if deadline, ok := ctx.Deadline(); ok {
		work, cancel = context.WithDeadline(work, deadline.Add(-writeReserve))
		defer cancel()
	}
	cutoff := s.now().Add(refreshWindow)
	due, awaiting, err := s.store.dueAccounts(work, cutoff)
	if err != nil {
		return fail(typeTokenUnavailable, "the token table cannot be scanned", err)
	}
	rep.Due, rep.AwaitingReauth = len(due), awaiting
	run := &refreshRun{s: s, pc: pc, ct: ct, owner: rand.Text(), cutoff: cutoff}
	run.list.load = func(ctx context.Context) (map[string]string, error) {
		m := map[string]string{}
		_, err := s.listAuthorizers(ctx, ct, pc.AppID, func(a wx.Authorizer) error {
			m[a.AppID] = a.RefreshToken
			return nil
		})
		return m, err
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		jobs = make(chan string)
	)
	for range min(s.workers, len(due)) {
		wg.Go(func() {
			for appID := range jobs {
				o := run.account(ctx, work, appID)
				if o.err != nil {
					s.log.DebugContext(ctx, "account not refreshed", "appid", appID, "error", o.err.Error())
				}
				mu.Lock()
				rep.add(appID, o)
				mu.Unlock()
			}
		})
	}
feed:
	for i, appID := range due {
		select {
		case jobs <- appID:
		case <-work.Done():
			rep.NotReached += len(due) - i
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return nil
}

// refreshRun is one run's shared state.
type refreshRun struct {
	s      *service
	pc     *platformCredentials
	ct     string    // component_access_token
	owner  string    // this run's lease owner id
	cutoff time.Time // an account whose token expires before is due
	list   authorizerIndex
}

// account refreshes one due account under a lease: api_authorizer_token
// with its refresh token; on 61023, once more with the refresh token
// api_get_authorizer_list shows, if another; an account that has no
// refresh token (a push WeChat was too slow for) gets it from the list.
// 61023 with nothing better, 61003, or an account missing from the list,
// marks it needs_reauth. Other failures leave it as it was, for the next
// run. The lease and the WeChat calls run under work; the writes that
// follow under ctx, which ends a little later. The account's refresh and
// access tokens are masked in the outcome's error, which is logged.
func (r *refreshRun) account(ctx, work context.Context, appID string) (o outcome) {
	if work.Err() != nil {
		return outcome{res: resNotReached}
	}
	var held []string // the account's tokens this refresh has seen
	defer func() { o.err = redact.Error(o.err, held...) }()
	st := r.s.store
	item, err := st.lease(work, appID, r.owner, r.s.now(), r.cutoff)
	switch {
	case isLost(err):
		return outcome{res: resSkipped}
	case err != nil:
		return outcome{res: resFailed, key: "table", err: err}
	}
	rt, recovered := item.RefreshToken, false
	held = append(held, rt)
	if rt == "" {
		listed, ok, err := r.list.lookup(work, appID)
		if err != nil {
			return r.giveUp(ctx, appID, outcome{res: resFailed, key: errKey(err), err: err})
		}
		if !ok {
			return r.giveUp(ctx, appID, outcome{res: resNeedsReauth})
		}
		rt, recovered = listed, true
		held = append(held, listed)
	}
	sent := r.s.now()
	tok, err := r.s.wechat.AuthorizerToken(work, r.ct, r.pc.AppID, appID, rt)
	if errcodeOf(err) == wx.CodeRefreshTokenInvalid && !recovered {
		listed, ok, lerr := r.list.lookup(work, appID)
		if lerr != nil {
			return r.giveUp(ctx, appID, outcome{res: resFailed, key: errKey(lerr), err: lerr})
		}
		if ok && listed != rt {
			held = append(held, listed)
			sent = r.s.now()
			tok, err = r.s.wechat.AuthorizerToken(work, r.ct, r.pc.AppID, appID, listed)
			recovered = true
		}
	}
	if err != nil {
		if code := errcodeOf(err); code == wx.CodeRefreshTokenInvalid || code == wx.CodeComponentNotAuthorized {
			return r.giveUp(ctx, appID, outcome{res: resNeedsReauth})
		}
		return r.giveUp(ctx, appID, outcome{res: resFailed, key: errKey(err), err: err})
	}
	held = append(held, tok.AccessToken, tok.RefreshToken)
	err = st.writeToken(ctx, authorization{AppID: appID, AccessToken: tok.AccessToken,
		ExpiresAt: expiry(sent, tok.ExpiresIn), RefreshToken: tok.RefreshToken}, r.owner, r.s.now())
	switch {
	case isLost(err):
		return outcome{res: resFailed, key: "lease_lost", err: err}
	case err != nil:
		return outcome{res: resFailed, key: "table", err: err}
	case recovered:
		return outcome{res: resRecovered}
	}
	return outcome{res: resRefreshed}
}

// giveUp ends an account's refresh without a token: needs_reauth marks it
// (and clears the lease), anything else releases the lease for the next run.
func (r *refreshRun) giveUp(ctx context.Context, appID string, o outcome) outcome {
	st := r.s.store
	if o.res == resNeedsReauth {
		if err := st.markNeedsReauth(ctx, appID, r.owner, r.s.now()); err != nil {
			return outcome{res: resFailed, key: "table", err: err}
		}
		return o
	}
	if err := st.release(ctx, appID, r.owner); err != nil {
		r.s.log.DebugContext(ctx, "lease not released", "appid", appID, "error", err.Error())
	}
	return o
}

// authorizerIndex is api_get_authorizer_list read once per run, on first
// need: appid → refresh token. It is safe for concurrent use.
type authorizerIndex struct {
	load func(ctx context.Context) (map[string]string, error)
	once sync.Once
	m    map[string]string
	err  error
}

func (x *authorizerIndex) lookup(ctx context.Context, appID string) (string, bool, error) {
	x.once.Do(func() { x.m, x.err = x.load(ctx) })
	if x.err != nil {
		return "", false, x.err
	}
	rt, ok := x.m[appID]
	return rt, ok && rt != "", nil
}

// listAuthorizers pages through api_get_authorizer_list, 500 at a time,
// calling each for every account, and returns how many it saw.
func (s *service) listAuthorizers(ctx context.Context, ct, componentAppID string, each func(wx.Authorizer) error) (int, error) {
	seen := 0
	for {
		page, err := s.wechat.AuthorizerList(ctx, ct, componentAppID, seen, wx.MaxAuthorizerListCount)
		if err != nil {
			return seen, err
		}
		for _, a := range page.List {
			if err := each(a); err != nil {
				return seen, err
			}
		}
		seen += len(page.List)
		if len(page.List) == 0 || seen >= page.TotalCount {
			return seen, nil
		}
	}
}
