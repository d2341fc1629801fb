package lambdahttp

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
)

// FuzzWrap checks that no payload makes Invoke panic or fail, that every HTTP-shaped
// payload is answered with valid JSON in its event's response format, and that every other
// payload goes to the DirectFunc untouched. The seed corpus in testdata/fuzz/FuzzWrap holds
// each events/ fixture and the edge cases of TestDetect; `go test` runs the seeds.
func FuzzWrap(f *testing.F) {
	echo := echoHandler()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "panic") {
			panic("fuzz")
		}
		echo.ServeHTTP(w, r)
	})
	f.Fuzz(func(t *testing.T, payload []byte) {
		var got []byte
		direct := func(ctx context.Context, p []byte) ([]byte, error) {
			got = p
			return []byte(`"direct"`), nil
		}
		shape, multiValue := detect(payload)
		out, err := Wrap(h, direct).Invoke(t.Context(), payload)
		if err != nil {
			t.Fatalf("Invoke() err = %v; want nil", err)
		}
		if shape == ShapeDirect {
			if !bytes.Equal(got, payload) || string(out) != `"direct"` {
				t.Fatalf("direct payload: Invoke() = %s, direct got %q", out, got)
			}
			return
		}
		if got != nil {
			t.Fatalf("%s payload reached the DirectFunc", shape)
		}
		if _, err := parseWire(shape, out, multiValue); err != nil {
			t.Fatal(err)
		}
	})
}
