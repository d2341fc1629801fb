package wx_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/wx"
)

func TestSecondsUntilQuotaReset(t *testing.T) {
	tests := []struct {
		now  time.Time
		want int
	}{
		{time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC), 24 * 3600}, // 00:00 Shanghai exactly
		{time.Date(2026, 11, 25, 15, 59, 59, 0, time.UTC), 1},
		{time.Date(2026, 11, 25, 4, 0, 0, 0, time.UTC), 12 * 3600},     // 12:00 Shanghai
		{time.Date(2026, 12, 31, 15, 30, 0, 500, time.UTC), 30*60 - 0}, // year end, rounds up
	}
	for _, tt := range tests {
		if got := wx.SecondsUntilQuotaReset(tt.now); got != tt.want {
			t.Errorf("SecondsUntilQuotaReset(%v) = %d; want %d", tt.now, got, tt.want)
		}
	}
}

// TestTokenSourceFailureIsNotTransient: a TokenSource that times out is not
// WeChat being slow, so it is neither retried nor hidden by a stale answer.
func TestTokenSourceFailureIsNotTransient(t *testing.T) {
	src := failingSource{context.DeadlineExceeded}
	c, err := wx.NewClient("https://api.weixin.qq.com", src, wx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetIndustry(context.Background())
	if got := wx.Classify(err, time.Now()); got.Kind != wx.KindInternal || wx.Transient(err) {
		t.Errorf("Classify(%v) = %+v, transient %v; want internal, not transient", err, got, wx.Transient(err))
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v; want it to wrap the source's error", err)
	}
}

type failingSource struct{ err error }

func (s failingSource) Token(context.Context) (string, error) { return "", s.err }
