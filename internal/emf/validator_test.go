package emf_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
)

// cloudWatchUnits is the unit list of the EMF JSON schema, kept here rather
// than taken from the package so that the validator checks Unit.Valid too.
var cloudWatchUnits = func() map[string]bool {
	set := make(map[string]bool)
	for _, u := range strings.Fields("Seconds Microseconds Milliseconds Bytes Kilobytes Megabytes Gigabytes Terabytes " +
		"Bits Kilobits Megabits Gigabits Terabits Percent Count Bytes/Second Kilobytes/Second Megabytes/Second " +
		"Gigabytes/Second Terabytes/Second Bits/Second Kilobits/Second Megabits/Second Gigabits/Second " +
		"Terabits/Second Count/Second None") {
		set[u] = true
	}
	return set
}()

// validateEMF checks one log line against the EMF specification and returns
// what is wrong with it (nothing, for a valid document).
func validateEMF(line []byte) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var root map[string]any
	if err := dec.Decode(&root); err != nil {
		return []string{fmt.Sprintf("not a JSON object: %v", err)}
	}
	if _, err := dec.Token(); err != io.EOF {
		bad("data after the JSON object")
	}
	aws, ok := root["_aws"].(map[string]any)
	if !ok {
		return append(problems, "_aws is missing or not an object")
	}
	extraMembers(aws, bad, "_aws", "Timestamp", "CloudWatchMetrics")
	if ts, ok := aws["Timestamp"].(json.Number); !ok {
		bad("_aws.Timestamp is missing or not a number")
	} else if n, err := ts.Int64(); err != nil || n <= 0 {
		bad("_aws.Timestamp %s is not a positive integer of milliseconds", ts)
	}
	directives, ok := aws["CloudWatchMetrics"].([]any)
	if !ok || len(directives) == 0 {
		return append(problems, "_aws.CloudWatchMetrics is missing, empty or not an array")
	}
	for i, d := range directives {
		validateDirective(root, d, func(format string, args ...any) { bad("directive %d: "+format, append([]any{i}, args...)...) })
	}
	return problems
}

func validateDirective(root map[string]any, d any, bad func(string, ...any)) {
	dir, ok := d.(map[string]any)
	if !ok {
		bad("not an object")
		return
	}
	extraMembers(dir, bad, "directive", "Namespace", "Dimensions", "Metrics")
	if ns, ok := dir["Namespace"].(string); !ok || ns == "" || len(ns) > 1024 {
		bad("Namespace %v is missing, not a string, empty or too long", dir["Namespace"])
	}
	sets, ok := dir["Dimensions"].([]any)
	if !ok || len(sets) == 0 {
		bad("Dimensions is missing, empty or not an array")
	}
	for _, s := range sets {
		set, ok := s.([]any)
		if !ok || len(set) > 30 {
			bad("dimension set %v is not an array of at most 30 names", s)
			continue
		}
		for _, n := range set {
			name, ok := n.(string)
			if !ok || name == "" || len(name) > 250 {
				bad("dimension name %v is not a string of 1 to 250 characters", n)
				continue
			}
			if v, ok := root[name].(string); !ok || v == "" || len(v) > 1024 {
				bad("dimension %q is not a top-level string member of 1 to 1024 characters", name)
			}
		}
	}
	metrics, ok := dir["Metrics"].([]any)
	if !ok || len(metrics) > 100 {
		bad("Metrics is missing, not an array, or longer than 100")
	}
	for _, md := range metrics {
		def, ok := md.(map[string]any)
		if !ok {
			bad("metric definition %v is not an object", md)
			continue
		}
		extraMembers(def, bad, "metric definition", "Name", "Unit", "StorageResolution")
		name, ok := def["Name"].(string)
		if !ok || name == "" {
			bad("metric definition %v has no Name", def)
			continue
		}
		if u, present := def["Unit"]; present {
			if s, ok := u.(string); !ok || !cloudWatchUnits[s] {
				bad("metric %q: unit %v is not a CloudWatch unit", name, u)
			}
		}
		if sr, present := def["StorageResolution"]; present && sr != json.Number("1") && sr != json.Number("60") {
			bad("metric %q: StorageResolution %v is not 1 or 60", name, sr)
		}
		checkMetricTarget(root, name, bad)
	}
}

