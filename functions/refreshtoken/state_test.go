package main

import (
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/token"
)

var t0 = time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func equalState(a, b token.Secret) bool {
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

func TestPlan(t *testing.T) {
	now := at(0)
	st := func(tok string, exp time.Duration, forced ...time.Duration) token.Secret {
		s := token.Secret{AccessToken: tok, ExpiresAt: at(exp)}
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
		cur       token.Secret
		ours      issued
		forced    bool
		want      token.Secret
		wantWrite bool
	}{
		{"same token: nothing to do", st("A", time.Hour), issued{"A", at(time.Hour + time.Second)}, false, st("A", time.Hour), false},
		{"bare token gains expiry", st("A", 0), issued{"A", at(time.Hour)}, false, st("A", time.Hour), true},
		{"empty secret", token.Secret{}, issued{"A", at(time.Hour)}, false, st("A", time.Hour), true},
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
		{"a force 2 min ahead, the skew allowed", []time.Time{at(2 * time.Minute)}, false, at(2*time.Minute + 30*time.Second)},
		{"a force from the far future is ignored", []time.Time{at(3 * time.Minute)}, true, time.Time{}},
		{"a future force beside a recent one", []time.Time{at(-10 * time.Second), at(24 * time.Hour)}, false, at(20 * time.Second)},
		{"29.2 s ago", []time.Time{at(-29*time.Second - 200*time.Millisecond)}, false, at(800 * time.Millisecond)},
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
