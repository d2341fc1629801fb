package main

import (
	"slices"
	"time"

	"github.com/wxindustry/getindustry/internal/token"
)

// WeChat's limits on forced refreshes (getStableAccessToken, force mode).
const (
	forcesPerDay = 20
	forceSpacing = 30 * time.Second
	// forceWindow is how far back recorded forces count. WeChat counts per
	// day; a rolling 24 hours holds every force of the current day, so the
	// refresher never spends a force WeChat would refuse for that reason.
	forceWindow = 24 * time.Hour
	// maxLifetime bounds a plausible expires_at: WeChat's tokens live 7200 s.
	// A secret claiming a later expiry than now+maxLifetime was not written
	// from a WeChat answer, and a fresh token replaces it.
	maxLifetime = 7200*time.Second + 5*time.Minute
	// forceSettle bounds how long a forced stable_token call can take to
	// reach WeChat after the refresher recorded its start.
	forceSettle = time.Minute
	// maxSkew is how far ahead of our clock a recorded force may be and
	// still count: another instance's clock may run a little fast. An entry
	// further ahead (a hand edit, a badly wrong clock) is ignored, and dropped
	// at the next write, instead of refusing every force until that time.
	maxSkew = 2 * time.Minute
)

// issued is a token WeChat gave and when it expires (the time the request
// was sent plus expires_in, whole seconds, no margin).
type issued struct {
	AccessToken string
	ExpiresAt   time.Time
}

// plan decides what the token secret should hold after WeChat answered
// ours, given what it holds now (cur) and, for a forced refresh, when the
// force was made (zero otherwise). It keeps whichever token is newer, which
// is the one that expires later, since WeChat issues each token with a full
// lifetime: ours replaces a different token in cur when it expires later or
// cur's expiry is missing or implausible. Both may expire in the same second
// when a force followed an issue closely; then a forced token wins, and a
// normal-mode one too unless cur records a force made under forceSettle
// before ours was asked for (WeChat may have answered us before that force).
// So a refresher that got an older token never overwrites a newer one
// another refresher wrote. Forces of the last 24 hours are kept, and ours
// added. write is false when the secret already holds all that: the same
// token, with an expiry, and no new force to record.
func plan(cur token.Secret, ours issued, forcedAt, now time.Time) (next token.Secret, write bool) {
	next = cur
	next.ForcedAt = recentForces(cur.ForcedAt, now)
	curKnown := cur.AccessToken != "" && !cur.ExpiresAt.IsZero() && !cur.ExpiresAt.After(now.Add(maxLifetime))
	tieWon := !forcedAt.IsZero() || !slices.ContainsFunc(next.ForcedAt, func(f time.Time) bool { return f.After(now.Add(-forceSettle)) })
	newer := !curKnown || ours.ExpiresAt.After(cur.ExpiresAt) || (ours.ExpiresAt.Equal(cur.ExpiresAt) && tieWon)
	switch {
	case ours.AccessToken == cur.AccessToken && cur.ExpiresAt.IsZero():
		next.ExpiresAt, write = ours.ExpiresAt, true // a bare token gains its expiry
	case ours.AccessToken == cur.AccessToken:
	case newer:
		next.AccessToken, next.ExpiresAt, write = ours.AccessToken, ours.ExpiresAt, true
	}
	if !forcedAt.IsZero() && !slices.ContainsFunc(next.ForcedAt, forcedAt.Equal) {
		next.ForcedAt = append(next.ForcedAt, forcedAt)
		slices.SortFunc(next.ForcedAt, time.Time.Compare)
		write = true
	}
	return next, write
}

// recentForces returns the forces within forceWindow of now (later ones,
// from a clock ahead of ours, included up to maxSkew), in a new slice.
func recentForces(forced []time.Time, now time.Time) []time.Time {
	var out []time.Time
	for _, t := range forced {
		if t.After(now.Add(-forceWindow)) && !t.After(now.Add(maxSkew)) {
			out = append(out, t)
		}
	}
	return out
}

// forceAllowed reports whether a forced refresh at now stays inside WeChat's
// limits given the recorded forces; if not, it says why and from when a
// force will be allowed.
func forceAllowed(forced []time.Time, now time.Time) (ok bool, reason string, after time.Time) {
	recent := recentForces(forced, now)
	if n := len(recent); n >= forcesPerDay {
		return false, "20 forced refreshes in the last 24 hours, WeChat's daily limit", recent[n-forcesPerDay].Add(forceWindow)
	}
	if n := len(recent); n > 0 && now.Sub(recent[n-1]) < forceSpacing {
		return false, "the last forced refresh was less than 30 s ago, WeChat's minimum spacing", recent[n-1].Add(forceSpacing)
	}
	return true, "", time.Time{}
}