// checkMetricTarget checks that the metric's member is a number or an array
// of 1 to 100 numbers at the root.
func checkMetricTarget(root map[string]any, name string, bad func(string, ...any)) {
	switch v := root[name].(type) {
	case json.Number:
	case []any:
		if len(v) == 0 || len(v) > 100 {
			bad("metric %q: array of %d values", name, len(v))
		}
		for _, x := range v {
			if _, ok := x.(json.Number); !ok {
				bad("metric %q: array holds %v, not a number", name, x)
			}
		}
	default:
		bad("metric %q is not a top-level number or array of numbers (%T)", name, v)
	}
}

// extraMembers reports members of obj that the specification does not define.
func extraMembers(obj map[string]any, bad func(string, ...any), what string, allowed ...string) {
	for k := range obj {
		found := false
		for _, a := range allowed {
			found = found || k == a
		}
		if !found {
			bad("%s has an unknown member %q", what, k)
		}
	}
}

// specExample is the valid example of the EMF specification page.
const specExample = `{"_aws":{"Timestamp":1574109732004,"CloudWatchMetrics":[{"Namespace":"lambda-function-metrics",` +
	`"Dimensions":[["functionVersion"]],"Metrics":[{"Name":"time","Unit":"Milliseconds","StorageResolution":60}]}]},` +
	`"functionVersion":"$LATEST","time":100,"requestId":"989ffbf8-9ace-4817-a57c-e4dd734019ee"}`

// TestValidator shows that the validator accepts the specification's own
// example and rejects documents that break it, so that a passing record test
// means something.
func TestValidator(t *testing.T) {
	replace := func(old, new string) string {
		if !strings.Contains(specExample, old) {
			t.Fatalf("spec example has no %q", old)
		}
		return strings.Replace(specExample, old, new, 1)
	}
	tests := []struct {
		name  string
		doc   string
		valid bool
	}{
		{"spec example", specExample, true},
		{"metric array", replace(`"time":100`, `"time":[1,2.5,3]`), true},
		{"not json", `{"_aws":`, false},
		{"trailing data", specExample + ` {}`, false},
		{"no _aws", `{"time":100}`, false},
		{"float timestamp", replace(`1574109732004`, `1574109732004.5`), false},
		{"string timestamp", replace(`1574109732004`, `"1574109732004"`), false},
		{"no namespace", replace(`"Namespace":"lambda-function-metrics",`, ``), false},
		{"dimension missing at root", replace(`"functionVersion":"$LATEST",`, ``), false},
		{"dimension not a string", replace(`"functionVersion":"$LATEST"`, `"functionVersion":7`), false},
		{"no dimension sets", replace(`[["functionVersion"]]`, `[]`), false},
		{"metric missing at root", replace(`"time":100,`, ``), false},
		{"metric is a string", replace(`"time":100`, `"time":"100"`), false},
		{"metric array of strings", replace(`"time":100`, `"time":["1"]`), false},
		{"bad unit", replace(`"Milliseconds"`, `"Millis"`), false},
		{"bad storage resolution", replace(`"StorageResolution":60`, `"StorageResolution":5`), false},
		{"unknown directive member", replace(`"Namespace"`, `"Extra":1,"Namespace"`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := validateEMF([]byte(tt.doc))
			if tt.valid && len(problems) > 0 {
				t.Errorf("validateEMF() = %q; want no problems", problems)
			}
			if !tt.valid && len(problems) == 0 {
				t.Errorf("validateEMF() found no problem in %s", tt.doc)
			}
		})
	}
}
