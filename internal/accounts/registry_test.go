package accounts_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wxindustry/getindustry/internal/accounts"
	"github.com/wxindustry/getindustry/internal/clocktest"
	"github.com/wxindustry/getindustry/internal/ddbtest"
	"github.com/wxindustry/getindustry/internal/industry"
	"github.com/wxindustry/getindustry/internal/token"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

const table = "accounts"

// Appids of the test accounts.
const (
	appA = "wx000000000000000a"
	appB = "wx000000000000000b"
	appC = "wx000000000000000c"
	appX = "wx00000000000000ff" // never has an item
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// counter counts the GetItem calls per appid that reach dynalite.
type counter struct {
	db    token.ItemGetter
	mu    sync.Mutex
	calls map[string]int
}

func (c *counter) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.mu.Lock()
	c.calls[in.Key["appid"].(*types.AttributeValueMemberS).Value]++
	c.mu.Unlock()
	return c.db.GetItem(ctx, in, optFns...)
}

func (c *counter) of(appid string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[appid]
}

// world is a Registry on dynalite and the WeChat simulator.
type world struct {
	db    *dynamodb.Client
	reads *counter
	sim   *wxtest.Simulator
	clock *clocktest.Clock
	reg   *accounts.Registry
}

func newWorld(tb testing.TB, opts accounts.Options) *world {
	tb.Helper()
	srv := ddbtest.Start(tb)
	srv.CreateTable(tb, table)
	w := &world{db: srv.Client(), sim: wxtest.NewSimulator(), clock: clocktest.New(t0)}
	w.sim.SetNow(w.clock.Now)
	w.reads = &counter{db: w.db, calls: map[string]int{}}
	wxSrv := wxtest.NewServer(w.sim)
	tb.Cleanup(wxSrv.Close)
	client, err := wx.NewClient(wxSrv.URL, nil, wx.Options{AttemptTimeout: 5 * time.Second, Backoff: func(int) time.Duration { return time.Millisecond }})
	if err != nil {
		tb.Fatal(err)
	}
	opts.DB, opts.Table, opts.Client, opts.Now = w.reads, table, client, w.clock.Now
	opts.Tokens.Now, opts.Industry.Now = w.clock.Now, w.clock.Now
	if w.reg, err = accounts.New(opts); err != nil {
		tb.Fatal(err)
	}
	return w
}

// authorize gives appid an item holding tok and makes WeChat accept tok.
func (w *world) authorize(tb testing.TB, appid, tok string) {
	tb.Helper()
	exp := w.clock.Now().Add(2 * time.Hour)
	w.sim.SetAccountToken(appid, tok, exp)
	_, err := w.db.PutItem(tb.Context(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		"appid":        &types.AttributeValueMemberS{Value: appid},
		"access_token": &types.AttributeValueMemberS{Value: tok},
		"expires_at":   &types.AttributeValueMemberS{Value: exp.Format(time.RFC3339)},
	}})
	if err != nil {
		tb.Fatal(err)
	}
}

// want checks that Get answers appid's own industry.
func (w *world) want(tb testing.TB, appid string) *industry.Answer {
	tb.Helper()
	ans, err := w.reg.Get(tb.Context(), appid)
	if err != nil {
		tb.Fatalf("Get(%s) err = %v", appid, err)
	}
	var got wx.Industry
	if err := json.Unmarshal(ans.Body, &got); err != nil || got != wxtest.AccountIndustry(appid) {
		tb.Fatalf("Get(%s) = %s; want its own industry", appid, ans.Body)
	}
	return ans
}

func TestAccountsAnswerTheirOwnIndustry(t *testing.T) {
	w := newWorld(t, accounts.Options{Industry: industry.Options{TTL: time.Hour}})
	for _, id := range []string{appA, appB, appC} {
		w.authorize(t, id, "tok-"+id)
	}
	for range 2 {
		for _, id := range []string{appA, appB, appC} {
			w.want(t, id)
		}
	}
	for _, id := range []string{appA, appB, appC} {
		if n := w.reads.of(id); n != 1 {
			t.Errorf("%d GetItem calls for %s; want 1 (cached)", n, id)
		}
	}
	if n := w.sim.Calls(); n != 3 {
		t.Errorf("%d get_industry calls; want 3, one per account", n)
	}
}

func TestUnknownAccountIsRemembered(t *testing.T) {
	w := newWorld(t, accounts.Options{MissTTL: 30 * time.Second})
	for i := range 5 {
		_, err := w.reg.Get(t.Context(), appX)
		var te *token.Error
		if !errors.Is(err, token.ErrAccountNotFound) || !errors.As(err, &te) || te.AppID != appX {
			t.Fatalf("Get(unknown) #%d err = %v; want ErrAccountNotFound naming the appid", i, err)
		}
		w.clock.Advance(5 * time.Second)
	}
	if n := w.reads.of(appX); n != 1 {
		t.Errorf("%d GetItem calls for an unknown appid within the miss TTL; want 1", n)
	}
	w.clock.Advance(10 * time.Second) // past the 30 s since the first read
	if _, err := w.reg.Get(t.Context(), appX); !errors.Is(err, token.ErrAccountNotFound) {
		t.Fatalf("Get(unknown) err = %v", err)
	}
	if n := w.reads.of(appX); n != 2 {
		t.Errorf("%d GetItem calls after the miss TTL; want 2", n)
	}
	// An account authorized later is found once its miss has passed.
	w.authorize(t, appX, "tok-x")
	w.clock.Advance(30 * time.Second)
	w.want(t, appX)
}

