package emf_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/wxindustry/getindustry/internal/emf"
)

// TestRecordInvalid checks that each specification breach is reported by
// MarshalJSON (matching ErrInvalid) and that WriteTo then writes nothing.
func TestRecordInvalid(t *testing.T) {
	tests := []struct {
		name      string
		namespace string
		build     func(r *emf.Record)
	}{
		{"empty namespace", "", func(r *emf.Record) {}},
		{"reserved namespace", "AWS/Lambda", func(r *emf.Record) {}},
		{"namespace starting with a colon", ":ns", func(r *emf.Record) {}},
		{"namespace too long", strings.Repeat("n", 256), func(r *emf.Record) {}},
		{"namespace not ASCII", "微信", func(r *emf.Record) {}},
		{"101 metrics", "Test", func(r *emf.Record) {
			for i := range 101 {
				r.Metric(fmt.Sprint("M", i), 1, emf.Count)
			}
		}},
		{"31 dimensions by default", "Test", func(r *emf.Record) {
			for _, name := range dimNames(31) {
				r.Dimension(name, "v")
			}
		}},
		{"31 dimensions in a declared set", "Test", func(r *emf.Record) {
			for _, name := range dimNames(31) {
				r.Dimension(name, "v")
			}
			r.DimensionSet(dimNames(31)...)
		}},
		{"set names an unknown dimension", "Test", func(r *emf.Record) { r.Dimension("A", "v").DimensionSet("A", "B") }},
		{"set names a metric", "Test", func(r *emf.Record) { r.Metric("M", 1, emf.Count).DimensionSet("M") }},
		{"set names a dimension twice", "Test", func(r *emf.Record) { r.Dimension("A", "v").DimensionSet("A", "A") }},
		{"empty metric name", "Test", func(r *emf.Record) { r.Metric("", 1, emf.Count) }},
		{"metric name too long", "Test", func(r *emf.Record) { r.Metric(strings.Repeat("m", 256), 1, emf.Count) }},
		{"NaN", "Test", func(r *emf.Record) { r.Metric("M", math.NaN(), emf.Count) }},
		{"infinity", "Test", func(r *emf.Record) { r.Metric("M", math.Inf(-1), emf.Count) }},
		{"unknown unit", "Test", func(r *emf.Record) { r.Metric("M", 1, "Requests") }},
		{"unit changes between values", "Test", func(r *emf.Record) {
			r.Metric("M", 1, emf.Milliseconds).Metric("M", 1, emf.Seconds)
		}},
		{"101 values", "Test", func(r *emf.Record) {
			for range 101 {
				r.Metric("M", 1, emf.Count)
			}
		}},
		{"empty dimension name", "Test", func(r *emf.Record) { r.Dimension(" ", "v") }},
		{"dimension name starting with a colon", "Test", func(r *emf.Record) { r.Dimension(":d", "v") }},
		{"dimension name too long", "Test", func(r *emf.Record) { r.Dimension(strings.Repeat("d", 251), "v") }},
		{"empty dimension value", "Test", func(r *emf.Record) { r.Dimension("D", "") }},
		{"dimension value not ASCII", "Test", func(r *emf.Record) { r.Dimension("Industry", "房地产") }},
		{"dimension value with a control character", "Test", func(r *emf.Record) { r.Dimension("D", "a\nb") }},
		{"dimension value too long", "Test", func(r *emf.Record) { r.Dimension("D", strings.Repeat("v", 1025)) }},
		{"empty property name", "Test", func(r *emf.Record) { r.Property("", 1) }},
		{"reserved member name", "Test", func(r *emf.Record) { r.Property("_aws", 1) }},
		{"property collides with a metric", "Test", func(r *emf.Record) { r.Metric("X", 1, emf.Count).Property("X", "y") }},
		{"metric collides with a dimension", "Test", func(r *emf.Record) { r.Dimension("X", "v").Metric("X", 1, emf.Count) }},
		{"dimension collides with a property", "Test", func(r *emf.Record) { r.Property("X", 1).Dimension("X", "v") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := emf.New(tt.namespace)
			r.Time = testTime
			tt.build(r)
			if line, err := r.MarshalJSON(); !errors.Is(err, emf.ErrInvalid) {
				t.Fatalf("MarshalJSON() = %s, %v; want an error matching ErrInvalid", line, err)
			}
			var buf bytes.Buffer
			if n, err := r.WriteTo(&buf); err == nil || n != 0 || buf.Len() != 0 {
				t.Errorf("WriteTo() = %d, %v and wrote %q; want an error and nothing written", n, err, buf.String())
			}
		})
	}
}

func TestRecordPropertyThatCannotMarshal(t *testing.T) {
	r := newRecord().Metric("M", 1, emf.Count).Property("ch", make(chan int))
	_, err := r.MarshalJSON()
	var ute *json.UnsupportedTypeError
	if !errors.As(err, &ute) || errors.Is(err, emf.ErrInvalid) {
		t.Errorf("MarshalJSON() err = %v; want a wrapped *json.UnsupportedTypeError, not ErrInvalid", err)
	}
}

func TestRecordJoinsEveryProblem(t *testing.T) {
	r := emf.New("").Metric("", 1, emf.Count).Dimension("D", "").DimensionSet("missing")
	_, err := r.MarshalJSON()
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok || len(joined.Unwrap()) != 4 {
		t.Fatalf("MarshalJSON() err = %v; want the 4 problems joined", err)
	}
	for _, e := range joined.Unwrap() {
		if !errors.Is(e, emf.ErrInvalid) || !strings.HasPrefix(e.Error(), "emf: ") {
			t.Errorf("problem %q: want it to match ErrInvalid and start with \"emf: \"", e)
		}
	}
}
