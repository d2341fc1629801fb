package token

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/wxindustry/getindustry/internal/redact"
)

// Defaults for the zero fields of Options.
const (
	DefaultTTL               = 60 * time.Second
	DefaultExpiryMargin      = 60 * time.Second
	DefaultFetchTimeout      = 5 * time.Second
	DefaultMinRereadInterval = time.Second
)

// Options configure a Source. Zero durations take the defaults above;
// negative durations are rejected by NewSource.
type Options struct {
	SecretID          string           // secret name or ARN; required
	Field             string           // JSON field holding the token; default DefaultField ("access_token")
	TTL               time.Duration    // how long a read is trusted; default 60s
	NoCache           bool             // read the secret on every Token call (concurrent callers still share a read); TTL is ignored
	ExpiryMargin      time.Duration    // refresh once expires_at - now < margin; default 60s
	FetchTimeout      time.Duration    // timeout of the shared GetSecretValue call (SDK retries included), within its starter's deadline; default 5s
	MinRereadInterval time.Duration    // storm guard and pause between failed refreshes; default 1s (see Invalidate)
	Now               func() time.Time // clock; default time.Now
	Logger            *slog.Logger     // default discards
	Secrets           *redact.Secrets  // every token read is added, so that what prints can mask it; may be nil
}

// entry is one read of the secret.
type entry struct {
	token      string
	expiresAt  time.Time // zero: the secret gave none
	readAt     time.Time
	freshUntil time.Time // served without a read until then
	afterDrop  bool      // read because Invalidate dropped the previous token
}

// Source provides the access token from a Secrets Manager secret
// (NewSource) or from one account's DynamoDB item (NewItemSource, whose
// differences it documents; "the secret" below is the item there). It caches
// the token for Options.TTL (and never past expires_at - ExpiryMargin when
// the secret has an expires_at), lets concurrent callers share one
// GetSecretValue call, and never serves a token past its expires_at. A secret
// stored as SecretBinary instead of SecretString is read as the same text
// (its bytes); one with neither fails with "secret has no string value". A
// Source is safe for concurrent use; the zero value is not usable, call
// NewSource or NewItemSource.
type Source struct {
	store   reader
	ident   Error  // names the store (SecretID, or Table and AppID) in the Source's own errors
	noun    string // "secret" or "item", in the reasons the Source gives itself
	expired bool   // whether a token past its expires_at is a transient failure (the writer is behind)
	opts    Options
	log     *slog.Logger
	group   singleflight.Group
	flights atomic.Uint64 // shared reads started

	mu      sync.Mutex
	cur     *entry // nil: nothing cached
	gen     uint64 // incremented by every Invalidate that drops a token
	dropped bool   // the current generation began with Invalidate; cleared by its first read
}

// reader is the one read a Source caches and shares: GetSecretValue of a
// secret, or GetItem of an account's item. It returns the token, its
// expires_at (zero: none given) or an *Error naming the store.
type reader interface {
	read(ctx context.Context) (tok string, expiresAt time.Time, err error)
}

// NewSource returns a Source reading opts.SecretID through sm. It returns an
// error if SecretID is empty or a duration is negative.
func NewSource(sm SecretGetter, opts Options) (*Source, error) {
	if sm == nil {
		return nil, errors.New("token: new source: nil SecretGetter")
	}
	if opts.SecretID == "" {
		return nil, errors.New("token: new source: SecretID is required")
	}
	if opts.Field == "" {
		opts.Field = DefaultField
	}
	store := &secretReader{sm: sm, id: opts.SecretID, field: opts.Field}
	return newSource(store, Error{SecretID: opts.SecretID}, "secret", opts)
}

