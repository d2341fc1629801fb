// Package emf holds the "_aws" member of a CloudWatch Embedded Metric Format
// record, which says which top-level members of a JSON log line CloudWatch
// publishes as metrics. A caller declares its record as a struct with a
// Metadata field tagged "_aws" and marshals it with encoding/json. See
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html.
package emf

import (
	"fmt"
	"strings"
)

// Metadata is the "_aws" member of an EMF record.
type Metadata struct {
	Timestamp         int64       `json:"Timestamp"` // when the metrics were measured, in Unix milliseconds
	CloudWatchMetrics []Directive `json:"CloudWatchMetrics"`
}

// Directive names the metrics and the dimension sets (each name a top-level
// string member) under which each metric is published.
type Directive struct {
	Namespace  string     `json:"Namespace"`
	Dimensions [][]string `json:"Dimensions"`
	Metrics    []Metric   `json:"Metrics"`
}

// Metric names a top-level number member to publish, and its CloudWatch unit
// (for example "Count" or "Milliseconds").
type Metric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit,omitempty"`
}

// CheckNamespace reports whether ns is a namespace CloudWatch accepts: 1 to
// 255 printable ASCII characters, not only spaces, starting neither with ':'
// nor with the reserved prefix "AWS/".
func CheckNamespace(ns string) error {
	problem := ""
	switch {
	case strings.TrimSpace(ns) == "":
		problem = "is empty or only spaces"
	case len(ns) > 255:
		problem = "is longer than 255 characters"
	case ns[0] == ':' || strings.HasPrefix(ns, "AWS/"):
		problem = `starts with ':' or the reserved prefix "AWS/"`
	case strings.ContainsFunc(ns, func(r rune) bool { return r < 0x20 || r > 0x7e }):
		problem = "has a character that is not printable ASCII"
	default:
		return nil
	}
	return fmt.Errorf("emf: namespace %q %s", ns, problem)
}
