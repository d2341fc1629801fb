package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/ddbtest"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

func TestMeasureUnderEmulator(t *testing.T) {
	vs := needEmulator(t)
	fks := make([]*fakes, len(vs))
	for i := range fks {
		fks[i] = newFakes(t, secretJSON(sentinelToken), sentinelToken)
	}
	const n = 4 // warm invokes: the counting window is n+1 = 5 invokes
	want := map[string]struct{ wechat, secrets float64 }{
		"getindustry":             {200, 200}, // one call each in 5 invokes: both caches hold
		"getindustry, caches off": {1000, 1000},
		"bare aws-lambda-go":      {0, 0},
	}
	rs := measure(t.Context(), vs, fks, quietConfig(n, 2)) // side by side, each variant with its own fakes
	for i, v := range vs {
		t.Run(v.name, func(t *testing.T) {
			r := rs[i]
			if r.err != nil {
				t.Fatalf("measure() err = %v", r.err)
			}
			for name, d := range map[string]time.Duration{"init": r.init, "first invoke": r.firstInvoke,
				"direct p50": r.direct.p50, "direct p99": r.direct.p99, "http p50": r.http.p50, "http p99": r.http.p99} {
				if d <= 0 {
					t.Errorf("%s = %v; want a measured duration", name, d)
				}
			}
			if r.direct.p99 < r.direct.p50 || r.http.p99 < r.http.p50 {
				t.Errorf("p99 below p50: direct %+v, http %+v", r.direct, r.http)
			}
			if r.peakRSS < 1<<20 {
				t.Errorf("peakRSS = %d; want the bootstrap's VmHWM (megabytes)", r.peakRSS)
			}
			if w := want[v.name]; r.wechatPer1000 != w.wechat || r.secretsPer1000 != w.secrets {
				t.Errorf("calls per 1,000 = WeChat %v, Secrets Manager %v; want %v, %v",
					r.wechatPer1000, r.secretsPer1000, w.wechat, w.secrets)
			}
			if v.armSize < 1e6 {
				t.Errorf("arm64 size = %d; want a real bootstrap", v.armSize)
			}
		})
	}
}

func TestMeasureFailuresDoNotLeakToken(t *testing.T) {
	vs := needEmulator(t)
	bare := vs[len(vs)-1]
	tests := []struct {
		name    string
		variant int      // in vs: getindustry, unless caches off
		tokens  []string // tokens WeChat accepts
		faults  []wxtest.Fault
		wantErr string // a regular expression
	}{
		{name: "WeChat rejects the token", tokens: []string{"another-token"}, wantErr: "WeChatTokenInvalid"},
		{name: "daily quota reached", tokens: []string{sentinelToken},
			faults: []wxtest.Fault{{Errcode: 45009}}, wantErr: "WeChatQuotaExceeded"},
		{name: "IP not whitelisted", tokens: []string{sentinelToken},
			faults: []wxtest.Fault{{Errcode: 40164}}, wantErr: "WeChatUnauthorized"},
		{name: "quota reached at a warm invoke, caches off", variant: 1, tokens: []string{sentinelToken},
			faults: []wxtest.Fault{{}, {Errcode: 45009}}, wantErr: "^warm direct invokes: .*WeChatQuotaExceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fk := newFakes(t, secretJSON(sentinelToken), tt.tokens...)
			fk.sim.Script(tt.faults...)
			// bare, measured side by side, is measured all the same.
			pair := []variant{vs[tt.variant], bare}
			rs := measure(t.Context(), pair, []*fakes{fk, newFakes(t, secretJSON(sentinelToken))}, quietConfig(2, 1))
			if r := rs[0]; r.err == nil || !regexp.MustCompile(tt.wantErr).MatchString(r.err.Error()) {
				t.Fatalf("measure() err = %v; want the function's %s", r.err, tt.wantErr)
			}
			if r := rs[1]; r.err != nil || r.direct.p50 <= 0 || r.http.p50 <= 0 {
				t.Errorf("bare: err = %v, warm p50 direct %v, HTTP %v; want it measured", r.err, r.direct.p50, r.http.p50)
			}
			noSecretIn(t, "error", rs[0].err.Error())
			report := render(readMachine(), "go run ./cmd/bench", quietConfig(2, 1), pair, rs)
			noSecretIn(t, "report", report)
		})
	}
}

func TestRunWritesTheReport(t *testing.T) {
	needEmulator(t)
	ddbtest.Need(t)
	out := filepath.Join(t.TempDir(), "bench.md")
	var stdout, progress bytes.Buffer
	if err := run(t.Context(), []string{"-n", "3", "-inits", "1", "-accounts", "20", "-o", out}, &stdout, &progress); err != nil {
		t.Fatalf("run() = %v\n%s", err, stdout.String())
	}
	file, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(file) != stdout.String() {
		t.Errorf("-o file differs from stdout:\n%s\n---\n%s", file, stdout.String())
	}
	for _, want := range []string{"Command: `go run ./cmd/bench -n 3 -inits 1 -accounts 20 -o " + out + "`", "| getindustry / bare |", "(n=3)",
		"| 20 accounts / bare |"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, stdout.String())
		}
	}
	if strings.Contains(stdout.String(), "error") {
		t.Errorf("report has an error:\n%s", stdout.String())
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"zero invokes", []string{"-n", "0"}},
		{"too many inits", []string{"-inits", "500"}},
		{"one account", []string{"-accounts", "1"}},
		{"unknown flag", []string{"-x"}},
		{"stray argument", []string{"now"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout bytes.Buffer
			if err := run(context.Background(), tt.args, &stdout, &bytes.Buffer{}); err == nil || stdout.Len() != 0 {
				t.Errorf("run(%q) = %v, printed %q; want an error and no report", tt.args, err, stdout.String())
			}
		})
	}
}
