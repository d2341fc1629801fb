package lambdahttp

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

var _ lambda.Handler = (*Handler)(nil)

// wantRequest is what a fixture's request must look like to the handler.
type wantRequest struct {
	shape                Shape
	host, remote, header string // header: a User-Agent value every fixture carries
}

var fixtureRequests = map[string]wantRequest{
	"apigw-rest.json":   {ShapeAPIGatewayREST, "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com", "203.0.113.10", "python-requests/2.31.0"},
	"apigw-http.json":   {ShapeAPIGatewayHTTP, "f6g7h8i9j0.execute-api.us-east-1.amazonaws.com", "203.0.113.10", "python-requests/2.31.0"},
	"function-url.json": {ShapeFunctionURL, "lambda-url-id.lambda-url.us-east-1.on.aws", "203.0.113.10", "python-requests/2.31.0"},
	"alb.json":          {ShapeALB, "internal-getindustry-1234567890.us-east-1.elb.amazonaws.com", "203.0.113.10", "python-requests/2.31.0"},
}

// TestWrapFixtures sends each HTTP fixture through Wrap to the echo handler and checks
// both the request the handler saw and the response in the fixture's own format.
func TestWrapFixtures(t *testing.T) {
	for name, want := range fixtureRequests {
		t.Run(name, func(t *testing.T) {
			w := invoke(t, t.Context(), echoHandler(), readFixture(t, name))
			if w.StatusCode != http.StatusOK {
				t.Fatalf("statusCode = %d; want 200 (body %s)", w.StatusCode, w.Body)
			}
			if w.IsBase64Encoded {
				t.Errorf("isBase64Encoded = true for a JSON body")
			}
			s := w.seen(t)
			if s.Shape != want.shape || s.Method != "GET" || s.Path != "/industry" || s.RawQuery != "" {
				t.Errorf("handler saw shape %q %s %s?%s; want %q GET /industry", s.Shape, s.Method, s.Path, s.RawQuery, want.shape)
			}
			if s.Host != want.host || s.RemoteAddr != want.remote {
				t.Errorf("handler saw Host %q RemoteAddr %q; want %q %q", s.Host, s.RemoteAddr, want.host, want.remote)
			}
			if got := s.Header.Get("User-Agent"); got != want.header {
				t.Errorf("handler saw User-Agent %q; want %q", got, want.header)
			}
			if _, ok := s.Header["Host"]; ok {
				t.Errorf("handler saw a Host header; want it in Request.Host only")
			}
			checkEchoHeaders(t, want.shape, w, true)
		})
	}
}

// TestWrapLambdaContext checks that the handler gets the runtime's Lambda context and that
// the adapter's own errors carry the request id.
func TestWrapLambdaContext(t *testing.T) {
	ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req-123"})
	w := invoke(t, ctx, echoHandler(), readFixture(t, "apigw-http.json"))
	if got := w.seen(t).RequestID; got != "req-123" {
		t.Errorf("handler saw request id %q; want req-123", got)
	}
	w = invoke(t, ctx, echoHandler(), editFixture(t, "alb.json", body("!", true)))
	want := `{"error":{"code":"invalid_request","message":"request body is not valid base64","request_id":"req-123"}}`
	if w.Body != want {
		t.Errorf("body = %s; want %s", w.Body, want)
	}
}

