package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func TestParseTokenState(t *testing.T) {
	tests := []struct {
		name      string
		value     string
		want      tokenState
		wantNote  string
		wantExtra []string
	}{
		{"bare token", "  tok-1\n", tokenState{AccessToken: "tok-1"}, "", nil},
		{"empty", " ", tokenState{}, "empty", nil},
		{"refresher's own", `{"access_token":"tok-1","expires_at":"2026-03-02T06:00:00Z"}`,
			tokenState{AccessToken: "tok-1", ExpiresAt: at(2 * time.Hour)}, "", nil},
		{"with forces and extras", `{"access_token":"tok-1","expires_at":"2026-03-02T12:00:00+08:00","forced_at":["2026-03-02T04:00:30Z","2026-03-02T04:00:00Z","junk"],"note":"x"}`,
			tokenState{AccessToken: "tok-1", ExpiresAt: at(0), ForcedAt: []time.Time{at(0), at(30 * time.Second)}}, "", []string{"note"}},
		{"no expiry", `{"access_token":"tok-1"}`, tokenState{AccessToken: "tok-1"}, "", nil},
		{"bad expiry", `{"access_token":"tok-1","expires_at":"tomorrow"}`, tokenState{AccessToken: "tok-1"}, "expires_at is not RFC 3339", nil},
		{"expiry a number", `{"access_token":"tok-1","expires_at":7200}`, tokenState{AccessToken: "tok-1"}, "expires_at is not RFC 3339", nil},
		{"token not a string", `{"access_token":7}`, tokenState{}, "no access_token string", nil},
		{"forced_at not a list", `{"access_token":"t","forced_at":"2026-03-02T04:00:00Z"}`, tokenState{AccessToken: "t"}, "forced_at is not a list of times", nil},
		{"not json", `{"access_token":"SENTINEL`, tokenState{}, "not valid JSON", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, note := parseTokenState(tt.value)
			extra := got.extra
			got.extra = nil
			if !equalState(got, tt.want) || note != tt.wantNote {
				t.Errorf("parseTokenState(%s) = %+v, %q; want %+v, %q", tt.value, got, note, tt.want, tt.wantNote)
			}
			if len(extra) != len(tt.wantExtra) {
				t.Errorf("extra fields = %v; want %v", extra, tt.wantExtra)
			}
			if strings.Contains(note, "SENTINEL") {
				t.Errorf("note %q quotes the value", note)
			}
		})
	}
}

func equalState(a, b tokenState) bool {
	if a.AccessToken != b.AccessToken || !a.ExpiresAt.Equal(b.ExpiresAt) || len(a.ForcedAt) != len(b.ForcedAt) {
		return false
	}
	for i := range a.ForcedAt {
		if !a.ForcedAt[i].Equal(b.ForcedAt[i]) {
			return false
		}
	}
	return true
}

