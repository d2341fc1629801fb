package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/wxindustry/getindustry/internal/jsonlog/jsonlogtest"
	"github.com/wxindustry/getindustry/internal/token/smtest"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// answerKind is what a mixed event must be answered with.
type answerKind int

const (
	kindHTTPIndustry   answerKind = iota // HTTP 200 with the industry (or 503 wechat_busy when faults are allowed)
	kindDirectIndustry                   // the industry itself (or errorType WeChatBusy when faults are allowed)
	kindNotFound                         // HTTP 404 invalid_request carrying the invoke's request id
	kindInvalid                          // errorType InvalidRequest
)

// mixedEvent is one payload of a concurrent mix and its expected answer.
type mixedEvent struct {
	name    string
	payload []byte
	kind    answerKind
}

// mixedEvents returns every fixture, an SQS event (a direct invoke), an
// unknown path and a payload that is not JSON.
func mixedEvents(tb testing.TB) []mixedEvent {
	tb.Helper()
	var mix []mixedEvent
	for _, f := range loadFixtures(tb) {
		kind := kindHTTPIndustry
		if !f.http {
			kind = kindDirectIndustry
		}
		mix = append(mix, mixedEvent{f.name, f.payload, kind})
	}
	return append(mix,
		mixedEvent{"sqs", fileEvent("../../internal/lambdahttp/testdata/aws-lambda-go/sqs-event.json")(tb), kindDirectIndustry},
		mixedEvent{"unknown path", v2Event("apigw-http.json", "GET", "/nope", "")(tb), kindNotFound},
		mixedEvent{"not json", []byte("industry please"), kindInvalid},
	)
}

// check checks one answer (out, or a function error of type errType) to an
// invoke with request id id, and reports whether it holds the industry.
// With busyOK, an industry request may also be answered WeChat busy.
func (e mixedEvent) check(tb testing.TB, id string, out []byte, errType string, busyOK bool) bool {
	tb.Helper()
	want := wxtest.DefaultIndustry()
	switch e.kind {
	case kindDirectIndustry:
		if busyOK && errType == "WeChatBusy" {
			return false
		}
		if errType != "" || !isIndustry(out, want) {
			tb.Errorf("%s (%s): answer = %q %s; want the industry", e.name, id, errType, out)
		}
		return true
	case kindInvalid:
		if errType != "InvalidRequest" {
			tb.Errorf("%s (%s): answer = %q %s; want errorType InvalidRequest", e.name, id, errType, out)
		}
		return false
	}
	var a httpAnswer
	if errType != "" || json.Unmarshal(out, &a) != nil {
		tb.Errorf("%s (%s): answer = %q %s; want an HTTP answer", e.name, id, errType, out)
		return false
	}
	var eb errorBody
	_ = json.Unmarshal([]byte(a.Body), &eb)
	switch {
	case e.kind == kindNotFound:
		if a.StatusCode != 404 || eb.Error.Code != "invalid_request" || eb.Error.RequestID != id {
			tb.Errorf("%s (%s): answer = %d %s; want 404 invalid_request with request_id %s", e.name, id, a.StatusCode, a.Body, id)
		}
		return false
	case busyOK && a.StatusCode == 503 && eb.Error.Code == "wechat_busy" && eb.Error.RequestID == id:
		return false
	case a.StatusCode != 200 || !isIndustry([]byte(a.Body), want):
		tb.Errorf("%s (%s): answer = %d %s; want 200 with the industry", e.name, id, a.StatusCode, a.Body)
	}
	return true
}

func isIndustry(body []byte, want wx.Industry) bool {
	var got wx.Industry
	return json.Unmarshal(body, &got) == nil && got == want
}

