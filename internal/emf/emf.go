// Package emf writes CloudWatch Embedded Metric Format records: JSON log lines whose "_aws"
// member says which top-level members CloudWatch publishes as metrics. A caller embeds Record
// in its own typed record, fills it with NewRecord and writes it with Write. See
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html.
package emf

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Record is the start of an EMF line: the "_aws" member, then those of a log line (time,
// level, msg, requestId), so that the record reads like the function's other log lines.
type Record struct {
	AWS       Metadata `json:"_aws"`
	Time      string   `json:"time"`
	Level     string   `json:"level"`
	Msg       string   `json:"msg"`
	RequestID string   `json:"requestId,omitempty"`
}

// Metadata is the "_aws" member: when (Unix milliseconds) and what to publish.
type Metadata struct {
	Timestamp         int64
	CloudWatchMetrics []Directive
}

// Directive names metrics and the dimension sets (of top-level strings) they publish under.
type Directive struct {
	Namespace  string
	Dimensions [][]string
	Metrics    []Metric
}

// Metric names a top-level number member and its CloudWatch unit ("Count", "Milliseconds").
type Metric struct {
	Name string
	Unit string `json:",omitempty"`
}

// NewRecord returns the Record of an INFO line "metrics" for ctx's invoke, measured at now,
// that publishes metrics in namespace under each of the dimension sets dims.
func NewRecord(ctx context.Context, now time.Time, namespace string, dims [][]string, metrics []Metric) Record {
	r := Record{AWS: Metadata{now.UnixMilli(), []Directive{{namespace, dims, metrics}}},
		Time: now.Format(time.RFC3339Nano), Level: "INFO", Msg: "metrics"}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		r.RequestID = lc.AwsRequestID
	}
	return r
}

// Write marshals each record onto a line of its own, HTML characters unescaped, and writes
// the lines to w with one Write under mu, so that concurrent invokes never interleave them.
// Lambda's log-level filter reads them as INFO: they are dropped below INFO or DEBUG.
func Write(mu *sync.Mutex, w io.Writer, records ...any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf) // Encode ends each line with "\n"
	enc.SetEscapeHTML(false)
	for _, r := range records {
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("emf: %w", err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	_, err := w.Write(buf.Bytes())
	return err
}

// CheckNamespace reports whether ns is a namespace CloudWatch accepts: 1 to 255 printable
// ASCII characters, not only spaces, starting neither with ':' nor with "AWS/".
func CheckNamespace(ns string) error {
	if strings.TrimSpace(ns) == "" || len(ns) > 255 || ns[0] == ':' || strings.HasPrefix(ns, "AWS/") ||
		strings.ContainsFunc(ns, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
		return fmt.Errorf(`emf: namespace %q: CloudWatch takes 1 to 255 printable ASCII characters, not only spaces, starting neither with ':' nor with "AWS/"`, ns)
	}
	return nil
}
