package jsonlog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/wxindustry/getindustry/internal/redact"
)

func TestNew(t *testing.T) {
	const secret = "SENTINEL-TOKEN-5f3c"
	var buf bytes.Buffer
	log := New(&buf, slog.LevelInfo).With("app", "x")
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	log.LogAttrs(ctx, slog.LevelInfo, "called",
		slog.String("access_token", secret),
		slog.String("Token", secret),
		slog.String("url", "https://api.weixin.qq.com/cgi-bin/x?access_token="+secret+"&y=1"))
	log.Debug("hidden at INFO")
	log.Info("outside an invoke")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines; want 2 (debug filtered):\n%s", len(lines), buf.String())
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"time", "level", "msg", "requestId", "app", "url"} {
		if _, ok := first[k]; !ok {
			t.Errorf("line %s lacks %q", lines[0], k)
		}
	}
	if first["requestId"] != "req-1" {
		t.Errorf("requestId = %v; want req-1", first["requestId"])
	}
	if strings.Contains(buf.String(), secret) {
		t.Errorf("the secret reached the log:\n%s", buf.String())
	}
	if strings.Contains(lines[1], "requestId") {
		t.Errorf("a line logged outside an invoke has a requestId: %s", lines[1])
	}
}

func TestLevel(t *testing.T) {
	tests := map[string]slog.Level{"": slog.LevelInfo, "DEBUG": slog.LevelDebug, "trace": slog.LevelDebug,
		"INFO": slog.LevelInfo, "WARN": slog.LevelWarn, "ERROR": slog.LevelError, "FATAL": slog.LevelError, "loud": slog.LevelInfo}
	for in, want := range tests {
		if got := Level(in); got != want {
			t.Errorf("Level(%q) = %v; want %v", in, got, want)
		}
	}
}

// TestNewMaskingMasksKnownSecrets (issue 10, item 2): a token the process
// has read is masked wherever it is printed, in any case: a cause, an
// upstream's message, a panic value that is a string or an error.
func TestNewMaskingMasksKnownSecrets(t *testing.T) {
	const secret = "Sentinel-Token-9b1d"
	secrets := &redact.Secrets{}
	secrets.Add(secret)
	var buf bytes.Buffer
	log := NewMasking(&buf, slog.LevelInfo, secrets)
	log.Info("x",
		slog.String("cause", "wx: get_industry: errcode 40001: invalid credential "+strings.ToUpper(secret)),
		slog.Any("panic", errors.New("boom "+secret)),
		slog.Any("panic_string", "boom "+strings.ToLower(secret)),
		slog.String("url", "https://h/p?access_token=other"))
	out := buf.String()
	if strings.Contains(strings.ToLower(out), strings.ToLower(secret)) || strings.Contains(out, "other") {
		t.Errorf("a secret reached the log:\n%s", out)
	}
	if n := strings.Count(out, "REDACTED"); n != 4 {
		t.Errorf("%d masks; want 4:\n%s", n, out)
	}
}
