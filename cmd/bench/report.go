package main

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/wxindustry/getindustry/internal/rie"
)

// machine describes where the numbers were taken.
type machine struct {
	os, arch, cpu, goVersion string
	cpus                     int
}

// readMachine describes this machine: the CPU model from /proc/cpuinfo, the
// CPU count, and the Go toolchain that built the bootstraps.
func readMachine() machine {
	m := machine{os: runtime.GOOS, arch: runtime.GOARCH, cpus: runtime.NumCPU(), goVersion: runtime.Version(), cpu: "unknown CPU"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.cpu = cpuModel(string(b))
	}
	return m
}

// cpuModel returns the CPU model named in /proc/cpuinfo text: "model name"
// on x86, else "Hardware" or "CPU part" as arm64 kernels print them.
func cpuModel(cpuinfo string) string {
	for _, key := range []string{"model name", "Hardware", "CPU part"} {
		for _, line := range strings.Split(cpuinfo, "\n") {
			k, v, ok := strings.Cut(line, ":")
			if ok && strings.TrimSpace(k) == key && strings.TrimSpace(v) != "" {
				if key == "CPU part" {
					return "arm CPU part " + strings.TrimSpace(v)
				}
				return strings.TrimSpace(v)
			}
		}
	}
	return "unknown CPU"
}

// row is one measure of the table: value returns the raw number (for the
// ratio) and false when the variant has no such measure.
type row struct {
	label  string
	value  func(variant, result) (float64, bool)
	format func(float64) string
	always bool // measured even when the variant's run failed (binary size)
}

func rows(cfg measureConfig, multi bool) []row {
	dur := func(f func(result) time.Duration) func(variant, result) (float64, bool) {
		return func(_ variant, r result) (float64, bool) { return float64(f(r)), true }
	}
	upstream := func(f func(result) float64) func(variant, result) (float64, bool) {
		return func(v variant, r result) (float64, bool) { return f(r), v.upstream }
	}
	warm := fmt.Sprintf("n=%d", cfg.n)
	rs := []row{
		{label: fmt.Sprintf("init duration, emulator INIT REPORT (median of %d)", cfg.inits),
			value: dur(func(r result) time.Duration { return r.init }), format: fmtDuration},
		{label: fmt.Sprintf("first invoke, client-side (median of %d)", cfg.inits),
			value: dur(func(r result) time.Duration { return r.firstInvoke }), format: fmtDuration},
		{label: "warm p50, direct `{}` (" + warm + ")",
			value: dur(func(r result) time.Duration { return r.direct.p50 }), format: fmtDuration},
		{label: "warm p99, direct `{}` (" + warm + ")",
			value: dur(func(r result) time.Duration { return r.direct.p99 }), format: fmtDuration},
		{label: "warm p50, HTTP API event (" + warm + ")",
			value: dur(func(r result) time.Duration { return r.http.p50 }), format: fmtDuration},
		{label: "warm p99, HTTP API event (" + warm + ")",
			value: dur(func(r result) time.Duration { return r.http.p99 }), format: fmtDuration},
		{label: "peak memory of the bootstrap (VmHWM)",
			value:  func(_ variant, r result) (float64, bool) { return float64(r.peakRSS), true },
			format: func(x float64) string { return fmt.Sprintf("%.1f MiB", x/(1<<20)) }},
		{label: "WeChat calls per 1,000 invokes",
			value: upstream(func(r result) float64 { return r.wechatPer1000 }), format: fmtCalls},
		{label: "Secrets Manager calls per 1,000 invokes",
			value:  func(v variant, r result) (float64, bool) { return r.secretsPer1000, v.upstream && !v.accounts },
			format: fmtCalls},
		{label: "linux/arm64 bootstrap size (MB = 10^6 bytes)", always: true,
			value:  func(v variant, _ result) (float64, bool) { return float64(v.armSize), true },
			format: func(x float64) string { return fmt.Sprintf("%.2f MB", x/1e6) }},
	}
	if !multi {
		return rs
	}
	accounts := func(f func(result) float64) func(variant, result) (float64, bool) {
		return func(v variant, r result) (float64, bool) { return f(r), v.accounts }
	}
	count := func(x float64) string { return fmt.Sprintf("%.0f", x) }
	return append(rs,
		row{label: "multi-account: peak memory with every account cached (VmHWM)",
			value:  accounts(func(r result) float64 { return float64(r.cachedRSS) }),
			format: func(x float64) string { return fmt.Sprintf("%.1f MiB", x/(1<<20)) }},
		row{label: "multi-account: bytes per cached account (VmHWM growth / accounts)",
			value:  accounts(func(r result) float64 { return r.bytesPerAccount }),
			format: func(x float64) string { return fmt.Sprintf("%.0f B", x) }},
		row{label: "multi-account: caching every account, one request each (all misses)",
			value: accounts(func(r result) float64 { return float64(r.fill) }), format: fmtDuration},
		row{label: "multi-account: DynamoDB reads per 1,000 invokes",
			value: accounts(func(r result) float64 { return r.ddbPer1000 }), format: fmtCalls},
		row{label: fmt.Sprintf("multi-account: most DynamoDB reads of one account within a WX_TOKEN_CACHE_TTL (%v)", tokenTTL),
			value: accounts(func(r result) float64 { return float64(r.maxReadsPerTokenTTL) }), format: count},
		row{label: fmt.Sprintf("multi-account: most WeChat calls for one account within a WX_INDUSTRY_CACHE_TTL (%v)", industryTTL),
			value: accounts(func(r result) float64 { return float64(r.maxCallsPerIndustryTTL) }), format: count},
	)
}

