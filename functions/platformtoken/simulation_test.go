package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wxindustry/getindustry/internal/jsonlog"
	"github.com/wxindustry/getindustry/internal/redact"
	"github.com/wxindustry/getindustry/internal/token/smtest"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// The simulation runs only when asked (make simulate).
var (
	simulate         = flag.Bool("simulate", false, "run TestSimulatePlatformDay (make simulate)")
	simulateAccounts = flag.Int("simulate.accounts", 10000, "TestSimulatePlatformDay: accounts")
	simulateHours    = flag.Int("simulate.hours", 24, "TestSimulatePlatformDay: simulated hours")
)

const (
	simStep    = 5 * time.Minute   // template.yaml PlatformSchedule: rate(5 minutes)
	simRuns    = 3                 // scheduled runs overlapping in each step
	simOnboard = 100 * time.Minute // authorizations spread over this before the first step
	simSamples = 16                // accounts the reader checks at each moment
	simMoments = 2                 // reader moments after a step's runs
	simTimeout = 300 * time.Second // template.yaml PlatformRunsFunction Timeout
)

// TestSimulatePlatformDay is issue 12's "Measured": accounts authorized in
// the WeChat simulator and stored in dynalite, then simulated hours on the
// shared fake clock in steps of the schedule. Each step pushes a ticket
// every other step (WeChat pushes every 10 minutes) and runs three
// scheduled refreshes at once, as three Lambda instances sharing the table
// and WeChat would, while a reader (getindustry's GetItem of access_token
// and expires_at) checks sampled accounts during the runs and at random
// moments after them; at the step's last second every account must hold
// WeChat's current token, unexpired. It asserts the correctness properties
// (at most one api_authorizer_token call per token lifetime, no stale read)
// and logs the performance numbers. `make simulate` runs it; BENCHMARKS.md,
// "Platform: 24 simulated hours", reports it.
func TestSimulatePlatformDay(t *testing.T) {
	if !*simulate {
		t.Skip("a simulated day: run with -simulate (make simulate)")
	}
	n, steps := *simulateAccounts, *simulateHours*int(time.Hour/simStep)
	rng := rand.New(rand.NewPCG(12, 2026))
	e := newEnv(t)
	calls := &callLog{now: e.clock.Now, at: map[string][]time.Time{}}
	wxSrv := httptest.NewServer(calls.wrap(e.sim))
	t.Cleanup(wxSrv.Close)
	public := e.simInstance(t, wxSrv.URL) // the Function URL's instance: pushes
	pushURL := newFront(t, public.h.Invoke).URL + "/component/events"
	pushTicket := func() time.Duration {
		return e.simPush(t, func() (wxtest.PushResult, error) { _, r, err := e.sim.PushTicket(t.Context(), pushURL); return r, err })
	}
	runners := make([]*simInstance, simRuns)
	for i := range runners {
		runners[i] = e.simInstance(t, wxSrv.URL)
	}

	// Onboarding: n accounts authorize, spread over simOnboard in whole
	// minutes, so that their tokens come due evenly over the schedule.
	wall := time.Now()
	var authWall time.Duration
	issued := map[string]time.Time{}
	var ids []string
	for minute := range int(simOnboard / time.Minute) {
		if minute%10 == 0 {
			pushTicket()
		}
		batch := n*(minute+1)/int(simOnboard/time.Minute) - len(ids)
		for range batch {
			id, code, err := e.sim.AuthorizeAccount()
			if err != nil {
				t.Fatal(err)
			}
			ids, issued[id] = append(ids, id), e.clock.Now()
			authWall += e.simPush(t, func() (wxtest.PushResult, error) { return e.sim.PushAuthorized(t.Context(), pushURL, id, code, false) })
		}
		e.clock.Advance(time.Minute)
	}
	onboardPush := public.snapshot()
	t.Logf("onboarded %d accounts in %v (real): per authorization push %s", n, time.Since(wall).Round(time.Second), onboardPush.per(n))

	var (
		runs                   []simRun
		ticketPushes           int
		ticketWall             time.Duration
		stale, checked, behind int
		staleErrs              []string
	)
	// The simulated hours: each step, a ticket every other step, three
	// overlapping runs with a reader alongside, the reader at random
	// moments after, every account checked at the step's last second.
	first := e.clock.Now()
	read := func(now time.Time) {
		for range simSamples {
			id := ids[rng.IntN(len(ids))]
			checked++
			if err := e.readToken(t.Context(), wxSrv.URL, id, now); err != nil {
				stale++
				staleErrs = append(staleErrs, err.Error())
			}
		}
	}
	wall = time.Now()
	before, secretReads := public.snapshot(), e.sm.Calls(secretID)
	for step := range steps {
		at := first.Add(time.Duration(step) * simStep)
		e.setClock(at)
		if step%2 == 0 {
			ticketPushes++
			ticketWall += pushTicket()
		}
		got := make([]simRun, simRuns)
		var wg sync.WaitGroup
		for i, in := range runners {
			wg.Go(func() { got[i] = in.run(t) })
		}
		read(at) // a reader during the runs
		wg.Wait()
		runs = append(runs, got...)
		moments := make([]time.Duration, simMoments)
		for i := range moments {
			moments[i] = time.Duration(rng.Int64N(int64(simStep)))
		}
		slices.Sort(moments)
		for _, d := range moments {
			e.setClock(at.Add(d))
			read(at.Add(d))
		}
		end := at.Add(simStep - time.Second)
		e.setClock(end)
		behind += e.wantAllCurrent(t, end)
		if t.Failed() {
			t.Fatalf("step %d (%v): stopped", step, at)
		}
		if (step+1)%12 == 0 {
			t.Logf("simulated hour %d done, %v real", (step+1)/12, time.Since(wall).Round(time.Second))
		}
	}
	last := e.clock.Now()
	simWall := time.Since(wall)
	tickets := public.snapshot().sub(before)

	// Correctness: one api_authorizer_token call per token lifetime at most,
	// no stale read, every account current at the end of every step.
	var tokens, counted, worst, total int
	for _, id := range ids {
		tk, c, w := perLifetime(issued[id], calls.at[id], last)
		tokens, counted, worst, total = tokens+tk, counted+c, max(worst, w), total+len(calls.at[id])
	}
	perToken := float64(counted) / float64(tokens)
	if worst > 1 || perToken > 1.0 {
		t.Errorf("api_authorizer_token calls per token lifetime: mean %.3f, max %d; want at most 1 (no double refresh)", perToken, worst)
	}
	if stale > 0 {
		t.Errorf("stale reads: %d of %d; want 0; first: %s", stale, checked, staleErrs[0])
	}
	if behind > 0 {
		t.Errorf("accounts not current at a step's end: %d; want 0", behind)
	}
	var refreshed, skipped, failed, due int
	for _, r := range runs {
		refreshed, skipped, failed, due = refreshed+r.rep.Refreshed, skipped+r.rep.Skipped, failed+r.rep.Failed, due+r.rep.Due
	}
	if failed > 0 || refreshed != total {
		t.Errorf("runs: %d refreshed, %d failed; simulator api_authorizer_token calls %d; want every call's token written, none failed", refreshed, failed, total)
	}

	// Performance: a table, no assertions.
	var b strings.Builder
	fmt.Fprintf(&b, "\n%d accounts, %d steps of %v (%v simulated), %d runs overlapping per step, %d runs in all; %v real\n",
		n, steps, simStep, last.Sub(first), simRuns, len(runs), simWall.Round(time.Second))
	fmt.Fprintf(&b, "api_authorizer_token: %d calls (%.2f per account per simulated day); per token lifetime: mean %.3f, max %d over %d lifetimes ended in the simulation\n",
		total, float64(total)/float64(n)*float64(24*time.Hour)/float64(last.Sub(first)), perToken, worst, tokens)
	fmt.Fprintf(&b, "api_component_token: %d calls; api_get_authorizer_list: %d\n",
		e.sim.ComponentCalls("api_component_token"), e.sim.ComponentCalls("api_get_authorizer_list"))
	fmt.Fprintf(&b, "reader: %d checks (GetItem + get_industry), %d stale; end-of-step checks of all %d accounts: %d behind\n", checked, stale, n, behind)
	fmt.Fprintf(&b, "runs: found due %d in all (each due account found by each of the %d runs), refreshed %d, skipped (another run's lease) %d, failed %d\n",
		due, simRuns, refreshed, skipped, failed)
	b.WriteString(runTable(runs))
	fmt.Fprintf(&b, "ticket push (%d): %v real each; %s\n", ticketPushes, (ticketWall / time.Duration(ticketPushes)).Round(time.Millisecond), tickets.per(ticketPushes))
	fmt.Fprintf(&b, "authorization push (%d): %v real each; %s\n", n, (authWall / time.Duration(n)).Round(time.Millisecond), onboardPush.per(n))
	fmt.Fprintf(&b, "Secrets Manager GetSecretValue over the simulated hours: %d (%d instances)\n", e.sm.Calls(secretID)-secretReads, simRuns+1)
	size, items := e.tableSize(t)
	fmt.Fprintf(&b, "table: %d items, %.0f bytes per item (DynamoDB's size rule: names + values, without the 100-byte storage overhead)\n", items, size)
	t.Log(b.String())
}

