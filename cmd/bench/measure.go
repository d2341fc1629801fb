package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wxindustry/getindustry/internal/rie"
)

// measureConfig is how much to measure.
type measureConfig struct {
	n        int       // warm invokes per payload
	inits    int       // fresh emulators for the init median
	accounts int       // accounts in multi-account mode
	progress io.Writer // one line per step
}

// result is what one variant measured. Zero fields were not measured.
type result struct {
	init, firstInvoke time.Duration // medians over the fresh emulators
	direct, http      latencies     // warm, client-side
	peakRSS           int64         // bytes, VmHWM of the bootstrap after the warm invokes
	// wechatPer1000 and secretsPer1000 are upstream calls per 1,000 invokes,
	// counted over the first invoke and the n warm direct invokes after it.
	wechatPer1000, secretsPer1000 float64
	// Multi-account mode only: the accounts cached, the bootstrap's VmHWM
	// once all are, its growth per account over the first, the time the
	// requests that cached them took, table reads per 1,000 warm invokes,
	// and the most table reads and WeChat calls for one account within
	// any WX_TOKEN_CACHE_TTL and WX_INDUSTRY_CACHE_TTL over the whole run.
	accounts                                    int
	cachedRSS                                   int64
	bytesPerAccount                             float64
	fill                                        time.Duration
	ddbPer1000                                  float64
	maxReadsPerTokenTTL, maxCallsPerIndustryTTL int
	err                                         error
}

// latencies summarises warm invokes.
type latencies struct{ p50, p99 time.Duration }

// invokeTimeout bounds one invoke, far above any expected latency.
const invokeTimeout = 15 * time.Second

// call is one invoke: its payload and the check of the emulator's answer.
type call struct {
	payload []byte
	check   func([]byte) error
}

// session is one variant being measured. Its fakes are its own, so that
// its upstream calls are counted apart from those of the variants measured
// side by side with it.
type session struct {
	v     variant
	fk    *fakes
	cfg   measureConfig
	stack accountsStack       // multi-account mode only
	env   []string            // the function's environment
	first call                // the first invoke of every fresh emulator
	warm  func(k, i int) call // the i-th warm invoke of payload k: 0 direct, 1 HTTP API
	emu   *rie.Emulator       // the first emulator, open from its first invoke to its last warm one
	ds    [2][]time.Duration  // the warm latencies of each payload
	// wx0, sm0 and ddb0 are the WeChat calls, Secrets Manager reads and
	// table reads before the window the calls per 1,000 invokes count.
	wx0, sm0, ddb0 int
	inits, firsts  []time.Duration
	r              result
}

// measure measures each variant vs[j] with its own fakes fks[j]. First,
// one variant after the other (multi-account mode first), it starts a
// fresh emulator and makes its first invoke (in multi-account mode, then
// one request per account). Then, in those emulators, the cfg.n warm
// direct invokes of all variants, interleaved (one invoke of each variant
// in turn), then the cfg.n HTTP API ones likewise. Then the other
// cfg.inits-1 fresh emulators for the medians of init and first-invoke
// latency, interleaved likewise. A variant that fails drops out; the others
// go on.
func measure(ctx context.Context, vs []variant, fks []*fakes, cfg measureConfig) []result {
	ss := make([]*session, len(vs))
	for j, v := range vs {
		ss[j] = &session{v: v, fk: fks[j], cfg: cfg}
		defer ss[j].close()
	}
	errs := make([]error, len(vs))
	// Multi-account mode opens first: while it seeds and fills its caches,
	// the others' caches would age.
	for _, accounts := range []bool{true, false} {
		for j, s := range ss {
			if s.v.accounts == accounts {
				errs[j] = s.open(ctx)
			}
		}
	}
	fmt.Fprintf(cfg.progress, "bench: warm invokes, one of each variant in turn: %d direct, then %d HTTP API\n", cfg.n, cfg.n)
	roundRobin(cfg.n, errs, func(i, j int) error { return ss[j].invoke(ctx, 0, i) })
	for j, s := range ss {
		if errs[j] == nil {
			s.countUpstream()
		}
	}
	roundRobin(cfg.n, errs, func(i, j int) error { return ss[j].invoke(ctx, 1, i) })
	for j, s := range ss {
		if errs[j] == nil {
			errs[j] = s.endWarm()
		}
	}
	roundRobin(cfg.inits-1, errs, func(_, j int) error { return ss[j].nextInit(ctx) })
	rs := make([]result, len(ss))
	for j, s := range ss {
		s.r.init, s.r.firstInvoke = median(s.inits), median(s.firsts)
		rs[j] = s.r
		rs[j].err = errs[j]
	}
	return rs
}