// A rejected token re-reads only that account's item and retries once;
// another account's cached token is neither read again nor dropped.
func TestTokenRotationTouchesOneAccount(t *testing.T) {
	w := newWorld(t, accounts.Options{}) // industry TTL 0: every Get calls WeChat
	w.authorize(t, appA, "tok-a1")
	w.authorize(t, appB, "tok-b")
	w.want(t, appA)
	w.want(t, appB)
	w.authorize(t, appA, "tok-a2") // the writer rotated a's token; WeChat rejects tok-a1 (40001)
	calls := w.sim.Calls()
	w.want(t, appA)
	if n := w.sim.Calls() - calls; n != 2 {
		t.Errorf("%d get_industry calls for the rotation; want 2 (40001, then the retry)", n)
	}
	if a, b := w.reads.of(appA), w.reads.of(appB); a != 2 || b != 1 {
		t.Errorf("GetItem calls: a %d, b %d; want a 2 (re-read), b 1", a, b)
	}
	w.want(t, appB)
	if b := w.reads.of(appB); b != 1 {
		t.Errorf("GetItem calls for b after a's rotation = %d; want 1", b)
	}
}

// At most MaxAccounts accounts are kept: the least recently used is made
// again (its item read again) when it comes back.
func TestAccountsAreBounded(t *testing.T) {
	w := newWorld(t, accounts.Options{MaxAccounts: 2, Industry: industry.Options{TTL: time.Hour}})
	for _, id := range []string{appA, appB, appC} {
		w.authorize(t, id, "tok-"+id)
	}
	w.want(t, appA)
	w.want(t, appB)
	w.want(t, appA) // a is now more recent than b
	w.want(t, appC) // evicts b
	w.want(t, appA)
	if n := w.reads.of(appA); n != 1 {
		t.Errorf("%d GetItem calls for a; want 1 (kept)", n)
	}
	w.want(t, appB)
	if n := w.reads.of(appB); n != 2 {
		t.Errorf("%d GetItem calls for b; want 2 (evicted, then made again)", n)
	}
}

// A request in flight on an account's caches when they are evicted
// completes on them.
func TestEvictedAccountInFlight(t *testing.T) {
	w := newWorld(t, accounts.Options{MaxAccounts: 1})
	w.authorize(t, appA, "tok-a")
	w.authorize(t, appB, "tok-b")
	w.sim.Script(wxtest.Fault{Delay: 300 * time.Millisecond}) // a's call waits while b evicts a
	done := make(chan error, 1)
	go func() {
		ans, err := w.reg.Get(context.Background(), appA)
		if err == nil && !strings.Contains(string(ans.Body), appA) {
			err = errors.New("a's answer is not a's industry: " + string(ans.Body))
		}
		done <- err
	}()
	for w.sim.Calls() == 0 {
		time.Sleep(time.Millisecond)
	}
	w.want(t, appB)
	if err := <-done; err != nil {
		t.Fatalf("Get(a) evicted in flight: %v", err)
	}
	w.want(t, appA)
}

func TestNewRejectsBadOptions(t *testing.T) {
	client, err := wx.NewClient("https://api.weixin.qq.com", nil, wx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db := &counter{}
	tests := []struct {
		name string
		opts accounts.Options
	}{
		{"no table", accounts.Options{DB: db, Client: client}},
		{"no client", accounts.Options{DB: db, Table: table}},
		{"negative max", accounts.Options{DB: db, Table: table, Client: client, MaxAccounts: -1}},
		{"negative token ttl", accounts.Options{DB: db, Table: table, Client: client, Tokens: token.Options{TTL: -time.Second}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := accounts.New(tt.opts); err == nil {
				t.Error("New() err = nil; want an error")
			}
		})
	}
}

// Concurrent requests for more accounts than are kept, evicting each
// other's caches while in flight, each get their own account's answer.
func TestConcurrentAccountsWithEvictions(t *testing.T) {
	w := newWorld(t, accounts.Options{MaxAccounts: 2, Industry: industry.Options{TTL: time.Hour}})
	ids := []string{appA, appB, appC}
	for _, id := range ids {
		w.authorize(t, id, "tok-"+id)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 60)
	for i := range 60 {
		wg.Go(func() {
			id := ids[i%len(ids)]
			ans, err := w.reg.Get(context.Background(), id)
			if err == nil && !strings.Contains(string(ans.Body), id) {
				err = errors.New(id + " answered " + string(ans.Body))
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