// checkSummaries checks that the logs hold exactly one invocation summary
// for each request id in ids, and none for another.
func checkSummaries(tb testing.TB, logs string, ids []string) {
	tb.Helper()
	seen := map[string]int{}
	for _, line := range strings.Split(logs, "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "invocation" {
			id, _ := rec["requestId"].(string)
			seen[id]++
		}
	}
	for _, id := range ids {
		if seen[id] != 1 {
			tb.Errorf("request %s has %d summary lines; want 1", id, seen[id])
		}
		delete(seen, id)
	}
	if len(seen) > 0 {
		tb.Errorf("summary lines for unknown request ids: %v", seen)
	}
}

// scriptLeft returns how many scripted faults the simulator has not played.
func scriptLeft(tb testing.TB, sim *wxtest.Simulator) int {
	tb.Helper()
	rec := httptest.NewRecorder()
	sim.ServeHTTP(rec, httptest.NewRequest("GET", "/_sim/stats", nil))
	var stats struct{ Scripted int }
	if err := json.Unmarshal(rec.Body.Bytes(), &stats); err != nil {
		tb.Fatalf("simulator stats %s: %v", rec.Body, err)
	}
	return stats.Scripted
}

// TestConcurrentInvokes runs 200 invokes of mixed events at once through one
// handler, as AWS_LAMBDA_MAX_CONCURRENCY > 1 does, while WeChat plays faults.
func TestConcurrentInvokes(t *testing.T) {
	busy := wxtest.Fault{Errcode: wx.CodeBusy}
	bad := wxtest.Fault{Status: 502}
	tests := []struct {
		name   string
		env    map[string]string
		faults []wxtest.Fault
		busyOK bool // an industry request may be answered busy (its retries all met faults)
		// wantWX returns the expected get_industry calls from the number of
		// answers that held the industry.
		wantWX func(industries int) int
	}{
		// One shared call for all concurrent misses.
		{name: "cached", wantWX: func(int) int { return 1 }},
		// The shared call retries twice; nobody else calls meanwhile.
		{name: "cached with faults", faults: []wxtest.Fault{busy, bad},
			wantWX: func(int) int { return 3 }},
		// Every request goes to WeChat; the 15 faults are all played, each
		// by some retrying request.
		{name: "uncached", env: map[string]string{"WX_INDUSTRY_CACHE_TTL": "0"},
			faults: []wxtest.Fault{busy, bad, busy, busy, bad, busy, busy, bad, busy, busy, bad, busy, busy, bad, busy}, busyOK: true,
			wantWX: func(n int) int { return n + 15 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStack(t, tt.env)
			s.sim.Script(tt.faults...)
			mix := mixedEvents(t)
			const n = 200
			type result struct {
				out     []byte
				errType string
			}
			results := make([]result, n)
			ids := make([]string, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				ids[i] = fmt.Sprintf("req-conc-%03d", i)
				wg.Go(func() {
					lc := &lambdacontext.LambdaContext{AwsRequestID: ids[i]}
					ctx, cancel := context.WithTimeout(lambdacontext.NewContext(context.Background(), lc), 10*time.Second)
					defer cancel()
					<-start
					out, err := s.handler.Invoke(ctx, mix[i%len(mix)].payload)
					results[i] = result{out: out}
					var ie messages.InvokeResponse_Error
					if errors.As(err, &ie) {
						results[i] = result{out: []byte(err.Error()), errType: ie.Type}
					} else if err != nil {
						results[i] = result{out: []byte(err.Error()), errType: fmt.Sprintf("%T", err)}
					}
				})
			}
			close(start)
			wg.Wait()

			industries := 0
			for i, r := range results {
				if mix[i%len(mix)].check(t, ids[i], r.out, r.errType, tt.busyOK) {
					industries++
				}
				noSecretIn(t, "answer", string(r.out))
			}
			if got, want := s.sim.Calls(), tt.wantWX(industries); got != want {
				t.Errorf("WeChat calls = %d; want %d (%d industry answers)", got, want, industries)
			}
			if left := scriptLeft(t, s.sim); left != 0 {
				t.Errorf("%d scripted faults not played", left)
			}
			if got := s.sm.Calls(""); got != 1 {
				t.Errorf("Secrets Manager calls = %d; want 1 shared read", got)
			}
			logs := s.logs.String()
			noSecretIn(t, "logs", logs)
			checkSummaries(t, logs, ids)
		})
	}
}

