// Package emf writes CloudWatch Embedded Metric Format (EMF) log lines: one JSON
// object per line whose "_aws" member tells CloudWatch Logs which top-level members
// to publish as metrics, under which namespace and dimension sets, while every
// member stays queryable in Logs Insights. A Record collects dimensions, metrics
// and extra properties for one line; AppendJSON, MarshalJSON and WriteTo check it
// against the specification (at most 100 metrics and 30 dimensions per set,
// non-empty names, valid units, no colliding members) before anything is written,
// so an invalid record yields an error rather than a line that CloudWatch would
// silently drop. Records are cheap enough to write one per invoke: a typical one
// is built in a single allocation and appended to a reused buffer without
// reflection. The package has no dependencies beyond the standard library and
// never logs. See
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html.
package emf