// roundRobin calls step(i, j) for i from 0 to n-1 and, for each i, for
// every j whose errs[j] is nil in turn, and keeps step's error in errs[j]:
// a variant that fails leaves the rotation, the others go on.
func roundRobin(n int, errs []error, step func(i, j int) error) {
	for i := range n {
		for j := range errs {
			if errs[j] == nil {
				errs[j] = step(i, j)
			}
		}
	}
}

// open prepares the variant's payloads and starts its first emulator with
// its first invoke; in multi-account mode, openAccounts.
func (s *session) open(ctx context.Context) error {
	if s.v.accounts {
		return s.openAccounts(ctx)
	}
	directPayload, err := readEvent("direct.json") // another Lambda, Step Functions
	if err != nil {
		return err
	}
	httpPayload, err := readEvent("apigw-http.json")
	if err != nil {
		return err
	}
	warm := [2]call{{directPayload, s.v.checkDirect}, {httpPayload, s.v.checkHTTP}}
	s.env, s.first, s.warm = append(s.fk.env(), s.v.env...), warm[0], func(k, _ int) call { return warm[k] }
	s.wx0, s.sm0 = s.fk.calls()
	return s.launch(ctx)
}

// launch starts a fresh emulator, makes its first invoke and records its
// init duration and first-invoke latency. The emulator stays open.
func (s *session) launch(ctx context.Context) error {
	s.progress("emulator %d/%d", len(s.inits)+1, s.cfg.inits)
	emu, err := rie.Start(ctx, rie.Options{Bootstrap: s.v.bootstrap, Env: s.env, Timeout: 10 * time.Second})
	if err != nil {
		return err
	}
	s.emu = emu
	first, err := timedInvoke(ctx, emu, s.first.payload, s.first.check)
	if err != nil {
		return s.fail(fmt.Errorf("first invoke: %w", err))
	}
	init, err := waitInit(ctx, emu.Log)
	if err != nil {
		return s.fail(err)
	}
	s.inits, s.firsts = append(s.inits, init), append(s.firsts, first)
	return nil
}

// invoke makes the i-th warm invoke of payload k in the first emulator.
func (s *session) invoke(ctx context.Context, k, i int) error {
	c := s.warm(k, i)
	d, err := timedInvoke(ctx, s.emu, c.payload, c.check)
	if err != nil {
		return s.fail(fmt.Errorf("warm %s invokes: %w", []string{"direct", "HTTP API"}[k], err))
	}
	s.ds[k] = append(s.ds[k], d)
	return nil
}

// countUpstream sets the upstream calls per 1,000 invokes, after the warm
// direct invokes: in multi-account mode over those invokes, else over the
// first invoke and those.
func (s *session) countUpstream() {
	switch {
	case s.v.accounts:
		s.r.wechatPer1000 = per1000(s.fk.industryLog.Len()-s.wx0, s.cfg.n)
		s.r.ddbPer1000 = per1000(readsTotal(s.stack.Reads)-s.ddb0, s.cfg.n)
	case s.v.upstream:
		wx, sm := s.fk.calls()
		s.r.wechatPer1000 = per1000(wx-s.wx0, s.cfg.n+1)
		s.r.secretsPer1000 = per1000(sm-s.sm0, s.cfg.n+1)
	}
}

// endWarm sets the warm latencies and the peak memory, in multi-account
// mode the most reads and calls per account, and closes the first emulator.
func (s *session) endWarm() error {
	s.r.direct, s.r.http = summarize(s.ds[0]), summarize(s.ds[1])
	var err error
	if s.r.peakRSS, err = peakRSS(s.emu.BootstrapPID()); err != nil {
		return s.fail(err)
	}
	if s.v.accounts {
		// Caches are per instance: count this instance's reads and calls
		// (the fakes are this variant's own), before the next fresh
		// emulators make their own.
		s.r.maxReadsPerTokenTTL, _ = s.stack.Reads.MaxPerWindow(tokenTTL)
		s.r.maxCallsPerIndustryTTL = s.stack.maxCallsPerAccount(s.fk.industryLog.Since(0), industryTTL)
	}
	s.emu.Close()
	return nil
}