func TestEncodeRoundTrip(t *testing.T) {
	in := `{"access_token":"tok-1","expires_at":"2026-03-02T12:00:00+08:00","forced_at":["2026-03-02T04:00:00Z"],"owner":{"team":"wx"}}`
	st, _ := parseTokenState(in)
	out, err := st.encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"access_token":"tok-1","expires_at":"2026-03-02T04:00:00Z","forced_at":["2026-03-02T04:00:00Z"],"owner":{"team":"wx"}}`
	if out != want {
		t.Errorf("encode() = %s; want %s", out, want)
	}
	bare, _ := tokenState{AccessToken: "tok-2", ExpiresAt: at(time.Hour)}.encode()
	var m map[string]any
	if err := json.Unmarshal([]byte(bare), &m); err != nil || !reflect.DeepEqual(m, map[string]any{"access_token": "tok-2", "expires_at": "2026-03-02T05:00:00Z"}) {
		t.Errorf("encode() = %s; want only access_token and expires_at", bare)
	}
}

func TestPlan(t *testing.T) {
	now := at(0)
	st := func(tok string, exp time.Duration, forced ...time.Duration) tokenState {
		s := tokenState{AccessToken: tok, ExpiresAt: at(exp)}
		if exp == 0 {
			s.ExpiresAt = time.Time{}
		}
		for _, f := range forced {
			s.ForcedAt = append(s.ForcedAt, at(f))
		}
		return s
	}
	tests := []struct {
		name      string
		cur       tokenState
		ours      issued
		forced    bool
		want      tokenState
		wantWrite bool
	}{
		{"same token: nothing to do", st("A", time.Hour), issued{"A", at(time.Hour + time.Second)}, false, st("A", time.Hour), false},
		{"bare token gains expiry", st("A", 0), issued{"A", at(time.Hour)}, false, st("A", time.Hour), true},
		{"empty secret", tokenState{}, issued{"A", at(time.Hour)}, false, st("A", time.Hour), true},
		{"renewed token", st("A", 4*time.Minute), issued{"B", at(2 * time.Hour)}, false, st("B", 2*time.Hour), true},
		{"older token never overwrites", st("B", 2*time.Hour), issued{"A", at(4 * time.Minute)}, false, st("B", 2*time.Hour), false},
		{"normal token loses a tie to a recent force", st("B", 2*time.Hour, -50*time.Second), issued{"A", at(2 * time.Hour)}, false,
			st("B", 2*time.Hour, -50*time.Second), false},
		{"normal token wins a tie otherwise", st("B", 2*time.Hour, -70*time.Second), issued{"A", at(2 * time.Hour)}, false,
			st("A", 2*time.Hour, -70*time.Second), true},
		{"forced token wins a tie", st("A", 2*time.Hour), issued{"B", at(2 * time.Hour)}, true, st("B", 2*time.Hour, 0), true},
		{"implausible expiry replaced", st("X", 30*24*time.Hour), issued{"A", at(2 * time.Hour)}, false, st("A", 2*time.Hour), true},
		{"expired token replaced", st("A", -time.Minute), issued{"B", at(2 * time.Hour)}, false, st("B", 2*time.Hour), true},
		{"force recorded, old ones pruned", st("A", time.Hour, -25*time.Hour, -time.Hour), issued{"B", at(2 * time.Hour)}, true,
			st("B", 2*time.Hour, -time.Hour, 0), true},
		{"force lost the race: token kept, force still recorded", st("C", 2*time.Hour+time.Minute), issued{"B", at(2 * time.Hour)}, true,
			st("C", 2*time.Hour+time.Minute, 0), true},
		{"force already recorded by the same token's writer", st("B", 2*time.Hour, 0), issued{"B", at(2 * time.Hour)}, true,
			st("B", 2*time.Hour, 0), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var forcedAt time.Time
			if tt.forced {
				forcedAt = now
			}
			got, write := plan(tt.cur, tt.ours, forcedAt, now)
			if !equalState(got, tt.want) || write != tt.wantWrite {
				t.Errorf("plan(%+v, %+v) = %+v, %v; want %+v, %v", tt.cur, tt.ours, got, write, tt.want, tt.wantWrite)
			}
		})
	}
}

func TestForceAllowed(t *testing.T) {
	every := func(n int, step, first time.Duration) []time.Time {
		var out []time.Time
		for i := range n {
			out = append(out, at(first+time.Duration(i)*step))
		}
		return out
	}
	tests := []struct {
		name      string
		forced    []time.Time
		wantOK    bool
		wantAfter time.Time
	}{
		{"none", nil, true, time.Time{}},
		{"31 s ago", []time.Time{at(-31 * time.Second)}, true, time.Time{}},
		{"29 s ago", []time.Time{at(-29 * time.Second)}, false, at(time.Second)},
		{"19 today", every(19, time.Hour, -19*time.Hour), true, time.Time{}},
		{"20 in 24 h", every(20, time.Hour, -20*time.Hour), false, at(4 * time.Hour)},
		{"20, the first over 24 h ago", every(20, time.Hour, -24*time.Hour), true, time.Time{}},
		{"a force from a clock ahead", []time.Time{at(10 * time.Second)}, false, at(40 * time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reason, after := forceAllowed(tt.forced, at(0))
			if ok != tt.wantOK || !after.Equal(tt.wantAfter) || (ok != (reason == "")) {
				t.Errorf("forceAllowed() = %v, %q, %v; want %v, after %v", ok, reason, after, tt.wantOK, tt.wantAfter)
			}
		})
	}
}