// runtimeAPI is a minimal Lambda Runtime API (2018-06-01) on loopback: it
// hands queued events to GET .../invocation/next with the request id and
// deadline headers, and collects what the runtime posts back.
type runtimeAPI struct {
	events chan runtimeEvent
	quit   chan struct{}

	mu          sync.Mutex
	waiting     int // next requests blocked for an event
	inFlight    int // events handed out and not yet answered
	maxInFlight int
	answers     map[string]runtimeAnswer
	initErr     string
	changed     chan struct{} // closed and replaced on every change
}

type runtimeEvent struct {
	id      string
	payload []byte
}

// runtimeAnswer is what the runtime posted for one invoke.
type runtimeAnswer struct {
	body    []byte
	errType string // from the /error body; "" for /response
	count   int    // posts for this id
}

const runtimePrefix = "/2018-06-01/runtime/"

func newRuntimeAPI() *runtimeAPI {
	return &runtimeAPI{events: make(chan runtimeEvent, 64), quit: make(chan struct{}),
		answers: map[string]runtimeAnswer{}, changed: make(chan struct{})}
}

// update runs f under the lock and wakes waitFor.
func (rt *runtimeAPI) update(f func()) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	f()
	close(rt.changed)
	rt.changed = make(chan struct{})
}

// waitFor waits until cond holds (checked under the lock) or d passes.
func (rt *runtimeAPI) waitFor(d time.Duration, cond func() bool) bool {
	timeout := time.After(d)
	for {
		rt.mu.Lock()
		ok, ch := cond(), rt.changed
		rt.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-timeout:
			return false
		}
	}
}