// simInstance is one Lambda instance of the function: a service with its
// own DynamoDB meter and a count of the log bytes it writes at INFO, the
// template's LogLevel.
type simInstance struct {
	h       *instrumented
	meter   *ddbMeter
	logs    atomic.Int64
	payload []byte
}

func (e *env) simInstance(tb testing.TB, wxURL string) *simInstance {
	tb.Helper()
	in := &simInstance{meter: &ddbMeter{target: *e.db.Options().BaseEndpoint, ops: map[string]opCount{}}}
	srv := httptest.NewServer(in.meter)
	tb.Cleanup(srv.Close)
	opts := e.db.Options()
	opts.BaseEndpoint = &srv.URL
	secrets := &redact.Secrets{}
	logs := countWriter{&in.logs}
	log := jsonlog.NewMasking(logs, slog.LevelInfo, secrets)
	client, err := wx.NewClient(wxURL, nil, wx.Options{AttemptTimeout: defaultHTTPTimeout, Logger: log})
	if err != nil {
		tb.Fatal(err)
	}
	creds := &credentialSource{sm: smtest.NewClient(e.smURL), id: secretID, now: e.clock.Now, secrets: secrets}
	svc := newService(newStore(dynamodb.New(opts), table), creds, client, e.clock.Now, defaultWorkers, log, secrets)
	in.h = newInstrumented(svc, log, &metricsWriter{w: logs, namespace: defaultNamespace, service: "PlatformRunsFunction"})
	if in.payload, err = os.ReadFile(filepath.Join("..", "..", "events", "platformtoken", "scheduled.json")); err != nil {
		tb.Fatal(err)
	}
	return in
}

