package lambdahttp

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

// sentinelToken stands in for a WeChat access_token that reached a request or a handler.
const sentinelToken = "SENTINEL-TOKEN-5f3c"

// TestNoTokenLeak drives every failure path of the adapter with the sentinel token in the
// request (query, header, cookie, path, method, body, wrongly typed fields) or in the
// handler's panic, and checks that no response, error or log line repeats it: the adapter's
// own answers carry fixed messages only, and a panicking handler's partial output is dropped.
func TestNoTokenLeak(t *testing.T) {
	var logs bytes.Buffer
	captureLogs(t, &logs)

	leaky := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Token", sentinelToken)
		w.Write([]byte(sentinelToken))
		panic(fmt.Errorf("wx: call failed: access_token=%s", sentinelToken))
	})
	huge := strings.Repeat(sentinelToken, MaxBodyBytes/len(sentinelToken)+1)
	tests := map[string]struct {
		fixture string
		edit    func(map[string]any)
		h       http.Handler
		status  int
	}{
		"rest panic with token":      {"apigw-rest.json", set("queryStringParameters", map[string]any{"access_token": sentinelToken}), leaky, 500},
		"http panic with token":      {"apigw-http.json", set("rawQueryString", "access_token="+sentinelToken), leaky, 500},
		"url panic with token":       {"function-url.json", set("cookies", []any{"t=" + sentinelToken}), leaky, 500},
		"alb panic with token":       {"alb.json", set("body", sentinelToken), leaky, 500},
		"bad base64 token body":      {"apigw-rest.json", body(sentinelToken+"!", true), nil, 400},
		"huge token body":            {"apigw-http.json", body(huge, false), nil, 413},
		"huge base64 token body":     {"alb.json", both(body(base64.StdEncoding.EncodeToString([]byte(huge)), true), set("path", "/"+sentinelToken)), nil, 413},
		"token in method":            {"apigw-rest.json", method(sentinelToken + " x"), nil, 400},
		"token in relative path":     {"apigw-rest.json", pathOnly(sentinelToken), nil, 400},
		"token in control-char path": {"function-url.json", set("rawPath", "/"+sentinelToken+"\x00"), nil, 400},
		"token in wrong field type":  {"apigw-http.json", set("headers", map[string]any{"authorization": []any{sentinelToken}}), nil, 400},
		"token in path of bad event": {"alb.json", both(set("body", 5), set("path", "/"+sentinelToken)), nil, 400},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			payload := editFixture(t, tt.fixture, tt.edit)
			if !bytes.Contains(payload, []byte(sentinelToken)) {
				t.Fatalf("test payload does not carry the sentinel")
			}
			h := tt.h
			if h == nil {
				h = echoHandler()
			}
			out, err := Wrap(h, failDirect(t)).Invoke(t.Context(), payload)
			if err != nil {
				t.Fatalf("Invoke() err = %v; want nil", err)
			}
			if bytes.Contains(out, []byte(sentinelToken)) {
				t.Errorf("response carries the token: %.300s", out)
			}
			shape, multiValue := detect(payload)
			w, err := parseWire(shape, out, multiValue)
			if err != nil {
				t.Fatal(err)
			}
			if w.StatusCode != tt.status {
				t.Errorf("statusCode = %d; want %d", w.StatusCode, tt.status)
			}
		})
	}
	t.Run("direct error without handler", func(t *testing.T) {
		_, err := Wrap(nil, nil).Invoke(t.Context(), []byte(`{"access_token":"`+sentinelToken+`"}`))
		if err == nil || strings.Contains(err.Error(), sentinelToken) {
			t.Errorf("Invoke() err = %v; want an error without the token", err)
		}
	})
	if strings.Contains(logs.String(), sentinelToken) {
		t.Errorf("log output carries the token: %s", logs.String())
	}
}

// captureLogs sends the default slog logger and the log package to buf for the test.
func captureLogs(tb testing.TB, buf *bytes.Buffer) {
	tb.Helper()
	prevSlog, prevOut, prevFlags := slog.Default(), log.Writer(), log.Flags()
	slog.SetDefault(slog.New(slog.NewTextHandler(buf, nil)))
	log.SetOutput(buf)
	tb.Cleanup(func() {
		slog.SetDefault(prevSlog)
		log.SetOutput(prevOut)
		log.SetFlags(prevFlags)
	})
}
