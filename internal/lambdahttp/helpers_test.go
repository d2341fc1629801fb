package lambdahttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// fixtures maps each file in events/ to the shape it must be detected as.
var fixtures = map[string]Shape{
	"apigw-rest.json":   ShapeAPIGatewayREST,
	"apigw-http.json":   ShapeAPIGatewayHTTP,
	"function-url.json": ShapeFunctionURL,
	"alb.json":          ShapeALB,
	"direct.json":       ShapeDirect,
}

// readFixture returns the bytes of events/name.
func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "events", name))
	if err != nil {
		tb.Fatalf("read fixture: %v", err)
	}
	return b
}

// editFixture returns events/name after edit has changed its decoded form.
func editFixture(tb testing.TB, name string, edit func(ev map[string]any)) []byte {
	tb.Helper()
	var ev map[string]any
	if err := json.Unmarshal(readFixture(tb, name), &ev); err != nil {
		tb.Fatalf("decode fixture %s: %v", name, err)
	}
	if edit != nil {
		edit(ev)
	}
	b, err := json.Marshal(ev)
	if err != nil {
		tb.Fatalf("encode fixture %s: %v", name, err)
	}
	return b
}

// obj returns the object at key in m, for editing fixtures.
func obj(tb testing.TB, m map[string]any, key string) map[string]any {
	tb.Helper()
	o, ok := m[key].(map[string]any)
	if !ok {
		tb.Fatalf("fixture field %q is %T, not an object", key, m[key])
	}
	return o
}

// seen is what the echo handler reports about the request it was given.
type seen struct {
	Shape      Shape       `json:"shape"`
	Method     string      `json:"method"`
	Path       string      `json:"path"`
	RawQuery   string      `json:"raw_query"`
	Query      url.Values  `json:"query"`
	Header     http.Header `json:"header"`
	Host       string      `json:"host"`
	RemoteAddr string      `json:"remote_addr"`
	Body       []byte      `json:"body"`
	RequestID  string      `json:"request_id"`
}

// echoHandler answers 200 with a JSON description of the request, two X-Echo values and
// two cookies.
func echoHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "read body", http.StatusInternalServerError)
			return
		}
		s := seen{
			Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Query: r.URL.Query(),
			Header: r.Header, Host: r.Host, RemoteAddr: r.RemoteAddr, Body: body,
		}
		s.Shape, _ = ShapeFromContext(r.Context())
		if lc, ok := lambdacontext.FromContext(r.Context()); ok {
			s.RequestID = lc.AwsRequestID
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("X-Echo", "a")
		w.Header().Add("X-Echo", "b")
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
		http.SetCookie(w, &http.Cookie{Name: "b", Value: "2"})
		if err := json.NewEncoder(w).Encode(s); err != nil {
			panic(err) // the recorder never fails a write
		}
	})
}

// wire is the union of the four HTTP response formats, decoded from Invoke's output.
type wire struct {
	StatusCode        int                 `json:"statusCode"`
	StatusDescription string              `json:"statusDescription"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Cookies           []string            `json:"cookies"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
	keys              []string            // top-level keys present, sorted
}

// allowedKeys lists the top-level keys each response format may carry.
var allowedKeys = map[Shape][]string{
	ShapeAPIGatewayREST: {"body", "headers", "isBase64Encoded", "multiValueHeaders", "statusCode"},
	ShapeAPIGatewayHTTP: {"body", "cookies", "headers", "isBase64Encoded", "multiValueHeaders", "statusCode"},
	ShapeFunctionURL:    {"body", "cookies", "headers", "isBase64Encoded", "statusCode"},
	ShapeALB:            {"body", "headers", "isBase64Encoded", "multiValueHeaders", "statusCode", "statusDescription"},
}

// parseWire decodes out as a response of the given shape and checks that it is one: valid
// JSON, only that format's keys, a status code in 100-599, a body that decodes, and for ALB
// a matching status description and exactly the header field albMulti asks for.
func parseWire(shape Shape, out []byte, albMulti bool) (wire, error) {
	var w wire
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(out, &raw); err != nil {
		return w, fmt.Errorf("response is not a JSON object: %v: %s", err, out)
	}
	if err := json.Unmarshal(out, &w); err != nil {
		return w, fmt.Errorf("response does not decode: %v: %s", err, out)
	}
	w.keys = slices.Sorted(maps.Keys(raw))
	for _, k := range w.keys {
		if !slices.Contains(allowedKeys[shape], k) {
			return w, fmt.Errorf("%s response has key %q: %s", shape, k, out)
		}
	}
	if w.StatusCode < 100 || w.StatusCode > 599 {
		return w, fmt.Errorf("statusCode = %d: %s", w.StatusCode, out)
	}
	if w.IsBase64Encoded {
		if _, err := base64.StdEncoding.DecodeString(w.Body); err != nil {
			return w, fmt.Errorf("isBase64Encoded body does not decode: %v", err)
		}
	}
	if shape == ShapeALB {
		if want := statusDescription(w.StatusCode); w.StatusDescription != want {
			return w, fmt.Errorf("statusDescription = %q; want %q", w.StatusDescription, want)
		}
		unwanted := "multiValueHeaders"
		if albMulti {
			unwanted = "headers"
		}
		if _, ok := raw[unwanted]; ok {
			return w, fmt.Errorf("ALB response (multi-value headers %v) has key %q", albMulti, unwanted)
		}
	}
	return w, nil
}

// body returns the decoded response body.
func (w wire) body(tb testing.TB) []byte {
	tb.Helper()
	if !w.IsBase64Encoded {
		return []byte(w.Body)
	}
	b, err := base64.StdEncoding.DecodeString(w.Body)
	if err != nil {
		tb.Fatalf("decode base64 body: %v", err)
	}
	return b
}

// seen decodes the echo handler's description from the response body.
func (w wire) seen(tb testing.TB) seen {
	tb.Helper()
	var s seen
	if err := json.NewDecoder(bytes.NewReader(w.body(tb))).Decode(&s); err != nil {
		tb.Fatalf("decode echo body %q: %v", w.Body, err)
	}
	return s
}

// invoke runs payload through Wrap(h, direct) and decodes the answer as the shape Detect
// gives it.
func invoke(tb testing.TB, ctx context.Context, h http.Handler, payload []byte) wire {
	tb.Helper()
	shape, multiValue := detect(payload)
	out, err := Wrap(h, failDirect(tb)).Invoke(ctx, payload)
	if err != nil {
		tb.Fatalf("Invoke() err = %v; want nil", err)
	}
	w, err := parseWire(shape, out, multiValue)
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

// failDirect is a DirectFunc for tests that must not reach it.
func failDirect(tb testing.TB) DirectFunc {
	return func(context.Context, []byte) ([]byte, error) {
		tb.Helper()
		tb.Error("direct handler called for an HTTP-shaped event")
		return nil, nil
	}
}

// errorJSON returns the adapter's JSON error body without a request id.
func errorJSON(code, message string) string {
	return fmt.Sprintf(`{"error":{"code":%q,"message":%q}}`, code, message)
}
