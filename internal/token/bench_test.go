package token_test

import (
	"context"
	"testing"

	"github.com/wxindustry/getindustry/internal/token"
)

// BenchmarkTokenCached measures the cached path under parallel callers; the
// reported reads/op should stay near zero.
func BenchmarkTokenCached(b *testing.B) {
	e := newEnv(b, token.Options{}, nil)
	e.fake.SetSecret(secretID, "tok")
	ctx := context.Background()
	e.mustToken(b, "tok")
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.src.Token(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(int64(e.fake.Reads(secretID))-1)/float64(b.N), "reads/op")
}

// BenchmarkTokenInvalidateStorm measures a flood of rejections of one token
// that the secret still holds: the storm guard keeps reads near one per
// MinRereadInterval.
func BenchmarkTokenInvalidateStorm(b *testing.B) {
	e := newEnv(b, token.Options{}, nil)
	e.fake.SetSecret(secretID, "tok")
	ctx := context.Background()
	e.mustToken(b, "tok")
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			e.src.Invalidate("tok")
			if _, err := e.src.Token(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(int64(e.fake.Reads(secretID))), "reads")
}
