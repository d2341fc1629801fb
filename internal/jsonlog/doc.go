// Package jsonlog builds the log/slog logger the functions share: JSON lines
// that Lambda's JSON log format and log-level filtering understand, the
// Lambda request id on every record logged inside an invoke, and a backstop
// that drops secret-named attributes and redacts access_token values.
//
// See https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html.
package jsonlog
