package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/rie"
	"github.com/wxindustry/getindustry/internal/token/smtest"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// emulatorStack is the built bootstrap under the real Runtime Interface
// Emulator, talking to the in-process fakes over loopback HTTP.
type emulatorStack struct {
	emu *rie.Emulator
	sim *wxtest.Simulator
	sm  *smtest.Fake
	env []string // the function's environment
}

func TestMain(m *testing.M) {
	code := m.Run()
	rie.RemoveBootstraps()
	os.Exit(code)
}

// buildBootstrap builds the function once per test binary, as SAM does but
// for this machine's architecture.
func buildBootstrap() (string, error) { return rie.Bootstrap("./functions/getindustry") }

func newEmulatorStack(tb testing.TB, env ...string) *emulatorStack {
	tb.Helper()
	bin, err := rie.Find()
	if err != nil {
		tb.Skip(err)
	}
	if testing.Short() {
		tb.Skip("end-to-end emulator test skipped in -short mode")
	}
	s := &emulatorStack{sim: wxtest.NewSimulator(sentinelToken), sm: smtest.NewFake()}
	wxSrv, smSrv := wxtest.NewServer(s.sim), smtest.NewServer(s.sm)
	tb.Cleanup(wxSrv.Close)
	tb.Cleanup(smSrv.Close)
	s.sm.SetSecret("wx/token", sentinelToken)
	base := environ(smtest.Env(smSrv.URL), map[string]string{
		"WX_TOKEN_SECRET_ID": "wx/token", "WX_API_BASE_URL": wxSrv.URL,
		"AWS_PROFILE": "", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
		"AWS_LAMBDA_LOG_LEVEL": "DEBUG",
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	boot, err := buildBootstrap()
	if err != nil {
		tb.Fatal(err)
	}
	s.env = append(base, env...)
	s.emu, err = rie.Start(ctx, rie.Options{Binary: bin, Bootstrap: boot, Env: s.env, Timeout: 5 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.emu.Close)
	return s
}

func (s *emulatorStack) invoke(tb testing.TB, payload []byte) []byte {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	status, out, err := s.emu.Invoke(ctx, payload)
	if err != nil || status != 200 {
		tb.Fatalf("emulator Invoke() = %d %s, %v; want HTTP 200\n%s", status, out, err, s.emu.Log.Tail(20))
	}
	return out
}

func TestEmulatorServesEveryEvent(t *testing.T) {
	s := newEmulatorStack(t)
	want := wxtest.DefaultIndustry()
	for _, f := range loadFixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			out := s.invoke(t, f.payload)
			if !f.http {
				wantIndustry(t, out, want)
				return
			}
			a, body := decodeHTTPAnswer(t, out)
			if a.StatusCode != 200 {
				t.Fatalf("answer = %s; want statusCode 200", out)
			}
			wantIndustry(t, body, want)
		})
	}
	logs := s.emu.Log.String()
	noSecretIn(t, "emulator output", logs)
	if !strings.Contains(logs, "INIT REPORT") && !strings.Contains(logs, "Init Duration") {
		t.Errorf("no init report in the emulator output:\n%s", s.emu.Log.Tail(20))
	}
	checkFunctionLogLines(t, logs)
}

func TestEmulatorErrors(t *testing.T) {
	tests := []struct {
		name     string
		env      []string
		payload  string
		wantType string
		status   int
		code     string
	}{
		{name: "direct: missing secret", env: []string{"WX_TOKEN_SECRET_ID=wx/none"}, payload: `{}`, wantType: "TokenUnavailable"},
		{name: "direct: payload not an object", payload: `"industry"`, wantType: "InvalidRequest"},
		{name: "direct: payload not JSON", payload: `industry please`, wantType: "InvalidRequest"},
		{name: "http: missing secret", env: []string{"WX_TOKEN_SECRET_ID=wx/none"}, payload: "function-url.json", status: 500, code: "token_unavailable"},
		{name: "http: unknown path", payload: "function-url.json:/nope", status: 404, code: "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newEmulatorStack(t, tt.env...)
			payload := []byte(tt.payload)
			if rest, ok := strings.CutPrefix(tt.payload, "function-url.json"); ok {
				payload = functionURLEvent(t, strings.TrimPrefix(rest, ":"))
			}
			out := s.invoke(t, payload)
			if tt.wantType != "" {
				var fe struct{ ErrorType, ErrorMessage string }
				if json.Unmarshal(out, &fe) != nil || fe.ErrorType != tt.wantType || fe.ErrorMessage == "" {
					t.Errorf("answer = %s; want errorType %s with a message", out, tt.wantType)
				}
			} else {
				a, body := decodeHTTPAnswer(t, out)
				var eb errorBody
				if a.StatusCode != tt.status || json.Unmarshal(body, &eb) != nil || eb.Error.Code != tt.code || eb.Error.RequestID == "" {
					t.Errorf("answer = %s; want %d %s with a request_id", out, tt.status, tt.code)
				}
			}
			// The function keeps serving after a failure.
			good := s.invoke(t, []byte(`{}`))
			if tt.env == nil {
				wantIndustry(t, good, wxtest.DefaultIndustry())
			}
			noSecretIn(t, "answer", string(out))
			noSecretIn(t, "emulator output", s.emu.Log.String())
		})
	}
}

