package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// gate holds one Secrets Manager request, the blockAt-th GetSecretValue of
// the token secret, until release is closed: the moment between a
// refresher's second read and its write.
type gate struct {
	next    http.Handler
	blockAt int
	arrived chan struct{}
	release chan struct{}
	mu      sync.Mutex
	reads   int
}

func newGate(tb testing.TB, next http.Handler, blockAt int) (*gate, string) {
	tb.Helper()
	g := &gate{next: next, blockAt: blockAt, arrived: make(chan struct{}), release: make(chan struct{})}
	srv := httptest.NewServer(g)
	tb.Cleanup(srv.Close)
	tb.Cleanup(g.open)
	return g, srv.URL
}

func (g *gate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.release:
	default:
		close(g.release)
	}
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if r.Header.Get("X-Amz-Target") == "secretsmanager.GetSecretValue" && strings.Contains(string(body), `"`+tokenID+`"`) {
		g.mu.Lock()
		g.reads++
		hit := g.reads == g.blockAt
		g.mu.Unlock()
		if hit {
			close(g.arrived)
			<-g.release
		}
	}
	g.next.ServeHTTP(w, r)
}

// result is one invoke's outcome, for invokes run in goroutines.
type result struct {
	a  answer
	ie *messages.InvokeResponse_Error
}

func (e *env) invokeAsync(tb testing.TB, r *refresher, payload string) <-chan result {
	done := make(chan result, 1)
	go func() {
		a, ie := e.invoke(tb, r, payload)
		done <- result{a, ie}
	}()
	return done
}

// waitArrived waits for the gate to hold its request.
func waitArrived(tb testing.TB, g *gate) {
	tb.Helper()
	select {
	case <-g.arrived:
	case <-time.After(10 * time.Second):
		tb.Fatal("the gated refresher never reached its second read")
	}
}

// A normal run renews the token, but before it writes, another instance
// forces a refresh and writes the newer token: the late writer must see it
// and leave it, whether the two expire in the same second or not.
func TestOlderTokenNeverOverwritesNewer(t *testing.T) {
	for _, gap := range []time.Duration{0, time.Second, 20 * time.Second} {
		t.Run("force "+gap.String()+" later", func(t *testing.T) {
			e := newEnv(t)
			e.mustRefresh(t, e.r, `{}`)
			e.clock.Advance(2*time.Hour - 4*time.Minute) // the renewal window
			g, url := newGate(t, e.sm, 2)                // hold the normal run's second read
			late := e.invokeAsync(t, e.newRefresher(t, url), `{}`)
			waitArrived(t, g)
			renewed, _, _ := e.sim.AppToken(appID)

			e.clock.Advance(gap)
			forced := e.mustRefresh(t, e.r, `{"force_refresh":true}`)
			g.open()
			r := <-late
			if r.ie != nil {
				t.Fatalf("late normal run = %s: %s; want success", r.ie.Type, r.ie.Message)
			}
			st := e.wantCurrent(t) // the forced token, which is WeChat's current one
			if st.AccessToken == renewed || r.a.Changed || r.a.ExpiresAt != forced.ExpiresAt {
				t.Errorf("late run answer = %+v (forced %+v); want unchanged with the forced token's expiry", r.a, forced)
			}
			if n := e.sm.Puts(tokenID); n != 2 {
				t.Errorf("PutSecretValue calls = %d; want 2 (first run, force)", n)
			}
		})
	}
}

// A forced run gets its new token, but before it writes, a normal run in
// another instance stores that same token: the forced run still records its
// force, so the limits hold, and the token is written once.
func TestForceRecordedWhenAnotherRunStoredItsToken(t *testing.T) {
	e := newEnv(t)
	e.mustRefresh(t, e.r, `{}`)
	e.clock.Advance(time.Minute)
	g, url := newGate(t, e.sm, 2)
	forcing := e.invokeAsync(t, e.newRefresher(t, url), `{"force_refresh":true}`)
	waitArrived(t, g)
	if a := e.mustRefresh(t, e.r, `{}`); !a.Changed {
		t.Errorf("normal run after the force = %+v; want it to store the forced token", a)
	}
	g.open()
	r := <-forcing
	if r.ie != nil {
		t.Fatalf("forced run = %s: %s; want success", r.ie.Type, r.ie.Message)
	}
	st := e.wantCurrent(t)
	if r.a.Changed || len(st.ForcedAt) != 1 || !st.ForcedAt[0].Equal(e.clock.Now()) {
		t.Errorf("forced run answer = %+v, forced_at %v; want unchanged token with the force recorded", r.a, st.ForcedAt)
	}
	if _, ie := e.invoke(t, e.r, `{"force_refresh":true}`); ie == nil || ie.Type != "ForceRefreshLimited" {
		t.Errorf("force right after = %+v; want ForceRefreshLimited", ie)
	}
}

// Two instances run at the same moment, over and over, as the token ages
// and renews: each round ends with WeChat's current token in the secret, and
// a round writes at most once per instance. (The force is made in a round
// without a renewal: a normal run holding a renewed token and a force
// racing each other is TestOlderTokenNeverOverwritesNewer's case, which
// needs the gate to be deterministic.)
func TestConcurrentRefreshers(t *testing.T) {
	e := newEnv(t)
	other := e.newRefresher(t, e.smURL)
	for round := range 12 {
		e.clock.Advance(25 * time.Minute)
		before := e.sm.Puts(tokenID)
		payloads := [2]string{`{}`, `{}`}
		if round == 3 {
			payloads[1] = `{"force_refresh":true}`
		}
		r1, r2 := e.invokeAsync(t, e.r, payloads[0]), e.invokeAsync(t, other, payloads[1])
		for _, r := range []result{<-r1, <-r2} {
			if r.ie != nil {
				t.Fatalf("round %d: %s: %s", round, r.ie.Type, r.ie.Message)
			}
		}
		e.wantCurrent(t)
		if n := e.sm.Puts(tokenID) - before; n > 2 {
			t.Errorf("round %d: %d writes; want at most 2", round, n)
		}
	}
}

// Invokes of one instance run one at a time, so together they leave WeChat's
// current token and write no more than needed.
func TestConcurrentInvokesOfOneInstance(t *testing.T) {
	e := newEnv(t)
	e.mustRefresh(t, e.r, `{}`)
	e.clock.Advance(2*time.Hour - 4*time.Minute)
	var results []<-chan result
	for i := range 8 {
		payload := `{}`
		if i == 3 {
			payload = `{"force_refresh":true}`
		}
		results = append(results, e.invokeAsync(t, e.r, payload))
	}
	changed := 0
	for _, ch := range results {
		r := <-ch
		if r.ie != nil {
			t.Fatalf("%s: %s", r.ie.Type, r.ie.Message)
		}
		if r.a.Changed {
			changed++
		}
	}
	e.wantCurrent(t)
	if n := e.sm.Puts(tokenID) - 1; n != changed || n < 1 || n > 2 {
		t.Errorf("%d writes for %d changed answers; want 1 or 2, one per change", n, changed)
	}
}