// nextInit starts one more fresh emulator, for its first invoke only.
func (s *session) nextInit(ctx context.Context) error {
	if err := s.launch(ctx); err != nil {
		return err
	}
	s.emu.Close()
	return nil
}

// fail closes the open emulator and returns err with the tail of its output.
func (s *session) fail(err error) error {
	s.emu.Close()
	return fmt.Errorf("%w\nemulator output (tail):\n%s", err, s.emu.Log.Tail(8))
}

// close stops what the session started (the fakes are the caller's).
func (s *session) close() {
	if s.emu != nil {
		s.emu.Close()
	}
	if s.stack.Stack != nil {
		s.stack.Close()
	}
}

func (s *session) progress(format string, args ...any) {
	fmt.Fprintf(s.cfg.progress, "bench: %s: %s\n", s.v.name, fmt.Sprintf(format, args...))
}

// timedInvoke invokes once and returns the client-side latency, checking
// that the emulator answered HTTP 200 with an answer check accepts.
func timedInvoke(ctx context.Context, emu *rie.Emulator, payload []byte, check func([]byte) error) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, invokeTimeout)
	defer cancel()
	start := time.Now()
	status, body, err := emu.Invoke(ctx, payload)
	elapsed := time.Since(start)
	if err != nil {
		return 0, err
	}
	if status != 200 {
		return 0, fmt.Errorf("emulator answered HTTP %d: %.200s", status, body)
	}
	return elapsed, check(body)
}

// summarize returns the percentiles of ds, which it sorts.
func summarize(ds []time.Duration) latencies {
	slices.Sort(ds)
	return latencies{p50: percentile(ds, 50), p99: percentile(ds, 99)}
}

// percentile returns the nearest-rank p-th percentile of sorted ds.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// median returns the middle value of ds (the lower one of two).
func median(ds []time.Duration) time.Duration {
	s := slices.Sorted(slices.Values(ds))
	return percentile(s, 50)
}

func per1000(calls, invokes int) float64 {
	return float64(calls) * 1000 / float64(invokes)
}

var (
	initReport   = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)
	initDuration = regexp.MustCompile(`Init Duration: ([0-9.]+) ms`)
)

// errNoInit means the emulator output holds no init report (yet).
var errNoInit = errors.New("no INIT REPORT or Init Duration in the emulator output")

// parseInit returns the init duration the emulator printed: the
// `INIT REPORT(durationMs: X)` line the pinned emulator prints, else the
// `Init Duration: X ms` of a REPORT line (older emulators, and Lambda).
func parseInit(log string) (time.Duration, error) {
	for _, re := range []*regexp.Regexp{initReport, initDuration} {
		if m := re.FindStringSubmatch(log); m != nil {
			ms, err := strconv.ParseFloat(m[1], 64)
			if err != nil {
				return 0, fmt.Errorf("init duration %q: %w", m[1], err)
			}
			return time.Duration(ms * float64(time.Millisecond)), nil
		}
	}
	return 0, errNoInit
}

// waitInit waits briefly for the init report, which the emulator prints
// before the answer but which reaches the log through a pipe.
func waitInit(ctx context.Context, log *rie.Log) (time.Duration, error) {
	deadline := time.Now().Add(3 * time.Second)
	for {
		d, err := parseInit(log.String())
		if !errors.Is(err, errNoInit) || time.Now().After(deadline) {
			return d, err
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// peakRSS returns the peak resident set size (VmHWM) of process pid.
func peakRSS(pid int) (int64, error) {
	if pid == 0 {
		return 0, errors.New("peak memory: the bootstrap is not running")
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("peak memory: %w", err)
	}
	defer f.Close()
	return parseVmHWM(f)
}

// parseVmHWM reads the VmHWM line of a /proc/<pid>/status file, in bytes.
func parseVmHWM(r io.Reader) (int64, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("peak memory: unexpected line %q", sc.Text())
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("peak memory: %w", err)
		}
		return kb * 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("peak memory: %w", err)
	}
	return 0, errors.New("peak memory: no VmHWM line")
}

// readEvent reads an event file from events/ at the module root.
func readEvent(name string) ([]byte, error) {
	root, err := rie.ModuleRoot()
	if err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(root, "events", name))
}
