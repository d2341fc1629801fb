package industry_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/clocktest"
	"github.com/wxindustry/getindustry/internal/jsonlog/jsonlogtest"
	"github.com/wxindustry/getindustry/internal/wx"
)

// fakeGetter is a Getter backed by a function; it counts its calls.
type fakeGetter struct {
	fn    func(ctx context.Context) (*wx.Industry, error)
	calls atomic.Int64
}

func (f *fakeGetter) GetIndustry(ctx context.Context) (*wx.Industry, error) {
	f.calls.Add(1)
	return f.fn(ctx)
}

// testIndustry is the industry the fakes answer.
var testIndustry = wx.Industry{
	PrimaryIndustry:   wx.Class{FirstClass: "运输与仓储", SecondClass: "快递"},
	SecondaryIndustry: wx.Class{FirstClass: "房地产", SecondClass: "房地产|建筑"},
}

// testBody is testIndustry as the Cache must marshal it.
const testBody = `{"primary_industry":{"first_class":"运输与仓储","second_class":"快递"},` +
	`"secondary_industry":{"first_class":"房地产","second_class":"房地产|建筑"}}`

// okGetter returns a fakeGetter that always answers a copy of ind.
func okGetter(ind wx.Industry) *fakeGetter {
	return &fakeGetter{fn: func(context.Context) (*wx.Industry, error) {
		out := ind
		return &out, nil
	}}
}

// newClock returns a settable clock for Options.Now.
func newClock() *clocktest.Clock {
	return clocktest.New(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
}

// newLogger returns a debug-level JSON logger writing to a buffer the test
// can read.
func newLogger(tb testing.TB) (*slog.Logger, *jsonlogtest.Buffer) {
	tb.Helper()
	buf := &jsonlogtest.Buffer{}
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}
