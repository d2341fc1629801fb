package lambdahttp

import (
	"context"
	"net/http"
	"strconv"
	"testing"
)

// benchBody is a cached industry answer of realistic size.
var benchBody = []byte(`{"primary_industry":{"first_class":"运输与仓储","second_class":"快递"},` +
	`"secondary_industry":{"first_class":"IT科技","second_class":"互联网|电子商务"}}`)

// benchHandler answers like getindustry's cache hit: a few fixed headers and a ready body.
func benchHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("ETag", `"5d41402abc4b2a76b9719d911017c592"`)
		h.Set("Cache-Control", "private, max-age=300")
		h.Set("X-Industry-Cache", "hit")
		h.Set("Content-Length", strconv.Itoa(len(benchBody)))
		w.WriteHeader(http.StatusOK)
		w.Write(benchBody)
	})
}

// BenchmarkWrap measures the adapter's own cost per invoke for each shape's fixture, with
// a handler that does as little as getindustry's cache hit.
func BenchmarkWrap(b *testing.B) {
	direct := func(context.Context, []byte) ([]byte, error) { return benchBody, nil }
	h := Wrap(benchHandler(), direct)
	for name, shape := range fixtures {
		payload := readFixture(b, name)
		b.Run(string(shape), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(payload)))
			for b.Loop() {
				if _, err := h.Invoke(b.Context(), payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