// newSource applies the defaults of opts and returns the Source caching
// store's reads.
func newSource(store reader, ident Error, noun string, opts Options) (*Source, error) {
	durations := []struct {
		name string
		d    *time.Duration
		def  time.Duration
	}{
		{"TTL", &opts.TTL, DefaultTTL},
		{"ExpiryMargin", &opts.ExpiryMargin, DefaultExpiryMargin},
		{"FetchTimeout", &opts.FetchTimeout, DefaultFetchTimeout},
		{"MinRereadInterval", &opts.MinRereadInterval, DefaultMinRereadInterval},
	}
	for _, d := range durations {
		if *d.d < 0 {
			return nil, errors.New("token: new source: " + d.name + " must not be negative")
		}
		if *d.d == 0 {
			*d.d = d.def
		}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Source{store: store, ident: ident, noun: noun, opts: opts, log: log}, nil
}

// Token returns the access token, from the cache while it is fresh, else
// from one GetSecretValue call shared by all concurrent callers. That call
// runs under context.WithoutCancel(ctx), so a caller that gives up (Token
// then returns an *Error wrapping ctx's error) does not fail the others. It
// is bounded by Options.FetchTimeout and by the deadline of the caller that
// started it, the time that caller can still use: a read hung by Secrets
// Manager ends with its starter. A caller that joined a read begun before it
// arrived, which then ran out of time, reads afresh if its own deadline
// allows: no caller fails because of a read that outlived its starter. If a
// refresh fails, or the caller's ctx ends before it does, while the cached
// token is still before its expires_at, Token serves that token and logs a
// warning; otherwise it returns the *Error describing the failure.
func (s *Source) Token(ctx context.Context) (string, error) {
	arrival := s.flights.Load() // reads started before this call
	for {
		tok, f, err := s.token(ctx)
		if f == nil || f.seq > arrival || !f.timedOut || ctx.Err() != nil {
			return tok, err
		}
	}
}

// flight is the outcome of one shared read.
type flight struct {
	token    string
	seq      uint64 // this read's number: reads started before it have lower ones
	timedOut bool   // the read ran out of time (its starter's deadline or FetchTimeout)
}

// token serves the cache or joins (or starts) the shared read. It returns
// the read it waited for, if any, so that Token can tell whether it began
// before this caller and ran out of time.
func (s *Source) token(ctx context.Context) (string, *flight, error) {
	s.mu.Lock()
	if e := s.cur; e != nil && s.opts.Now().Before(e.freshUntil) {
		s.mu.Unlock()
		return e.token, nil, nil
	}
	gen := s.gen
	s.mu.Unlock()

	// The generation is part of the key: a read that began before an
	// Invalidate may return the dropped token, so later callers must not
	// join it.
	ch := s.group.DoChan(strconv.FormatUint(gen, 10), func() (v any, err error) {
		f := &flight{seq: s.flights.Add(1)}
		// singleflight re-panics a DoChan panic on a goroutine of its own,
		// which would end the process. The panic value is not kept: it
		// could quote the secret.
		defer func() {
			if recover() != nil {
				v, err = f, s.ident.with("internal error while reading the "+s.noun, false, nil)
			}
		}()
		f.token, f.timedOut, err = s.refresh(ctx, gen)
		return f, err
	})
	select {
	case r := <-ch:
		f := r.Val.(*flight)
		if r.Err != nil {
			return "", f, r.Err
		}
		return f.token, f, nil
	case <-ctx.Done():
		// The read is still running (a slow or hanging Secrets Manager):
		// like a failed refresh, serve the cached token while it is before
		// its expires_at, rather than fail this caller.
		cerr := fromContext(ctx, s.ident)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.gen != gen {
			return "", nil, cerr // invalidated meanwhile: the cached token is not to be served
		}
		tok, err := s.staleLocked(ctx, s.opts.Now(), cerr)
		return tok, nil, err
	}
}

// Invalidate drops the cached token if it equals stale, so the next Token
// call reads the secret afresh; a different cached token (already refreshed
// by someone else) is kept. Storm guard: if the cached token was itself read
// because of an Invalidate less than Options.MinRereadInterval ago, it is
// kept too, so a flood of rejections of a token the secret still holds costs
// at most one read per interval. Concurrent invalidations of the same token
// therefore lead to a single read.
func (s *Source) Invalidate(stale string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.cur
	if e == nil || e.token != stale {
		return
	}
	if e.afterDrop && s.opts.Now().Sub(e.readAt) < s.opts.MinRereadInterval {
		s.log.LogAttrs(context.Background(), slog.LevelDebug, "token invalidation ignored: re-read too recently", s.ident.attrs()...)
		return
	}
	s.cur = nil
	s.gen++
	s.dropped = true
}

// refresh reads the secret for generation gen and caches the result if no
// Invalidate happened meanwhile. ctx is the starting caller's: the read
// keeps its values and deadline but not its cancellation. timedOut reports
// that the read ran out of time.
func (s *Source) refresh(ctx context.Context, gen uint64) (tok string, timedOut bool, err error) {
	s.mu.Lock()
	if e := s.cur; e != nil && s.gen == gen && s.opts.Now().Before(e.freshUntil) {
		s.mu.Unlock()
		return e.token, false, nil // another flight filled the cache since the caller looked
	}
	s.mu.Unlock()

	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.FetchTimeout)
	defer cancel()
	if deadline, ok := ctx.Deadline(); ok {
		var cancelStarter context.CancelFunc
		rctx, cancelStarter = context.WithDeadline(rctx, deadline)
		defer cancelStarter()
	}
	tok, exp, err := s.store.read(rctx)
	timedOut = rctx.Err() != nil
	now := s.opts.Now()
	if err == nil {
		s.opts.Secrets.Add(tok)
		s.log.LogAttrs(ctx, slog.LevelDebug, "token read", append(s.ident.attrs(), slog.Bool("has_expiry", !exp.IsZero()))...)
		if !exp.IsZero() && !now.Before(exp) {
			err = s.ident.with("token in "+s.noun+" has expired", s.expired, nil)
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if errors.Is(err, ErrAccountNotFound) {
		if s.gen == gen {
			s.cur = nil // the account is gone: its token is not to be served, even before its expires_at
		}
		return "", timedOut, err
	}
	if err != nil {
		tok, err = s.staleLocked(rctx, now, err)
		return tok, timedOut, err
	}
	e := &entry{token: tok, expiresAt: exp, readAt: now, freshUntil: s.freshUntil(now, exp)}
	if s.gen == gen {
		e.afterDrop = s.dropped
		s.dropped = false
		s.cur = e
	}
	return tok, false, nil
}

// freshUntil is how long a token read at now is served without a read: TTL,
// cut short to expires_at - ExpiryMargin. A token already inside the margin
// is still served (it is valid) but re-read at most once per
// MinRereadInterval.
func (s *Source) freshUntil(now, exp time.Time) time.Time {
	if s.opts.NoCache {
		return now
	}
	until := now.Add(s.opts.TTL)
	if exp.IsZero() {
		return until
	}
	if early := exp.Add(-s.opts.ExpiryMargin); early.Before(until) {
		until = early
	}
	if floor := now.Add(min(s.opts.MinRereadInterval, s.opts.TTL)); until.Before(floor) {
		until = floor
	}
	if exp.Before(until) {
		until = exp
	}
	return until
}

// staleLocked handles a failed refresh: it serves the cached token if the
// secret gave it an expires_at that is still ahead, else returns err. While
// serving stale, the next read waits MinRereadInterval so a failing Secrets
// Manager is not called by every request.
func (s *Source) staleLocked(ctx context.Context, now time.Time, err error) (string, error) {
	e := s.cur
	if e == nil || e.expiresAt.IsZero() || !now.Before(e.expiresAt) {
		return "", err
	}
	e.freshUntil = now.Add(s.opts.MinRereadInterval)
	if e.expiresAt.Before(e.freshUntil) {
		e.freshUntil = e.expiresAt
	}
	attrs := append(s.ident.attrs(),
		slog.Time("expires_at", e.expiresAt),
		slog.String("error", err.Error()),
	)
	var te *Error
	if errors.As(err, &te) {
		attrs = append(attrs, slog.String("reason", te.Reason), slog.Bool("transient", te.Transient))
	}
	s.log.LogAttrs(ctx, slog.LevelWarn, "token refresh failed, serving cached token", attrs...)
	return e.token, nil
}