// TestWrapDirect checks that payloads which are not HTTP events reach the DirectFunc
// unchanged, with ShapeDirect in ctx, and that its answer and error come back unchanged.
func TestWrapDirect(t *testing.T) {
	sentinel := &directError{"WeChatBusy"}
	tests := map[string]struct {
		payload []byte
		out     []byte
		err     error
	}{
		"empty object":   {[]byte(`{}`), []byte(`{"primary_industry":{}}`), nil},
		"fixture":        {readFixture(t, "direct.json"), []byte(`{}`), nil},
		"array":          {[]byte(`[]`), nil, sentinel},
		"not json":       {[]byte(`not json`), nil, sentinel},
		"websocket-like": {[]byte(`{"httpMethod":"GET","requestContext":{"stage":"s","connectionId":"c"}}`), nil, sentinel},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var got []byte
			direct := func(ctx context.Context, payload []byte) ([]byte, error) {
				got = payload
				if s, ok := ShapeFromContext(ctx); !ok || s != ShapeDirect {
					t.Errorf("ShapeFromContext() = %q, %v; want direct, true", s, ok)
				}
				return tt.out, tt.err
			}
			out, err := Wrap(echoHandler(), direct).Invoke(t.Context(), tt.payload)
			if err != tt.err {
				t.Errorf("Invoke() err = %#v; want exactly %#v", err, tt.err)
			}
			if string(out) != string(tt.out) || string(got) != string(tt.payload) {
				t.Errorf("Invoke() = %s, direct got %s; want %s, %s", out, got, tt.out, tt.payload)
			}
		})
	}
	t.Run("nil direct", func(t *testing.T) {
		if _, err := Wrap(nil, nil).Invoke(t.Context(), []byte(`{}`)); err != errNoDirect {
			t.Errorf("Invoke() err = %v; want %v", err, errNoDirect)
		}
	})
	t.Run("nil handler answers 404", func(t *testing.T) {
		w := invoke(t, t.Context(), nil, readFixture(t, "apigw-rest.json"))
		if w.StatusCode != http.StatusNotFound {
			t.Errorf("statusCode = %d; want 404", w.StatusCode)
		}
	})
}

// directError stands in for the caller's typed Lambda errors.
type directError struct{ typ string }

// Error implements error.
func (e *directError) Error() string { return "direct: " + e.typ }

// TestWrapConcurrent runs every fixture through one wrapped handler from many goroutines;
// with -race it checks that Wrap is safe for concurrent use.
func TestWrapConcurrent(t *testing.T) {
	h := Wrap(echoHandler(), func(context.Context, []byte) ([]byte, error) { return []byte(`{}`), nil })
	var payloads [][]byte
	for name := range fixtures {
		payloads = append(payloads, readFixture(t, name))
	}
	for i := range 8 {
		t.Run("worker", func(t *testing.T) {
			t.Parallel()
			for j := range 20 {
				p := payloads[(i+j)%len(payloads)]
				out, err := h.Invoke(t.Context(), p)
				if err != nil || len(out) == 0 {
					t.Fatalf("Invoke() = %q, %v", out, err)
				}
			}
		})
	}
}

// TestWrapReuse checks that the recorders Wrap reuses carry nothing from one invoke into
// the next: headers, status and body start empty, an answer already returned stays as it
// was, and the header snapshot taken at WriteHeader is a copy.
func TestWrapReuse(t *testing.T) {
	big := strings.Repeat("x", 64<<10+1)
	h := Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/first":
			w.Header().Set("X-First", "1")
			w.Header().Add("Set-Cookie", "first=1")
			w.WriteHeader(http.StatusAccepted)
			w.Header()["X-First"][0] = "changed after WriteHeader"
			w.Write([]byte(big))
		default:
			w.Write([]byte("second"))
		}
	}), nil)
	payload := func(path string) []byte {
		return editFixture(t, "apigw-http.json", set("rawPath", path))
	}
	first, err := h.Invoke(t.Context(), payload("/first"))
	if err != nil {
		t.Fatal(err)
	}
	saved := string(first)
	for range 3 {
		out, err := h.Invoke(t.Context(), payload("/second"))
		if err != nil {
			t.Fatal(err)
		}
		w, err := parseWire(ShapeAPIGatewayHTTP, out, false)
		if err != nil {
			t.Fatal(err)
		}
		if w.StatusCode != http.StatusOK || w.Body != "second" || len(w.Cookies) != 0 || w.Headers["X-First"] != "" {
			t.Errorf("second answer = %s; want 200 \"second\" with nothing of the first", out)
		}
	}
	if string(first) != saved {
		t.Errorf("first answer changed after later invokes")
	}
	w, err := parseWire(ShapeAPIGatewayHTTP, first, false)
	if err != nil {
		t.Fatal(err)
	}
	if w.StatusCode != http.StatusAccepted || w.Headers["X-First"] != "1" || w.Body != big {
		t.Errorf("first answer = %.200s; want 202, X-First 1 and the big body", first)
	}
}