// simRun is what one scheduled run did and cost.
type simRun struct {
	rep  runReport
	wall time.Duration
	cost simCost
}

// run invokes the instance with the EventBridge scheduled event, under the
// function's timeout, and measures it.
func (in *simInstance) run(tb testing.TB) simRun {
	ctx := lambdacontext.NewContext(tb.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req-sim"})
	ctx, cancel := context.WithTimeout(ctx, simTimeout)
	defer cancel()
	before, start := in.snapshot(), time.Now()
	out, err := in.h.Invoke(ctx, in.payload)
	r := simRun{wall: time.Since(start), cost: in.snapshot().sub(before)}
	if err != nil || json.Unmarshal(out, &r.rep) != nil {
		tb.Errorf("scheduled run = %s, %v; want a report", out, err)
	}
	return r
}

// simCost is what an instance cost: DynamoDB by operation, log bytes.
type simCost struct {
	ops      map[string]opCount
	logBytes int64
}

func (in *simInstance) snapshot() simCost {
	return simCost{ops: in.meter.snapshot(), logBytes: in.logs.Load()}
}

func (c simCost) sub(o simCost) simCost {
	d := simCost{ops: map[string]opCount{}, logBytes: c.logBytes - o.logBytes}
	for op, v := range c.ops {
		p := o.ops[op]
		d.ops[op] = opCount{Requests: v.Requests - p.Requests, Units: v.Units - p.Units, CondFailed: v.CondFailed - p.CondFailed}
	}
	return d
}

// units are the read and write request units: what dynalite reported
// (ReturnConsumedCapacity TOTAL, by DynamoDB's rules: reads per 4 KB, half
// for eventually consistent, a Scan by the size of every item it reads;
// writes per 1 KB of the larger of the old and new item), plus one write
// unit for each conditional write refused, which DynamoDB charges and
// dynalite does not report (every item here is under 1 KB).
func (c simCost) units() (read, write float64) {
	for op, v := range c.ops {
		switch op {
		case "GetItem", "Scan", "Query", "BatchGetItem":
			read += v.Units
		default:
			write += v.Units + float64(v.CondFailed)
		}
	}
	return read, write
}

// per is c divided over k events, as a line.
func (c simCost) per(k int) string {
	r, w := c.units()
	var ops []string
	for op, v := range c.ops {
		ops = append(ops, fmt.Sprintf("%s %.2f", op, float64(v.Requests)/float64(k)))
	}
	slices.Sort(ops)
	return fmt.Sprintf("%.2f RRU, %.2f WRU, %.0f log bytes; requests: %s", r/float64(k), w/float64(k), float64(c.logBytes)/float64(k), strings.Join(ops, ", "))
}

// runTable summarises the runs: real time and DynamoDB units, over all
// runs and over the runs that refreshed something.
func runTable(runs []simRun) string {
	var b strings.Builder
	b.WriteString("| runs | count | wall p50 | wall p95 | wall max | RRU mean | RRU max | WRU mean | WRU max | Scan RRU mean | refused cond. writes mean | log bytes mean |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	row := func(name string, keep func(simRun) bool) {
		var walls []time.Duration
		var rs, ws []float64
		var scan, refused, logs float64
		for _, r := range runs {
			if !keep(r) {
				continue
			}
			rr, ww := r.cost.units()
			walls, rs, ws = append(walls, r.wall), append(rs, rr), append(ws, ww)
			scan += r.cost.ops["Scan"].Units
			refused += float64(r.cost.ops["UpdateItem"].CondFailed)
			logs += float64(r.cost.logBytes)
		}
		k := len(walls)
		if k == 0 {
			return
		}
		slices.Sort(walls)
		mean := func(v []float64) float64 {
			s := 0.0
			for _, x := range v {
				s += x
			}
			return s / float64(len(v))
		}
		ms := func(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f |\n", name, k,
			ms(walls[k/2]), ms(walls[k*95/100]), ms(walls[k-1]), mean(rs), slices.Max(rs), mean(ws), slices.Max(ws),
			scan/float64(k), refused/float64(k), logs/float64(k))
	}
	row("all", func(simRun) bool { return true })
	row("refreshed ≥ 1", func(r simRun) bool { return r.rep.Refreshed > 0 })
	row("refreshed 0", func(r simRun) bool { return r.rep.Refreshed == 0 })
	return b.String()
}

// ddbMeter is a reverse proxy in front of dynalite that asks for
// ConsumedCapacity on every request (dynalite checks no signature) and
// counts requests, units and refused conditional writes by operation.
type ddbMeter struct {
	target string
	mu     sync.Mutex
	ops    map[string]opCount
}

type opCount struct {
	Requests, CondFailed int
	Units                float64
}

func (m *ddbMeter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	body, _ := io.ReadAll(r.Body)
	if len(body) > 2 && body[0] == '{' && !bytes.Contains(body, []byte(`"ReturnConsumedCapacity"`)) {
		body = append([]byte(`{"ReturnConsumedCapacity":"TOTAL",`), body[1:]...)
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, m.target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	var got struct {
		Type             string `json:"__type"`
		ConsumedCapacity struct{ CapacityUnits float64 }
	}
	_ = json.Unmarshal(out, &got)
	m.mu.Lock()
	c := m.ops[op]
	c.Requests++
	c.Units += got.ConsumedCapacity.CapacityUnits
	if strings.HasSuffix(got.Type, "ConditionalCheckFailedException") {
		c.CondFailed++
	}
	m.ops[op] = c
	m.mu.Unlock()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(out)
}

func (m *ddbMeter) snapshot() map[string]opCount {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.ops)
}

// countWriter counts the bytes written and drops them.
type countWriter struct{ n *atomic.Int64 }

func (w countWriter) Write(p []byte) (int, error) {
	w.n.Add(int64(len(p)))
	return len(p), nil
}

// callLog records, on the simulator's clock, each api_authorizer_token
// call by account, in front of the simulator.
type callLog struct {
	now func() time.Time
	mu  sync.Mutex
	at  map[string][]time.Time
}

func (c *callLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == wxtest.PathAuthorizerToken {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var in struct {
				AppID string `json:"authorizer_appid"`
			}
			_ = json.Unmarshal(body, &in)
			c.mu.Lock()
			c.at[in.AppID] = append(c.at[in.AppID], c.now())
			c.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

// perLifetime counts, for every token of one account whose natural
// lifetime (7200 s) ended by end (the one api_query_auth issued, then one
// per api_authorizer_token call), the api_authorizer_token calls made after
// it was issued and before that lifetime ended: one is the refresh that
// replaced it, two a double refresh.
func perLifetime(issued time.Time, calls []time.Time, end time.Time) (tokens, counted, worst int) {
	starts := append([]time.Time{issued}, calls...)
	for i, t0 := range starts {
		life := t0.Add(wxtest.AuthorizerTokenLifetime)
		if life.After(end) {
			break
		}
		c := 0
		for _, at := range calls[i:] {
			if !at.Before(life) {
				break
			}
			c++
		}
		tokens, counted, worst = tokens+1, counted+c, max(worst, c)
	}
	return tokens, counted, worst
}

// readToken is a getindustry reader at now: the item's access_token and
// expires_at (GetItem with getindustry's projection), not expired, and
// get_industry answering the account's own industry with it.
func (e *env) readToken(ctx context.Context, wxURL, appID string, now time.Time) error {
	out, err := e.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: new(table),
		Key: map[string]types.AttributeValue{attrAppID: s(appID)}, ProjectionExpression: new("access_token, expires_at")})
	if err != nil {
		return fmt.Errorf("%s: GetItem: %w", appID, err)
	}
	tok, exp := str(out.Item, attrAccessToken), str(out.Item, attrExpiresAt)
	if at, err := time.Parse(time.RFC3339, exp); tok == "" || err != nil || !at.After(now) {
		return fmt.Errorf("%s at %v: token present %v, expires_at %q", appID, now, tok != "", exp)
	}
	resp, err := http.Get(wxURL + wxtest.PathGetIndustry + "?access_token=" + tok)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var ind wx.Industry
	if json.NewDecoder(resp.Body).Decode(&ind) != nil || ind != wxtest.AccountIndustry(appID) {
		return fmt.Errorf("%s at %v: get_industry refused the stored token (expires_at %s)", appID, now, exp)
	}
	return nil
}

// wantAllCurrent scans the table and counts the accounts whose item does
// not hold WeChat's current token, unexpired at now (stored and at WeChat).
func (e *env) wantAllCurrent(tb testing.TB, now time.Time) (behind int) {
	tb.Helper()
	e.scan(tb, func(item map[string]types.AttributeValue) {
		id := str(item, attrAppID)
		if !isAccountKey(id) {
			return
		}
		st, _ := e.sim.Authorizer(id)
		exp, err := time.Parse(time.RFC3339, str(item, attrExpiresAt))
		if err != nil || !exp.After(now) || str(item, attrAccessToken) != st.AccessToken || !st.Expires.After(now) {
			if behind == 0 {
				tb.Logf("%s at %v: expires_at %q, holds WeChat's current token %v", id, now, str(item, attrExpiresAt), str(item, attrAccessToken) == st.AccessToken)
			}
			behind++
		}
	})
	return behind
}

// tableSize returns the mean size of the account items, by DynamoDB's
// rule (attribute names and values; numbers about half their digits).
func (e *env) tableSize(tb testing.TB) (mean float64, items int) {
	total := 0
	e.scan(tb, func(item map[string]types.AttributeValue) {
		if !isAccountKey(str(item, attrAppID)) {
			return
		}
		items++
		for name, v := range item {
			total += len(name)
			switch v := v.(type) {
			case *types.AttributeValueMemberS:
				total += len(v.Value)
			case *types.AttributeValueMemberN:
				total += len(v.Value)/2 + 1
			case *types.AttributeValueMemberNS:
				for _, x := range v.Value {
					total += len(x)/2 + 1
				}
			}
		}
	})
	return float64(total) / float64(max(items, 1)), items
}

// scan calls each for every item of the table, straight from dynalite
// (not metered).
func (e *env) scan(tb testing.TB, each func(map[string]types.AttributeValue)) {
	tb.Helper()
	in := &dynamodb.ScanInput{TableName: new(table)}
	for {
		out, err := e.db.Scan(tb.Context(), in)
		if err != nil {
			tb.Fatal(err)
		}
		for _, item := range out.Items {
			each(item)
		}
		if len(out.LastEvaluatedKey) == 0 {
			return
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// setClock moves the shared clock to t.
func (e *env) setClock(t time.Time) { e.clock.Advance(t.Sub(e.clock.Now())) }

// simPush plays one WeChat push, fails the test unless it is answered
// success, and returns how long it took (real, the simulator's sealing
// and the loopback front included: an upper bound of the invoke).
func (e *env) simPush(tb testing.TB, push func() (wxtest.PushResult, error)) time.Duration {
	tb.Helper()
	start := time.Now()
	if res, err := push(); err != nil || res.Status != http.StatusOK || res.Body != "success" {
		tb.Fatalf("push = %+v, %v; want 200 success", res, err)
	}
	return time.Since(start)
}
