package emf_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/wxindustry/getindustry/internal/emf"
)

// TestPropertyValues checks that every kind of property value is written as
// encoding/json writes it, whether the package writes it itself (string,
// bool, int, float64) or hands it to encoding/json.
func TestPropertyValues(t *testing.T) {
	type shape string
	tests := []struct {
		name  string
		value any
	}{
		{"string", "req-1"},
		{"string to escape", "a \"quoted\" \\ <tag> & \n\t\x01 é \u2028 \xff"},
		{"empty string", ""},
		{"true", true},
		{"false", false},
		{"int", 45011},
		{"negative int", -1},
		{"big int", math.MaxInt64},
		{"float", 812.5},
		{"whole float", 3.0},
		{"negative zero", math.Copysign(0, -1)},
		{"tiny float", 1e-7},
		{"huge float", 1e21},
		{"named string", shape("apigw-http")},
		{"int64", int64(7)},
		{"nil", nil},
		{"slice", []int{1, 2}},
		{"map", map[string]any{"b": "<&>", "a": 1.5}},
		{"raw message", json.RawMessage(`{ "x" : [1, 2] }`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, err := newRecord().Metric("M", 1, emf.Count).Property("p", tt.value).MarshalJSON()
			if err != nil {
				t.Fatalf("MarshalJSON() err = %v", err)
			}
			want, err := json.Marshal(tt.value)
			if err != nil {
				t.Fatal(err)
			}
			want = unescapeHTML(want)
			if got := decode(t, line).Members["p"]; got != string(want) {
				t.Errorf("property p = %s; want %s", got, want)
			}
		})
	}
}

// unescapeHTML undoes json.Marshal's HTML escaping, which the records leave
// out.
func unescapeHTML(b []byte) []byte {
	r := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&")
	return []byte(r.Replace(string(b)))
}

func TestPropertyString(t *testing.T) {
	a, err := newRecord().Metric("M", 1, emf.Count).PropertyString("requestId", "r\"1").MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON() err = %v", err)
	}
	b, _ := newRecord().Metric("M", 1, emf.Count).Property("requestId", "r\"1").MarshalJSON()
	if string(a) != string(b) {
		t.Errorf("PropertyString wrote %s; Property wrote %s", a, b)
	}
	if _, err := newRecord().PropertyString("_aws", "x").MarshalJSON(); !errors.Is(err, emf.ErrInvalid) {
		t.Errorf("PropertyString(\"_aws\") then MarshalJSON() err = %v; want ErrInvalid", err)
	}
}

func TestPropertyReplaced(t *testing.T) {
	line, err := newRecord().Property("p", map[string]int{"a": 1}).Property("p", 2.5).Property("q", true).
		Property("q", "yes").MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON() err = %v", err)
	}
	if got := decode(t, line).Members; got["p"] != "2.5" || got["q"] != `"yes"` {
		t.Errorf("members = %v; want p 2.5 and q \"yes\"", got)
	}
}

func TestPropertyNotFinite(t *testing.T) {
	_, err := newRecord().Property("p", math.NaN()).MarshalJSON()
	var uve *json.UnsupportedValueError
	if !errors.As(err, &uve) || errors.Is(err, emf.ErrInvalid) {
		t.Errorf("MarshalJSON() err = %v; want a wrapped *json.UnsupportedValueError", err)
	}
}

// TestAppendJSON checks that AppendJSON appends what MarshalJSON returns,
// and leaves the buffer as it was when it fails.
func TestAppendJSON(t *testing.T) {
	r := newRecord().Dimension("Service", "fn").Metric("M", 1, emf.Count).PropertyString("requestId", "r-1")
	want, err := r.MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON() err = %v", err)
	}
	buf := []byte("prefix ")
	for range 2 { // the second time into the grown buffer
		got, err := r.AppendJSON(buf[:len("prefix ")])
		if err != nil || string(got) != "prefix "+string(want) {
			t.Fatalf("AppendJSON() = %q, %v; want %q", got, err, "prefix "+string(want))
		}
		buf = got
	}
	bad := newRecord().Metric("M", 1, emf.Count).Property("ch", make(chan int))
	got, err := bad.AppendJSON(buf[:3])
	if err == nil || string(got) != "pre" {
		t.Errorf("AppendJSON(invalid property) = %q, %v; want \"pre\" and an error", got, err)
	}
	got, err = emf.New("").AppendJSON(buf[:3])
	if !errors.Is(err, emf.ErrInvalid) || string(got) != "pre" {
		t.Errorf("AppendJSON(empty namespace) = %q, %v; want \"pre\" and ErrInvalid", got, err)
	}
}

// TestRecordLarge builds records past the inline storage and the member
// count from which names are indexed, and checks they come out as small
// ones do.
func TestRecordLarge(t *testing.T) {
	r := newRecord()
	for i := range 30 {
		r.Dimension(fmt.Sprintf("D%02d", i), "v")
	}
	for i := range 40 {
		r.Metric(fmt.Sprintf("M%02d", i), float64(i), emf.Count).Property(fmt.Sprintf("P%02d", i), i)
	}
	for i := range 10 {
		r.DimensionSet(fmt.Sprintf("D%02d", i), fmt.Sprintf("D%02d", i+10), fmt.Sprintf("D%02d", i+20))
		r.DimensionSet(fmt.Sprintf("D%02d", i+20), fmt.Sprintf("D%02d", i), fmt.Sprintf("D%02d", i+10)) // a repeat
	}
	r.Metric("M05", 7, emf.Count).Dimension("D29", "w")
	line, err := r.MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON() err = %v", err)
	}
	if problems := validateEMF(line); len(problems) > 0 {
		t.Fatalf("record breaks the EMF specification: %q", problems)
	}
	got := decode(t, line)
	if len(got.Sets) != 10 || len(got.Metrics) != 40 || len(got.Members) != 110 {
		t.Errorf("%d sets, %d metrics, %d members; want 10, 40, 110", len(got.Sets), len(got.Metrics), len(got.Members))
	}
	if got.Members["M05"] != "[5,7]" || got.Members["D29"] != `"w"` || got.Members["P39"] != "39" {
		t.Errorf("M05, D29, P39 = %s, %s, %s; want [5,7], \"w\", 39", got.Members["M05"], got.Members["D29"], got.Members["P39"])
	}
	if _, err := r.Property("M39", 1).Dimension("P00", "x").MarshalJSON(); !errors.Is(err, emf.ErrInvalid) {
		t.Errorf("collisions found through the index: MarshalJSON() err = %v; want ErrInvalid", err)
	}
}

// TestRecordZeroValue checks that a Record not made by New is refused for
// its empty namespace, not a panic.
func TestRecordZeroValue(t *testing.T) {
	var r emf.Record
	_, err := r.Dimension("Service", "fn").DimensionSet("Service").Metric("M", 1, emf.Count).MarshalJSON()
	if !errors.Is(err, emf.ErrInvalid) {
		t.Errorf("MarshalJSON() err = %v; want ErrInvalid for the empty namespace", err)
	}
}
