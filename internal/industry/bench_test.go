package industry_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/industry"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// BenchmarkGetHit measures the warm path: a fresh answer, no upstream call.
func BenchmarkGetHit(b *testing.B) {
	c := industry.NewCache(okGetter(testIndustry), industry.Options{TTL: time.Hour})
	ctx := context.Background()
	if _, err := c.Get(ctx); err != nil {
		b.Fatalf("Get() err = %v", err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if a, err := c.Get(ctx); err != nil || a.Outcome != industry.OutcomeHit {
				b.Fatalf("Get() = %v, %v; want a hit", a, err)
			}
		}
	})
}

// BenchmarkGetMiss measures a fetch through the real wx.Client from the
// loopback WeChat simulator, plus marshalling and hashing the answer: the
// clock moves past the TTL on every call.
func BenchmarkGetMiss(b *testing.B) {
	const tok = "BENCH-TOKEN"
	sim := wxtest.NewSimulator(tok)
	srv := wxtest.NewServer(sim)
	b.Cleanup(srv.Close)
	client, err := wx.NewClient(srv.URL, staticToken(tok), wx.Options{})
	if err != nil {
		b.Fatalf("NewClient() err = %v", err)
	}
	start := time.Now()
	var ticks atomic.Int64
	now := func() time.Time { return start.Add(time.Duration(ticks.Add(1)) * time.Hour) }
	c := industry.NewCache(client, industry.Options{TTL: time.Minute, Now: now})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if a, err := c.Get(ctx); err != nil || a.Outcome != industry.OutcomeMiss {
			b.Fatalf("Get() = %v, %v; want a miss", a, err)
		}
	}
	b.ReportMetric(float64(sim.Calls())/float64(b.N), "fetches/op")
}
