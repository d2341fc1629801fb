package industry

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wxindustry/getindustry/internal/wx"
)

// Outcome says how an Answer was produced.
type Outcome string

// The outcomes of Cache.Get.
const (
	OutcomeHit    Outcome = "hit"    // a fresh cached answer; no upstream call
	OutcomeMiss   Outcome = "miss"   // fetched from upstream (possibly shared with concurrent callers)
	OutcomeStale  Outcome = "stale"  // upstream failed; an older answer within StaleTTL was served
	OutcomeBypass Outcome = "bypass" // TTL is 0: fetched from upstream, not kept
)

// Answer is a ready-to-send success. Answers returned by a Cache are shared
// between callers and must not be modified.
type Answer struct {
	// Body is the industry as JSON in WeChat's shape:
	// {"primary_industry":{...},"secondary_industry":{...}}.
	Body []byte
	// ETag is a strong entity tag of Body, quoted: the same Body always
	// gives the same ETag, a different Body a different one.
	ETag string
	// FetchedAt is when the upstream answer arrived.
	FetchedAt time.Time
	// Expires is FetchedAt + TTL (FetchedAt when TTL is 0).
	Expires time.Time
	// Outcome says how this answer was produced.
	Outcome Outcome
	// Cause is, for OutcomeStale, the upstream error that made the Cache
	// serve a stale answer; nil otherwise. Pass its text through redact.String
	// before logging it.
	Cause error
}

// MaxAge returns the whole seconds left at now until a.Expires, or 0 if
// Expires is not after now; it suits Cache-Control: max-age.
func (a *Answer) MaxAge(now time.Time) int {
	left := a.Expires.Sub(now)
	if left <= 0 {
		return 0
	}
	return int(left / time.Second)
}

// errNoIndustry reports a Getter that returned neither an industry nor an error.
var errNoIndustry = errors.New("industry: upstream returned no industry and no error")

// newAnswer marshals ind and returns an Answer with the given times and
// outcome.
func newAnswer(ind *wx.Industry, fetched time.Time, ttl time.Duration, o Outcome) (*Answer, error) {
	if ind == nil {
		return nil, errNoIndustry
	}
	body, err := json.Marshal(ind)
	if err != nil {
		return nil, fmt.Errorf("industry: marshal answer: %w", err)
	}
	return &Answer{Body: body, ETag: etag(body), FetchedAt: fetched, Expires: fetched.Add(ttl), Outcome: o}, nil
}

// etag returns a strong, quoted entity tag for body: the first 128 bits of
// its SHA-256, base64url without padding (22 characters, all valid etagc).
func etag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
}

// with returns a copy of a with the outcome and cause replaced.
func (a *Answer) with(o Outcome, cause error) *Answer {
	b := *a
	b.Outcome, b.Cause = o, cause
	return &b
}