// TestServeOutcome checks what Serve reports for each kind of answer: the shape, the HTTP
// status (none for a direct invocation), whether the adapter answered the event itself,
// and the value of a recovered panic, which is answered 500 or as an Internal error.
func TestServeOutcome(t *testing.T) {
	panics := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	directPanics := func(context.Context, []byte) ([]byte, error) { panic("direct boom") }
	direct := func(context.Context, []byte) ([]byte, error) { return []byte(`{}`), nil }
	tests := map[string]struct {
		payload []byte
		h       http.Handler
		direct  DirectFunc
		want    Outcome
		wantErr error
	}{
		"rest":              {readFixture(t, "apigw-rest.json"), nil, direct, Outcome{Shape: ShapeAPIGatewayREST, Status: 200}, nil},
		"http api":          {readFixture(t, "apigw-http.json"), nil, direct, Outcome{Shape: ShapeAPIGatewayHTTP, Status: 200}, nil},
		"function url":      {readFixture(t, "function-url.json"), nil, direct, Outcome{Shape: ShapeFunctionURL, Status: 200}, nil},
		"alb":               {readFixture(t, "alb.json"), nil, direct, Outcome{Shape: ShapeALB, Status: 200}, nil},
		"direct":            {readFixture(t, "direct.json"), nil, direct, Outcome{Shape: ShapeDirect}, nil},
		"invalid event":     {editFixture(t, "apigw-http.json", set("body", 5)), nil, direct, Outcome{Shape: ShapeAPIGatewayHTTP, Status: 400, Rejected: true}, nil},
		"bad base64":        {editFixture(t, "alb.json", body("!", true)), nil, direct, Outcome{Shape: ShapeALB, Status: 400, Rejected: true}, nil},
		"body too large":    {editFixture(t, "function-url.json", body(strings.Repeat("x", MaxBodyBytes+1), false)), nil, direct, Outcome{Shape: ShapeFunctionURL, Status: 413, Rejected: true}, nil},
		"handler 404":       {editFixture(t, "apigw-rest.json", set("resource", "/other")), http.NotFoundHandler(), direct, Outcome{Shape: ShapeAPIGatewayREST, Status: 404}, nil},
		"http panic":        {readFixture(t, "apigw-rest.json"), panics, direct, Outcome{Shape: ShapeAPIGatewayREST, Status: 500, Panic: "boom"}, nil},
		"direct panic":      {[]byte(`{}`), nil, directPanics, Outcome{Shape: ShapeDirect, Panic: "direct boom"}, errInternal},
		"direct not object": {[]byte(`[]`), nil, direct, Outcome{Shape: ShapeDirect}, nil},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			h := tt.h
			if h == nil {
				h = echoHandler()
			}
			out, got, err := Wrap(h, tt.direct).Serve(t.Context(), tt.payload)
			if got != tt.want || !reflect.DeepEqual(err, tt.wantErr) {
				t.Errorf("Serve() = %+v, %v; want %+v, %v", got, err, tt.want, tt.wantErr)
			}
			if tt.want.Status == 0 {
				return
			}
			shape, multiValue := detect(tt.payload)
			if w, err := parseWire(shape, out, multiValue); err != nil || w.StatusCode != tt.want.Status {
				t.Errorf("answer %.200s (%v); want status %d", out, err, tt.want.Status)
			}
		})
	}
	t.Run("direct panic error type", func(t *testing.T) {
		_, err := Wrap(nil, directPanics).Invoke(t.Context(), []byte(`{}`))
		var e messages.InvokeResponse_Error
		if !errors.As(err, &e) || e.Type != "Internal" || e.Message != "internal error" {
			t.Errorf("Invoke() err = %#v; want InvokeResponse_Error Internal, internal error", err)
		}
	})
}
