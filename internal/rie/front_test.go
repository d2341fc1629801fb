package rie

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestFunctionURLFront(t *testing.T) {
	tests := []struct {
		name       string
		domain     string
		err        error
		wantStatus int
		wantDomain string // "" : the front's own host
	}{
		{name: "fixed domain", domain: "abc.lambda-url.us-east-1.on.aws", wantStatus: 201, wantDomain: "abc.lambda-url.us-east-1.on.aws"},
		{name: "host as domain", wantStatus: 201},
		{name: "invoke fails", err: errors.New("boom"), wantStatus: http.StatusBadGateway},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got events.LambdaFunctionURLRequest
			invoke := func(_ context.Context, payload []byte) ([]byte, error) {
				if err := json.Unmarshal(payload, &got); err != nil {
					t.Fatalf("payload: %v", err)
				}
				return json.Marshal(events.LambdaFunctionURLResponse{StatusCode: 201, Body: "ok",
					Headers: map[string]string{"X-A": "1"}, Cookies: []string{"c=1; HttpOnly"}})
			}
			if tt.err != nil {
				invoke = func(context.Context, []byte) ([]byte, error) { return nil, tt.err }
			}
			srv := httptest.NewServer(FunctionURLFront(tt.domain, invoke))
			defer srv.Close()
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/p?q=1", nil)
			req.Header.Set("Cookie", "a=1; b=2")
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d; want %d", res.StatusCode, tt.wantStatus)
			}
			if tt.err != nil {
				return
			}
			want := tt.wantDomain
			if want == "" {
				want = req.URL.Host
			}
			if got.RequestContext.DomainName != want || got.RawPath != "/p" || got.RawQueryString != "q=1" ||
				len(got.Cookies) != 2 || got.Headers["cookie"] != "" || got.RequestContext.HTTP.Method != http.MethodGet {
				t.Errorf("event = %+v; want domain %q, path /p, query q=1, two cookies apart from the headers", got, want)
			}
			if string(body) != "ok" || res.Header.Get("X-A") != "1" || res.Header.Get("Set-Cookie") != "c=1; HttpOnly" {
				t.Errorf("answer = %q, headers %v; want ok, X-A and the cookie", body, res.Header)
			}
		})
	}
}