// functionURLEvent returns the Function URL fixture, with its path replaced when path is not empty.
func functionURLEvent(tb testing.TB, path string) []byte {
	tb.Helper()
	for _, f := range loadFixtures(tb) {
		if f.name != "function-url.json" {
			continue
		}
		if path == "" {
			return f.payload
		}
		var ev map[string]any
		if err := json.Unmarshal(f.payload, &ev); err != nil {
			tb.Fatal(err)
		}
		ev["rawPath"] = path
		ev["requestContext"].(map[string]any)["http"].(map[string]any)["path"] = path
		b, _ := json.Marshal(ev)
		return b
	}
	tb.Fatal("no function-url.json fixture")
	return nil
}

// checkFunctionLogLines checks that every line the function printed (lines
// starting with '{'; the emulator's own lines are plain text) is a JSON
// record with time, level, msg and the request id, and that every summary
// has a status or an error type.
func checkFunctionLogLines(tb testing.TB, logs string) {
	tb.Helper()
	n := 0
	for _, line := range strings.Split(logs, "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		n++
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			tb.Errorf("function log line is not JSON: %q", line)
			continue
		}
		for _, k := range []string{"time", "level", "msg"} {
			if _, ok := rec[k]; !ok {
				tb.Errorf("log line lacks %q: %s", k, line)
			}
		}
		if _, ok := rec["requestId"]; !ok && rec["msg"] != "cold start failed" {
			tb.Errorf("log line inside an invoke lacks requestId: %s", line)
		}
		if rec["msg"] == "invocation" && rec["status"] == nil && rec["error_type"] == nil {
			tb.Errorf("summary line has neither status nor error_type: %s", line)
		}
	}
	if n == 0 {
		tb.Error("the function printed no log lines")
	}
}

// TestEmulatorAnswersBeforeTheDeadline gives the function a 1 s Lambda
// timeout against upstreams that hang far longer (WX_HTTP_TIMEOUT stays at
// its 3 s default): the function must still answer with its own error,
// never let the emulator time the invoke out.
func TestEmulatorAnswersBeforeTheDeadline(t *testing.T) {
	tests := []struct {
		name     string
		hang     func(s *emulatorStack)
		status   int
		code     string
		wantType string
	}{
		{name: "WeChat hangs", hang: func(s *emulatorStack) { s.sim.Script(wxtest.Fault{Delay: 5 * time.Second}) },
			status: 504, code: "upstream_timeout", wantType: "UpstreamTimeout"},
		{name: "Secrets Manager hangs", hang: func(s *emulatorStack) {
			s.sm.Fail("wx/token", smtest.Fault{Type: "InternalServiceError", Delay: 5 * time.Second})
		}, status: 503, code: "token_unavailable", wantType: "TokenUnavailable"},
	}
	for _, tt := range tests {
		for _, direct := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/direct=%v", tt.name, direct), func(t *testing.T) {
				s := newEmulatorStack(t)
				s.emu.Close()
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				boot, err := buildBootstrap()
				if err != nil {
					t.Fatal(err)
				}
				env := append(s.env, "AWS_LAMBDA_LOG_LEVEL=INFO")
				if s.emu, err = rie.Start(ctx, rie.Options{Bootstrap: boot, Env: env, Timeout: time.Second}); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(s.emu.Close)
				tt.hang(s)
				payload := []byte(`{}`)
				if !direct {
					payload = functionURLEvent(t, "")
				}
				out := s.invoke(t, payload)
				if strings.Contains(string(out), "Task timed out") {
					t.Fatalf("the emulator timed the invoke out: %s", out)
				}
				if direct {
					var fe struct{ ErrorType string }
					if json.Unmarshal(out, &fe) != nil || fe.ErrorType != tt.wantType {
						t.Errorf("answer = %s; want errorType %s", out, tt.wantType)
					}
					return
				}
				a, body := decodeHTTPAnswer(t, out)
				var eb errorBody
				if a.StatusCode != tt.status || json.Unmarshal(body, &eb) != nil || eb.Error.Code != tt.code {
					t.Errorf("answer = %d %s; want %d %s", a.StatusCode, body, tt.status, tt.code)
				}
			})
		}
	}
}

// TestEmulatorColdStartFailure: a bad setting fails the cold start with one
// JSON log line naming the variable, and nothing else from the function.
func TestEmulatorColdStartFailure(t *testing.T) {
	s := newEmulatorStack(t)
	s.emu.Close()
	boot, err := buildBootstrap()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	emu, err := rie.Start(ctx, rie.Options{Bootstrap: boot, Env: append(s.env, "WX_HTTP_TIMEOUT=soon"), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emu.Close)
	status, out, err := emu.Invoke(ctx, []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if status == 200 && !strings.Contains(string(out), "errorType") {
		t.Fatalf("invoke after a failed cold start = %d %s; want a failure", status, out)
	}
	// The emulator passes the function's output on as it reads it, which
	// may be after the invoke has been answered: wait for the line.
	for !strings.Contains(emu.Log.String(), "cold start failed") && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	var failures int
	for _, line := range strings.Split(emu.Log.String(), "\n") {
		if strings.Contains(line, "getindustry:") {
			t.Errorf("a plain-text line from the function: %q", line)
		}
		if !strings.Contains(line, "cold start failed") {
			continue
		}
		failures++
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil || rec["level"] != "ERROR" ||
			!strings.Contains(fmt.Sprint(rec["error"]), `WX_HTTP_TIMEOUT "soon"`) {
			t.Errorf("cold start failure line = %q; want a JSON ERROR naming WX_HTTP_TIMEOUT", line)
		}
	}
	if failures == 0 {
		t.Errorf("no cold start failure logged:\n%s", emu.Log.Tail(20))
	}
}
