package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxindustry/getindustry/internal/wx"
)

// fixture is one captured event from events/.
type fixture struct {
	name    string
	payload []byte
	http    bool // answered with an HTTP-shaped response
}

// loadFixtures reads every event in events/ (env.json is not an event).
func loadFixtures(tb testing.TB) []fixture {
	tb.Helper()
	paths, err := filepath.Glob("../../events/*.json")
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no events in ../../events: %v", err)
	}
	var out []fixture
	for _, p := range paths {
		name := filepath.Base(p)
		if name == "env.json" {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, fixture{name: name, payload: b, http: name != "direct.json"})
	}
	return out
}

// httpAnswer is the common part of every HTTP-shaped Lambda response
// (API Gateway REST and HTTP API, Function URL, ALB).
type httpAnswer struct {
	StatusCode        int                 `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

func (a httpAnswer) header(name string) string {
	for k, v := range a.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	for k, vs := range a.MultiValueHeaders {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

func decodeHTTPAnswer(tb testing.TB, out []byte) (httpAnswer, []byte) {
	tb.Helper()
	var a httpAnswer
	if err := json.Unmarshal(out, &a); err != nil || a.StatusCode == 0 {
		tb.Fatalf("answer %s is not an HTTP-shaped response: %v", out, err)
	}
	body := []byte(a.Body)
	if a.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(a.Body); err != nil {
			tb.Fatalf("answer body is not base64: %v", err)
		}
	}
	return a, body
}

// wantIndustry checks that body is exactly the industry in WeChat's shape.
func wantIndustry(tb testing.TB, body []byte, want wx.Industry) {
	tb.Helper()
	var got wx.Industry
	if err := json.Unmarshal(body, &got); err != nil || got != want {
		tb.Errorf("body = %s; want the industry %+v", body, want)
	}
}
