package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(xs ...int) []time.Duration {
		var ds []time.Duration
		for _, x := range xs {
			ds = append(ds, time.Duration(x)*time.Millisecond)
		}
		return ds
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value", ms(7), 99, 7 * time.Millisecond},
		{"median of odd count", ms(1, 2, 3), 50, 2 * time.Millisecond},
		{"median of even count is the lower middle", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p99 of 1..100", ms(hundred...), 99, 99 * time.Millisecond},
		{"p50 of 1..100", ms(hundred...), 50, 50 * time.Millisecond},
		{"p100 is the maximum", ms(1, 5, 9), 100, 9 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("percentile(%v, %v) = %v; want %v", tt.sorted, tt.p, got, tt.want)
			}
		})
	}
}

func TestRoundRobin(t *testing.T) {
	failed := errors.New("failed")
	tests := []struct {
		name     string
		n        int
		errs     []error  // before the rotation
		failAt   [][2]int // the steps (i, j) that fail
		want     []string // the steps taken, "i.j"
		wantErrs []bool   // which variants have failed after it
	}{
		{name: "one of each in turn", n: 3, errs: make([]error, 2),
			want: []string{"0.0", "0.1", "1.0", "1.1", "2.0", "2.1"}, wantErrs: []bool{false, false}},
		{name: "no invokes", n: 0, errs: make([]error, 2), wantErrs: []bool{false, false}},
		{name: "a variant that failed before is left out", n: 2, errs: []error{nil, failed, nil},
			want: []string{"0.0", "0.2", "1.0", "1.2"}, wantErrs: []bool{false, true, false}},
		{name: "a variant that fails leaves, the others go on", n: 3, errs: make([]error, 3), failAt: [][2]int{{1, 1}},
			want: []string{"0.0", "0.1", "0.2", "1.0", "1.1", "1.2", "2.0", "2.2"}, wantErrs: []bool{false, true, false}},
		{name: "all fail", n: 3, errs: make([]error, 2), failAt: [][2]int{{0, 0}, {0, 1}},
			want: []string{"0.0", "0.1"}, wantErrs: []bool{true, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			roundRobin(tt.n, tt.errs, func(i, j int) error {
				got = append(got, fmt.Sprintf("%d.%d", i, j))
				if slices.Contains(tt.failAt, [2]int{i, j}) {
					return failed
				}
				return nil
			})
			if !slices.Equal(got, tt.want) {
				t.Errorf("steps = %v; want %v", got, tt.want)
			}
			for j, err := range tt.errs {
				if (err != nil) != tt.wantErrs[j] {
					t.Errorf("errs[%d] = %v; want failed %v", j, err, tt.wantErrs[j])
				}
			}
		})
	}
}

func TestMedianDoesNotSortItsInput(t *testing.T) {
	in := []time.Duration{3, 1, 2}
	if got := median(in); got != 2 {
		t.Errorf("median(%v) = %v; want 2", in, got)
	}
	if in[0] != 3 || in[1] != 1 {
		t.Errorf("median changed its input to %v", in)
	}
}

func TestParseInit(t *testing.T) {
	tests := []struct {
		name    string
		log     string
		want    time.Duration
		wantErr error
	}{
		{name: "pinned emulator INIT REPORT",
			log:  "25 Nov 2026 13:57:36,891 [INFO] (rapid) INIT REPORT(durationMs: 3.551000)\n",
			want: 3551 * time.Microsecond},
		{name: "REPORT line only",
			log:  "REPORT RequestId: x\tInit Duration: 12.50 ms\tDuration: 4.66 ms\t\n",
			want: 12500 * time.Microsecond},
		{name: "INIT REPORT wins over the REPORT line",
			log:  "(rapid) INIT REPORT(durationMs: 3.5)\nREPORT RequestId: x\tInit Duration: 0.04 ms\t\n",
			want: 3500 * time.Microsecond},
		{name: "no report yet", log: "(rapid) exec '/tmp/bootstrap'\n", wantErr: errNoInit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseInit(tt.log)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("parseInit() = %v, %v; want %v, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseVmHWM(t *testing.T) {
	tests := []struct {
		name    string
		status  string
		want    int64
		wantErr bool
	}{
		{name: "linux status", status: "Name:\tbootstrap\nVmPeak:\t 1261812 kB\nVmHWM:\t   13312 kB\nVmRSS:\t   13000 kB\n", want: 13312 * 1024},
		{name: "no VmHWM (kernel thread)", status: "Name:\tkthreadd\nState:\tS (sleeping)\n", wantErr: true},
		{name: "unexpected unit", status: "VmHWM:\t 13 MB\n", wantErr: true},
		{name: "not a number", status: "VmHWM:\t many kB\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVmHWM(strings.NewReader(tt.status))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseVmHWM() = %d, %v; want %d (error %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestPeakRSSOfNoProcess(t *testing.T) {
	if _, err := peakRSS(0); err == nil {
		t.Error("peakRSS(0) = nil error; want an error for a bootstrap that is not running")
	}
}

func TestAnswerChecks(t *testing.T) {
	industry := `{"primary_industry":{"first_class":"运输与仓储","second_class":"快递"},"secondary_industry":{"first_class":"IT科技","second_class":"互联网|电子商务"}}`
	tests := []struct {
		name  string
		check func([]byte) error
		body  string
		ok    bool
	}{
		{"industry", wantIndustry, industry, true},
		{"another industry", wantIndustry, strings.Replace(industry, "快递", "仓储", 1), false},
		{"function error", wantIndustry, `{"errorMessage":"busy","errorType":"WeChatBusy"}`, false},
		{"http 200", wantHTTP200, `{"statusCode":200,"body":"{}"}`, true},
		{"http 503", wantHTTP200, `{"statusCode":503,"body":"{}"}`, false},
		{"bare ok", wantOK, `"ok"`, true},
		{"bare other", wantOK, `"no"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.check([]byte(tt.body)); (err == nil) != tt.ok {
				t.Errorf("check(%s) = %v; want ok %v", tt.body, err, tt.ok)
			}
		})
	}
}
