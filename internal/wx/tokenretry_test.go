package wx_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

func TestGetIndustryTokenRejection(t *testing.T) {
	tests := []struct {
		name            string
		source          []string // tokens the rotating source hands out in turn
		valid           []string // tokens the simulator accepts
		script          []wxtest.Fault
		wantCode        int // 0: success
		wantCalls       int
		wantInvalidated []string
		wantRetried     bool
	}{
		{name: "changed token retried once", source: []string{"old", "new"}, valid: []string{"new"},
			wantCalls: 2, wantInvalidated: []string{"old"}, wantRetried: true},
		{name: "unchanged token not retried", source: []string{"old"}, valid: []string{"other"},
			wantCode: wx.CodeInvalidCredential, wantCalls: 1, wantInvalidated: []string{"old"}},
		{name: "never two token retries", source: []string{"a", "b", "c"}, valid: []string{"c"},
			wantCode: wx.CodeInvalidCredential, wantCalls: 2, wantInvalidated: []string{"a"}, wantRetried: true},
		{name: "expired token retried", source: []string{"old", "new"}, valid: []string{"old", "new"},
			script:    []wxtest.Fault{{Errcode: wx.CodeTokenExpired}},
			wantCalls: 2, wantInvalidated: []string{"old"}, wantRetried: true},
		{name: "invalid token retried", source: []string{"old", "new"}, valid: []string{"old", "new"},
			script:    []wxtest.Fault{{Errcode: wx.CodeInvalidToken}},
			wantCalls: 2, wantInvalidated: []string{"old"}, wantRetried: true},
		{name: "token retry is not a backoff step", source: []string{"old", "new"}, valid: []string{"new"},
			script:    []wxtest.Fault{{Errcode: wx.CodeBusy}, {Errcode: wx.CodeInvalidCredential}, {Errcode: wx.CodeBusy}},
			wantCalls: 4, wantInvalidated: []string{"old"}, wantRetried: true},
		{name: "transient failures after token retry exhaust attempts", source: []string{"old", "new"}, valid: []string{"new"},
			script:   []wxtest.Fault{{Errcode: wx.CodeInvalidCredential}, {Errcode: wx.CodeBusy}, {Errcode: wx.CodeBusy}, {Errcode: wx.CodeBusy}},
			wantCode: wx.CodeBusy, wantCalls: 4, wantInvalidated: []string{"old"}, wantRetried: true},
		{name: "second rejection not retried", source: []string{"a", "b", "c"}, valid: []string{"a", "b", "c"},
			script:   []wxtest.Fault{{Errcode: wx.CodeTokenExpired}, {Errcode: wx.CodeTokenExpired}},
			wantCode: wx.CodeTokenExpired, wantCalls: 2, wantInvalidated: []string{"a"}, wantRetried: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := wxtest.NewSimulator(tt.valid...)
			sim.Script(tt.script...)
			srv := newServer(t, sim)
			src := &rotatingSource{tokens: tt.source}
			c := newClient(t, srv.URL, src, fast())
			var tr wx.Trace
			got, err := c.GetIndustry(wx.WithTrace(context.Background(), &tr))
			if tt.wantCode == 0 {
				if err != nil || *got != wxtest.DefaultIndustry() {
					t.Fatalf("GetIndustry() = %v, %v; want the default industry", got, err)
				}
			} else {
				wantCode(t, err, tt.wantCode)
			}
			if sim.Calls() != tt.wantCalls || tr.Attempts != tt.wantCalls {
				t.Errorf("calls = %d, trace attempts = %d; want %d", sim.Calls(), tr.Attempts, tt.wantCalls)
			}
			if inv := src.Invalidated(); !slices.Equal(inv, tt.wantInvalidated) {
				t.Errorf("Invalidate calls = %q; want %q", inv, tt.wantInvalidated)
			}
			if tr.TokenRetried != tt.wantRetried {
				t.Errorf("trace.TokenRetried = %v; want %v", tr.TokenRetried, tt.wantRetried)
			}
		})
	}
}

func TestGetIndustryTokenSourceFailure(t *testing.T) {
	tests := []struct {
		name      string
		okReads   int // token reads that succeed
		wantCalls int
	}{
		{"first read fails", 0, 0},
		{"fresh read fails", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := wxtest.NewSimulator("new")
			srv := newServer(t, sim)
			cause := &sourceError{reason: "secret not found"}
			src := &rotatingSource{tokens: []string{"old", "new"}, okReads: tt.okReads, err: cause}
			c := newClient(t, srv.URL, src, fast())
			_, err := c.GetIndustry(context.Background())
			var se *sourceError
			if !errors.As(err, &se) || se != cause {
				t.Fatalf("GetIndustry() err = %v; want the token source's error", err)
			}
			if !strings.HasPrefix(err.Error(), "wx: get_industry: access token: ") {
				t.Errorf("GetIndustry() err = %q; want prefix %q", err, "wx: get_industry: access token: ")
			}
			if sim.Calls() != tt.wantCalls {
				t.Errorf("calls = %d; want %d", sim.Calls(), tt.wantCalls)
			}
		})
	}
}

func TestGetIndustryEmptyToken(t *testing.T) {
	sim, _ := setup(t, fast())
	srv := newServer(t, sim)
	c := newClient(t, srv.URL, staticToken(""), fast())
	if _, err := c.GetIndustry(context.Background()); err == nil {
		t.Fatal("GetIndustry() with an empty token err = nil; want an error")
	}
	if sim.Calls() != 0 {
		t.Errorf("calls = %d; want 0 (an empty token is not sent)", sim.Calls())
	}
}