func fmtDuration(x float64) string {
	ms := x / float64(time.Millisecond)
	switch {
	case ms < 1:
		return fmt.Sprintf("%.3f ms", ms)
	case ms < 10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 10000:
		return fmt.Sprintf("%.1f ms", ms)
	default:
		return fmt.Sprintf("%.1f s", ms/1000)
	}
}

func fmtCalls(x float64) string { return fmt.Sprintf("%.1f", x) }

// render returns the report: the machine, the command, and a Markdown table
// with one column per variant and the ratio of the first variant to the
// last (getindustry / bare), then any variant's error.
func render(m machine, command string, cfg measureConfig, vs []variant, rs []result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Machine: %s/%s, %d CPUs, %s; %s; aws-lambda-rie %s\n\n", m.os, m.arch, m.cpus, m.cpu, m.goVersion, rie.Version)
	fmt.Fprintf(&b, "Command: `%s`\n\n", strings.TrimSpace(command))
	// The ratio columns: getindustry / bare, and multi-account mode / bare.
	bare := len(vs) - 1
	ratios := []int{0}
	multi := slices.IndexFunc(vs, func(v variant) bool { return v.accounts })
	if multi >= 0 {
		ratios = append(ratios, multi)
	}
	b.WriteString("| measure |")
	for _, v := range vs {
		fmt.Fprintf(&b, " %s |", v.name)
	}
	for _, i := range ratios {
		name := vs[i].name
		if vs[i].accounts {
			name = strings.TrimPrefix(name, "getindustry, ")
		}
		fmt.Fprintf(&b, " %s / %s |", name, strings.Fields(vs[bare].name)[0])
	}
	b.WriteString("\n|---|" + strings.Repeat("---:|", len(vs)+len(ratios)) + "\n")
	for _, rw := range rows(cfg, multi >= 0) {
		fmt.Fprintf(&b, "| %s |", rw.label)
		xs, oks := make([]float64, len(vs)), make([]bool, len(vs))
		for i, v := range vs {
			x, ok := rw.value(v, rs[i])
			cell := "—"
			switch {
			case rs[i].err != nil && !rw.always:
				cell, ok = "error", false
			case ok:
				cell = rw.format(x)
			}
			fmt.Fprintf(&b, " %s |", cell)
			xs[i], oks[i] = x, ok
		}
		for _, i := range ratios {
			ratio := "—"
			if oks[i] && oks[bare] && xs[bare] > 0 {
				ratio = fmt.Sprintf("%.2fx", xs[i]/xs[bare])
			}
			fmt.Fprintf(&b, " %s |", ratio)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\nLatencies are client-side POSTs to the emulator, one at a time, after the first invoke "+
		"of a fresh emulator. The warm invokes were interleaved across variants, round-robin: one invoke of each "+
		"variant in turn, the direct ones first, then the HTTP API ones. Upstream calls are counted over that first invoke and the %d warm direct "+
		"invokes after it, scaled to 1,000. Init is the emulator's own report; the first invoke includes it. The fresh "+
		"emulators after each variant's first were interleaved the same way.\n", cfg.n)
	if multi >= 0 {
		fmt.Fprintf(&b, "\nMulti-account mode (%s): the table on dynalite and the accounts in the WeChat simulator, "+
			"seeded before the emulator starts. Its first invoke and init are for one account; then one direct "+
			"invoke per account caches every one of them (peak memory and bytes per account are read before and "+
			"after); then the warm invokes, direct `{\"appid\":\"wx…\"}` and HTTP API `GET /accounts/{appid}/industry`, "+
			"draw their appids from a Zipf distribution (s=%.1f, fixed seed), so every one is a cache hit. Table reads "+
			"(GetItem) are counted at a proxy in front of dynalite and WeChat calls at the simulator, per account, "+
			"in the instance that holds the caches, from its first invoke to its last; WX_TOKEN_CACHE_TTL=%v and "+
			"WX_INDUSTRY_CACHE_TTL=%v, the defaults.\n",
			vs[multi].name, zipfS, tokenTTL, industryTTL)
	}
	for i, r := range rs {
		if r.err != nil {
			fmt.Fprintf(&b, "\n%s could not be measured:\n\n```\n%s\n```\n", vs[i].name, strings.TrimSpace(r.err.Error()))
		}
	}
	return b.String()
}
