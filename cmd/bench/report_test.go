package main

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCPUModel(t *testing.T) {
	tests := []struct{ name, cpuinfo, want string }{
		{"x86", "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7R13 Processor\n", "AMD EPYC 7R13 Processor"},
		{"arm64 with Hardware", "processor\t: 0\nCPU part\t: 0xd0c\nHardware\t: Graviton\n", "Graviton"},
		{"arm64 part only", "processor\t: 0\nCPU implementer\t: 0x41\nCPU part\t: 0xd40\n", "arm CPU part 0xd40"},
		{"nothing known", "processor\t: 0\n", "unknown CPU"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cpuModel(tt.cpuinfo); got != tt.want {
				t.Errorf("cpuModel() = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestRender(t *testing.T) {
	vs := []variant{
		{name: "getindustry", armSize: 7_410_000, upstream: true},
		{name: "getindustry, caches off", armSize: 7_410_000, upstream: true},
		{name: "bare aws-lambda-go", armSize: 5_000_000},
	}
	rs := []result{
		{init: 6 * time.Millisecond, firstInvoke: 9 * time.Millisecond, direct: latencies{p50: 500 * time.Microsecond, p99: 2 * time.Millisecond},
			http: latencies{p50: 600 * time.Microsecond, p99: 3 * time.Millisecond}, peakRSS: 13 << 20, wechatPer1000: 1, secretsPer1000: 1},
		{err: errors.New("first invoke: answer is not the industry")},
		{init: 3 * time.Millisecond, firstInvoke: 6 * time.Millisecond, direct: latencies{p50: 400 * time.Microsecond, p99: 1 * time.Millisecond},
			http: latencies{p50: 400 * time.Microsecond, p99: 1 * time.Millisecond}, peakRSS: 10 << 20},
	}
	m := machine{os: "linux", arch: "arm64", cpu: "Graviton", goVersion: "go1.26.8", cpus: 2}
	out := render(m, "go run ./cmd/bench -n 1000 ", quietConfig(1000, 5), vs, rs)

	for _, want := range []string{
		"Machine: linux/arm64, 2 CPUs, Graviton; go1.26.8;",
		"Command: `go run ./cmd/bench -n 1000`",
		"| measure | getindustry | getindustry, caches off | bare aws-lambda-go | getindustry / bare |",
		"|---|---:|---:|---:|---:|",
		"| init duration, emulator INIT REPORT (median of 5) | 6.00 ms | error | 3.00 ms | 2.00x |",
		"| warm p50, direct `{}` (n=1000) | 0.500 ms | error | 0.400 ms | 1.25x |",
		"| warm p99, HTTP API event (n=1000) | 3.00 ms | error | 1.00 ms | 3.00x |",
		"| peak memory of the bootstrap (VmHWM) | 13.0 MiB | error | 10.0 MiB | 1.30x |",
		"| WeChat calls per 1,000 invokes | 1.0 | error | — | — |",
		"| linux/arm64 bootstrap size (MB = 10^6 bytes) | 7.41 MB | 7.41 MB | 5.00 MB | 1.48x |",
		"The warm invokes were interleaved across variants, round-robin: one invoke of each variant in turn,",
		"getindustry, caches off could not be measured:\n\n```\nfirst invoke: answer is not the industry\n```",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if got := strings.Count(out, "\n| "); got != 11 {
		t.Errorf("report has %d table rows; want a header and 10 measures:\n%s", got, out)
	}
}
