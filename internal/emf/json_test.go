package emf

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// stdJSON is v as encoding/json marshals it with HTML escaping off, which is
// what the package's own encoders must write byte for byte.
func stdJSON(tb testing.TB, v any) string {
	tb.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		tb.Fatalf("encoding/json: %v", err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

var stringCases = []string{
	"", "Invocations", "getindustry-GetIndustryFunction-1A2B3C", `quote " and backslash \`,
	"controls \x00\x01\b\f\n\r\t\x1f\x7f", "<html> & 'apostrophe'", "房地产 é ☃ 😀",
	"invalid \xff\xfe utf-8 \xe6\x88", "separators \u2028 \u2029", "\u2028", "\xff", "end\\",
}

var floatCases = []float64{
	0, math.Copysign(0, -1), 1, -1, 3, 100, 812.5, 61.25, 0.25, 1e15 - 1, 1e15, -1e15, 1e20, 1e21, 1.5e21,
	1e-6, 9.99e-7, 1e-7, -2.5e-9, 1e-100, 5e-324, math.MaxFloat64, -math.MaxFloat64, 123456789.123456789,
	float64(1<<53) + 2, 0.1 + 0.2,
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range stringCases {
		if got, want := string(appendString(nil, s)), stdJSON(t, s); got != want {
			t.Errorf("appendString(%q) = %s; want %s", s, got, want)
		}
	}
}

func TestAppendFloatMatchesEncodingJSON(t *testing.T) {
	for _, f := range floatCases {
		if got, want := string(appendFloat(nil, f)), stdJSON(t, f); got != want {
			t.Errorf("appendFloat(%v) = %s; want %s", f, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range stringCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendString(nil, s)), stdJSON(t, s); got != want {
			t.Errorf("appendString(%q) = %s; want %s", s, got, want)
		}
	})
}

func FuzzAppendFloat(f *testing.F) {
	for _, x := range floatCases {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			t.Skip("not finite: Metric refuses it and Property leaves it to encoding/json")
		}
		if got, want := string(appendFloat(nil, x)), stdJSON(t, x); got != want {
			t.Errorf("appendFloat(%v) = %s; want %s", x, got, want)
		}
	})
}
