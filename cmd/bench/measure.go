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

// measure runs v in cfg.inits fresh emulators: in the first, the first
// invoke and then cfg.n warm invokes of each payload; in the others, the
// first invoke only, for the medians of init and first-invoke latency.
func measure(ctx context.Context, v variant, fk *fakes, cfg measureConfig) result {
	directPayload, err := readEvent("direct.json") // another Lambda, Step Functions
	if err != nil {
		return result{err: err}
	}
	httpPayload, err := readEvent("apigw-http.json")
	if err != nil {
		return result{err: err}
	}
	var r result
	var inits, firsts []time.Duration
	for i := range cfg.inits {
		fmt.Fprintf(cfg.progress, "bench: %s: emulator %d/%d\n", v.name, i+1, cfg.inits)
		emu, err := rie.Start(ctx, rie.Options{Bootstrap: v.bootstrap, Env: append(fk.env(), v.env...), Timeout: 10 * time.Second})
		if err != nil {
			return result{err: err}
		}
		err = func() error {
			defer emu.Close()
			wx0, sm0 := fk.calls()
			first, err := timedInvoke(ctx, emu, directPayload, v.checkDirect)
			if err != nil {
				return fmt.Errorf("first invoke: %w", err)
			}
			init, err := waitInit(ctx, emu.Log)
			if err != nil {
				return err
			}
			inits, firsts = append(inits, init), append(firsts, first)
			if i > 0 {
				return nil
			}
			if r.direct, err = warm(ctx, emu, cfg.n, directPayload, v.checkDirect); err != nil {
				return fmt.Errorf("warm direct invokes: %w", err)
			}
			if v.upstream {
				wx1, sm1 := fk.calls()
				r.wechatPer1000 = per1000(wx1-wx0, cfg.n+1)
				r.secretsPer1000 = per1000(sm1-sm0, cfg.n+1)
			}
			if r.http, err = warm(ctx, emu, cfg.n, httpPayload, v.checkHTTP); err != nil {
				return fmt.Errorf("warm HTTP API invokes: %w", err)
			}
			r.peakRSS, err = peakRSS(emu.BootstrapPID())
			return err
		}()
		if err != nil {
			return result{err: fmt.Errorf("%w\nemulator output (tail):\n%s", err, emu.Log.Tail(8))}
		}
	}
	r.init, r.firstInvoke = median(inits), median(firsts)
	return r
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

// warm invokes n times in a row and returns the latency percentiles.
func warm(ctx context.Context, emu *rie.Emulator, n int, payload []byte, check func([]byte) error) (latencies, error) {
	ds := make([]time.Duration, 0, n)
	for range n {
		d, err := timedInvoke(ctx, emu, payload, check)
		if err != nil {
			return latencies{}, err
		}
		ds = append(ds, d)
	}
	slices.Sort(ds)
	return latencies{p50: percentile(ds, 50), p99: percentile(ds, 99)}, nil
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
