package accounts

import (
	"context"
	"errors"
	"time"

	"github.com/wxindustry/getindustry/internal/industry"
	"github.com/wxindustry/getindustry/internal/lru"
	"github.com/wxindustry/getindustry/internal/token"
	"github.com/wxindustry/getindustry/internal/wx"
)

// Defaults for the zero fields of Options.
const (
	DefaultMaxAccounts = 10000
	DefaultMissTTL     = 30 * time.Second
)

// Options configure a Registry.
type Options struct {
	DB          token.ItemGetter // reads the accounts' items; required
	Table       string           // the accounts table; required
	Client      *wx.Client       // shared by every account through WithTokens; required
	Tokens      token.Options    // options of each account's token source (SecretID and Field unused)
	Industry    industry.Options // options of each account's industry cache
	MaxAccounts int              // most accounts kept, and most unknown appids remembered; default 10000
	MissTTL     time.Duration    // how long an appid without an item is remembered as such; default 30s
	Now         func() time.Time // clock of the miss memo; default time.Now
}

// miss is an appid found to have no item, remembered until a time.
type miss struct {
	until time.Time
	err   error // the error that said so, answered again meanwhile
}

// Registry answers the industry of any account whose item the table holds.
// An account's caches are made on its first request and dropped when
// MaxAccounts others were used more recently, or when its item is found to
// be gone; a request still in flight on dropped caches completes on them
// unharmed. One account's failures (a rejected token, an unreadable item)
// touch only its own caches. A Registry is safe for concurrent use; the zero
// value is not usable, call New.
type Registry struct {
	opts     Options
	accounts *lru.Cache[string, *industry.Cache] // per appid: the industry cache in front of a client whose token source reads the item
	misses   *lru.Cache[string, miss]
}

// New returns a Registry. It returns an error when DB, Table or Client is
// missing or an option is out of range (as token.NewItemSource reports it).
func New(opts Options) (*Registry, error) {
	if opts.DB == nil || opts.Table == "" || opts.Client == nil {
		return nil, errors.New("accounts: new registry: DB, Table and Client are required")
	}
	if opts.MaxAccounts < 0 || opts.MissTTL < 0 {
		return nil, errors.New("accounts: new registry: MaxAccounts and MissTTL must not be negative")
	}
	if opts.MaxAccounts == 0 {
		opts.MaxAccounts = DefaultMaxAccounts
	}
	if opts.MissTTL == 0 {
		opts.MissTTL = DefaultMissTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	// The token options are the same for every account: check them once,
	// so that making an account's caches cannot fail.
	if _, err := token.NewItemSource(opts.DB, opts.Table, "check", opts.Tokens); err != nil {
		return nil, err
	}
	return &Registry{
		opts:     opts,
		accounts: lru.New[string, *industry.Cache](opts.MaxAccounts),
		misses:   lru.New[string, miss](opts.MaxAccounts),
	}, nil
}

// Get returns the industry answer of the account appid, which the caller
// has checked to be an appid. For an appid without an item it returns an
// error wrapping token.ErrAccountNotFound, and for MissTTL after that the
// same error without reading the table. Other errors are those of
// industry.Cache.Get.
func (r *Registry) Get(ctx context.Context, appid string) (*industry.Answer, error) {
	if m, ok := r.misses.Get(appid); ok {
		if r.opts.Now().Before(m.until) {
			return nil, m.err
		}
		r.misses.Remove(appid)
	}
	answers := r.accounts.GetOrAdd(appid, func() *industry.Cache { return r.newAccount(appid) })
	ans, err := answers.Get(ctx)
	if errors.Is(err, token.ErrAccountNotFound) {
		r.misses.Add(appid, miss{until: r.opts.Now().Add(r.opts.MissTTL), err: err})
		r.accounts.Remove(appid)
	}
	return ans, err
}

// newAccount makes appid's caches. It runs under the LRU's lock: it does no
// I/O, only allocations.
func (r *Registry) newAccount(appid string) *industry.Cache {
	src, err := token.NewItemSource(r.opts.DB, r.opts.Table, appid, r.opts.Tokens)
	if err != nil {
		// Unreachable: New checked the same options. Answer the error
		// rather than hold a nil source.
		return industry.NewCache(failing{err}, industry.Options{})
	}
	return industry.NewCache(r.opts.Client.WithTokens(src), r.opts.Industry)
}

// failing is an industry.Getter that always fails with err.
type failing struct{ err error }

func (f failing) GetIndustry(context.Context) (*wx.Industry, error) { return nil, f.err }
