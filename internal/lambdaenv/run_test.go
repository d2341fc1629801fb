package lambdaenv_test

import (
	"context"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/lambdaenv"
)

func TestWithAnswerReserve(t *testing.T) {
	tests := []struct {
		remaining, reserve time.Duration
	}{
		{10 * time.Second, 500 * time.Millisecond},
		{2 * time.Second, 200 * time.Millisecond},
		{100 * time.Millisecond, 50 * time.Millisecond},
	}
	for _, tt := range tests {
		deadline := time.Now().Add(tt.remaining)
		parent, cancel := context.WithDeadline(context.Background(), deadline)
		ctx, cancel2 := lambdaenv.WithAnswerReserve(parent)
		got, _ := ctx.Deadline()
		// The reserve is computed from the time left when called, a hair under tt.remaining.
		if d := deadline.Sub(got); d > tt.reserve || d < tt.reserve-5*time.Millisecond {
			t.Errorf("remaining %v: reserve = %v; want about %v", tt.remaining, d, tt.reserve)
		}
		cancel2()
		cancel()
	}
}
