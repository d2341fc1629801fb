package emf_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/emf"
)

// invoke is what functions/getindustry/metrics.go knows about one invoke
// when it builds its record.
type invoke struct {
	errorCode    string // "" when the invoke succeeded
	wechatCode   int
	attempts     int
	wechatErrors int
	cacheHit     bool
	stale        bool
	tokenRetried bool
	coldStart    bool
	latency      time.Duration
}

var (
	// warmCacheHit is the warm invoke answered from the industry cache.
	warmCacheHit = invoke{cacheHit: true}
	// wechatBusy failed after three attempts that WeChat answered errcode -1.
	wechatBusy = invoke{errorCode: "wechat_busy", wechatCode: -1, attempts: 3, wechatErrors: 3, latency: 812500 * time.Microsecond}
)

// buildMetricsRecord builds the record functions/getindustry/metrics.go
// writes for inv, member for member.
func buildMetricsRecord(now time.Time, requestID, shape string, inv invoke) *emf.Record {
	r := emf.New("GetIndustry")
	r.Time = now
	r.PropertyString("time", now.Format(time.RFC3339Nano)).Property("level", "INFO").Property("msg", "metrics")
	r.PropertyString("requestId", requestID)
	r.PropertyString("event_shape", shape)
	r.Dimension("Service", "getindustry-GetIndustryFunction-1A2B3C").DimensionSet("Service")
	failed := 0.0
	if inv.errorCode != "" {
		failed = 1
		r.Dimension("ErrorCode", inv.errorCode).DimensionSet("Service", "ErrorCode")
		if inv.wechatCode != 0 {
			r.Dimension("WeChatErrcode", strconv.Itoa(inv.wechatCode)).DimensionSet("Service", "WeChatErrcode")
		}
	}
	r.Metric("Invocations", 1, emf.Count).
		Metric("Errors", failed, emf.Count).
		Metric("WeChatCalls", float64(inv.attempts), emf.Count).
		Metric("WeChatErrors", float64(inv.wechatErrors), emf.Count).
		Metric("CacheHits", count(inv.cacheHit), emf.Count).
		Metric("StaleAnswers", count(inv.stale), emf.Count).
		Metric("TokenRefreshes", count(inv.tokenRetried), emf.Count).
		Metric("ColdStarts", count(inv.coldStart), emf.Count)
	if inv.attempts > 0 {
		r.Metric("WeChatLatency", float64(inv.latency)/float64(time.Millisecond), emf.Milliseconds)
	}
	return r
}

func count(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// BenchmarkMetricsRecord builds and marshals the getindustry function's
// per-invoke record, as its warm path does once per invoke: AppendJSON into
// a buffer kept from the previous record, as metrics.go does, and
// MarshalJSON for comparison.
func BenchmarkMetricsRecord(b *testing.B) {
	// Dynamic strings, as the function gets them, so that nothing is a
	// constant the compiler could box for free.
	requestID := string([]byte("8f5e6b1c-2d3a-4e5f-9a0b-1c2d3e4f5a6b"))
	shape := string([]byte("direct"))
	for _, bc := range []struct {
		name string
		inv  invoke
	}{
		{"cache-hit", warmCacheHit},
		{"wechat-busy", wechatBusy},
	} {
		b.Run(bc.name+"/AppendJSON", func(b *testing.B) {
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				r := buildMetricsRecord(time.Now(), requestID, shape, bc.inv)
				line, err := r.AppendJSON(buf[:0])
				if err != nil {
					b.Fatal(err)
				}
				buf = append(line, '\n')
			}
		})
		b.Run(bc.name+"/MarshalJSON", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := buildMetricsRecord(time.Now(), requestID, shape, bc.inv)
				if _, err := r.MarshalJSON(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestMetricsRecordValid checks that the benchmarked records are valid EMF,
// so that the benchmark measures the happy path.
func TestMetricsRecordValid(t *testing.T) {
	for _, inv := range []invoke{warmCacheHit, wechatBusy} {
		line, err := buildMetricsRecord(testTime, "r-1", "direct", inv).MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON() err = %v", err)
		}
		if problems := validateEMF(line); len(problems) > 0 {
			t.Errorf("record breaks the EMF specification: %q\n%s", problems, line)
		}
	}
}

// TestMetricsRecordAllocations guards what the benchmark measures: the
// record costs one allocation for itself and one for the formatted time
// (and a failed invoke one more, for strconv.Itoa of the WeChat errcode),
// and appending it to a buffer with room costs none.
func TestMetricsRecordAllocations(t *testing.T) {
	requestID := string([]byte("8f5e6b1c-2d3a-4e5f-9a0b-1c2d3e4f5a6b"))
	buf := make([]byte, 0, 4096)
	for _, tt := range []struct {
		name  string
		inv   invoke
		build float64
	}{
		{"cache hit", warmCacheHit, 2},
		{"wechat busy", wechatBusy, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			build := testing.AllocsPerRun(100, func() { buildMetricsRecord(testTime, requestID, "direct", tt.inv) })
			r := buildMetricsRecord(testTime, requestID, "direct", tt.inv)
			write := testing.AllocsPerRun(100, func() {
				if _, err := r.AppendJSON(buf[:0]); err != nil {
					t.Fatal(err)
				}
			})
			if build > tt.build || write > 0 {
				t.Errorf("building allocates %v times, AppendJSON %v; want at most %v and 0", build, write, tt.build)
			}
		})
	}
}