func (rt *runtimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, _ := strings.CutPrefix(r.URL.Path, runtimePrefix)
	body, _ := io.ReadAll(r.Body)
	switch {
	case r.Method == "GET" && path == "invocation/next":
		rt.next(w, r)
	case r.Method == "POST" && path == "init/error":
		rt.update(func() { rt.initErr = string(body) })
		w.WriteHeader(http.StatusAccepted)
	case r.Method == "POST" && strings.HasPrefix(path, "invocation/"):
		id, kind, _ := strings.Cut(strings.TrimPrefix(path, "invocation/"), "/")
		var fe struct{ ErrorType string }
		if kind == "error" && json.Unmarshal(body, &fe) != nil {
			fe.ErrorType = "unparsable error body"
		}
		rt.update(func() {
			a := rt.answers[id]
			rt.answers[id] = runtimeAnswer{body: body, errType: fe.ErrorType, count: a.count + 1}
			rt.inFlight--
		})
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

// next blocks until an event is queued, then hands it out as Lambda does.
func (rt *runtimeAPI) next(w http.ResponseWriter, r *http.Request) {
	rt.update(func() { rt.waiting++ })
	defer rt.update(func() { rt.waiting-- })
	select {
	case ev := <-rt.events:
		rt.update(func() {
			rt.inFlight++
			rt.maxInFlight = max(rt.maxInFlight, rt.inFlight)
		})
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", ev.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(10*time.Second).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:getindustry")
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0")
		h.Set("Content-Type", "application/json")
		w.Write(ev.payload)
	case <-r.Context().Done():
	case <-rt.quit:
	}
}

// TestRuntimeConcurrency runs the built bootstrap under aws-lambda-go's own
// invoke loop with AWS_LAMBDA_MAX_CONCURRENCY=4 against runtimeAPI (the
// pinned emulator runs one invoke at a time), and sends it 50 mixed events.
func TestRuntimeConcurrency(t *testing.T) {
	if testing.Short() {
		t.Skip("child-process runtime test skipped in -short mode")
	}
	boot, err := buildBootstrap()
	if err != nil {
		t.Fatal(err)
	}
	const concurrency, n = 4, 50
	sim, sm := wxtest.NewSimulator(sentinelToken), smtest.NewFake()
	sm.SetSecret("wx/token", jsonSecret(sentinelToken))
	sim.Script(wxtest.Fault{Errcode: wx.CodeBusy}, wxtest.Fault{Status: 502}, wxtest.Fault{Errcode: wx.CodeBusy})
	wxSrv, smSrv, rt := wxtest.NewServer(sim), smtest.NewServer(sm), newRuntimeAPI()
	rtSrv := httptest.NewServer(rt)
	for _, srv := range []*httptest.Server{wxSrv, smSrv, rtSrv} {
		t.Cleanup(srv.Close)
	}
	t.Cleanup(func() { close(rt.quit) })

	var output jsonlogtest.Buffer
	cmd := exec.Command(boot)
	cmd.Dir = t.TempDir()
	cmd.Env = environ(smtest.Env(smSrv.URL), map[string]string{
		"AWS_LAMBDA_RUNTIME_API":     strings.TrimPrefix(rtSrv.URL, "http://"),
		"AWS_LAMBDA_MAX_CONCURRENCY": strconv.Itoa(concurrency),
		"AWS_LAMBDA_FUNCTION_NAME":   "getindustry", "AWS_LAMBDA_LOG_LEVEL": "DEBUG",
		"WX_TOKEN_SECRET_ID": "wx/token", "WX_API_BASE_URL": wxSrv.URL, "WX_INDUSTRY_CACHE_TTL": "0",
	})
	cmd.Stdout, cmd.Stderr = &output, &output
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})

	// aws-lambda-go runs one invoke loop per unit of concurrency: all of
	// them must be waiting for an event before any is sent.
	if !rt.waitFor(20*time.Second, func() bool { return rt.waiting == concurrency }) {
		t.Fatalf("%d loops asked for an event; want %d\n%s", rt.waiting, concurrency, output.String())
	}
	mix := mixedEvents(t)
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("8f3c%04d-1c2d-4e5f-8a9b-0c1d2e3f4a5b", i)
		rt.events <- runtimeEvent{id: ids[i], payload: mix[i%len(mix)].payload}
	}
	if !rt.waitFor(30*time.Second, func() bool { return len(rt.answers) == n && rt.waiting == concurrency }) {
		t.Fatalf("%d of %d invokes answered, %d loops waiting\n%s", len(rt.answers), n, rt.waiting, output.String())
	}

	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.initErr != "" {
		t.Errorf("init error posted: %s", rt.initErr)
	}
	if rt.maxInFlight > concurrency {
		t.Errorf("%d invokes in flight at once; want at most %d", rt.maxInFlight, concurrency)
	}
	industries := 0
	for i, id := range ids {
		a := rt.answers[id]
		if a.count != 1 {
			t.Errorf("invoke %s answered %d times; want once", id, a.count)
		}
		if mix[i%len(mix)].check(t, id, a.body, a.errType, true) {
			industries++
		}
		noSecretIn(t, "answer", string(a.body))
	}
	if got, want := sim.Calls(), industries+3; got != want || scriptLeft(t, sim) != 0 {
		t.Errorf("WeChat calls = %d; want %d (%d industry answers and the 3 scripted faults)", got, want, industries)
	}
	if got := sm.Calls(""); got != 1 {
		t.Errorf("Secrets Manager calls = %d; want 1 read shared by the concurrent invokes", got)
	}
	t.Logf("%d loops, at most %d invokes in flight, %d industry answers", concurrency, rt.maxInFlight, industries)
	logs := output.String()
	noSecretIn(t, "bootstrap output", logs)
	checkFunctionLogLines(t, logs)
	checkSummaries(t, logs, ids)
}
