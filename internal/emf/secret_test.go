package emf_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/wxindustry/getindustry/internal/emf"
)

// sentinel stands for a WeChat access_token that reached a record by mistake.
const sentinel = "SENTINEL-TOKEN-5f3c"

// TestSecretNeverInErrors drives every failure path with the sentinel as a
// dimension or property value and checks that no error text carries it. The
// package never logs, so errors and the written line are its only outputs; a
// record that fails writes nothing at all.
func TestSecretNeverInErrors(t *testing.T) {
	tests := []struct {
		name  string
		build func(r *emf.Record)
	}{
		{"dimension value too long", func(r *emf.Record) { r.Dimension("D", sentinel+strings.Repeat("x", 1024)) }},
		{"dimension value not ASCII", func(r *emf.Record) { r.Dimension("D", sentinel+"é") }},
		{"dimension value with a newline", func(r *emf.Record) { r.Dimension("D", sentinel+"\n") }},
		{"property beside an invalid metric", func(r *emf.Record) { r.Property("token", sentinel).Metric("M", -1, "bogus") }},
		{"property that cannot marshal", func(r *emf.Record) {
			r.Property("token", map[string]any{sentinel: make(chan string)})
		}},
		{"property collides with a dimension", func(r *emf.Record) { r.Dimension("D", sentinel).Property("D", sentinel) }},
		{"dimension collides with a property", func(r *emf.Record) { r.Property("D", sentinel).Dimension("D", sentinel) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRecord()
			tt.build(r)
			_, err := r.MarshalJSON()
			if err == nil {
				t.Fatal("MarshalJSON() err = nil; want a failure")
			}
			if strings.Contains(err.Error(), sentinel) {
				t.Errorf("MarshalJSON() err = %q; it carries the token", err)
			}
			var buf bytes.Buffer
			_, err = r.WriteTo(&buf)
			if err == nil || strings.Contains(err.Error(), sentinel) || buf.Len() != 0 {
				t.Errorf("WriteTo() err = %v, wrote %q; want an error without the token and nothing written", err, buf.String())
			}
		})
	}
}

// TestSecretWriteError checks that a failing writer's error is wrapped
// without the line that was being written.
func TestSecretWriteError(t *testing.T) {
	r := newRecord().Metric("M", 1, emf.Count).Property("requestId", sentinel)
	_, err := r.WriteTo(failingWriter{})
	if !errors.Is(err, errDiskFull) || strings.Contains(err.Error(), sentinel) {
		t.Errorf("WriteTo() err = %v; want the writer's error, without the line", err)
	}
}
