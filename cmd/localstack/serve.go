package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/wxindustry/getindustry/internal/rie"
)

// serveHTTP turns each plain HTTP request on addr into an HTTP API (payload
// 2.0) event, invokes a function under the emulator and writes its answer
// back, the way `sam local start-api` does, until ctx is done. Two
// functions serve, routed by path as two deployments would be: single
// mode takes every path but /accounts/..., which multi mode takes.
func serveHTTP(ctx context.Context, addr string, single, multi func() (*rie.Emulator, error), platform http.Handler, appIDs []string, stdout io.Writer) error {
	one, err := single()
	if err != nil {
		return err
	}
	defer one.Close()
	many, err := multi()
	if err != nil {
		return err
	}
	defer many.Close()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: route(&proxy{emu: one}, &proxy{emu: many}, platform), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	base := "http://" + l.Addr().String()
	fmt.Fprintf(stdout, "serving on %s (Ctrl-C stops). Try:\n", base)
	fmt.Fprintf(stdout, "  curl -i %s/industry                              # single-account mode\n", base)
	for _, id := range appIDs {
		fmt.Fprintf(stdout, "  curl -i %s/accounts/%s/industry   # multi-account mode, a seeded account\n", base, id)
	}
	fmt.Fprintf(stdout, "  curl -i %s/accounts/%s/industry   # multi-account mode, no such account: 404\n", base, unknownAppID)
	fmt.Fprintf(stdout, "Third-party platform: open %s/component/authorize in your browser and click through\n", base)
	fmt.Fprintln(stdout, "  (the simulated WeChat page; the account it authorizes then answers at /accounts/{appid}/industry)")
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// route sends /accounts/... to multi and every other path to single, as
// two deployments behind one API would be routed.
func route(single, multi, platform http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/accounts/") {
			multi.ServeHTTP(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/component/") {
			platform.ServeHTTP(w, r)
			return
		}
		single.ServeHTTP(w, r)
	})
}

// proxy converts HTTP requests to HTTP API events. The emulator serves one
// invoke at a time, so requests are serialised.
type proxy struct {
	emu *rie.Emulator
	mu  sync.Mutex
	n   int
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 6<<20))
	if err != nil {
		http.Error(w, "read request: "+err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	payload, err := json.Marshal(httpAPIEvent(r, body, fmt.Sprintf("local-%d", p.n)))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	status, out, err := p.emu.Invoke(r.Context(), payload)
	if err != nil || status != http.StatusOK {
		http.Error(w, fmt.Sprintf("emulator: HTTP %d %v: %s", status, err, out), http.StatusBadGateway)
		return
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode == 0 {
		http.Error(w, "function answered with no HTTP response: "+string(out), http.StatusBadGateway)
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		w.Header()[http.CanonicalHeaderKey(k)] = vs
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	w.WriteHeader(resp.StatusCode)
	data := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if data, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			return
		}
	}
	w.Write(data)
}

// httpAPIEvent builds the payload API Gateway's HTTP API sends for r.
func httpAPIEvent(r *http.Request, body []byte, requestID string) events.APIGatewayV2HTTPRequest {
	headers := map[string]string{}
	for k, vs := range r.Header {
		headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	now := time.Now()
	return events.APIGatewayV2HTTPRequest{
		Version:         "2.0",
		RouteKey:        "$default",
		RawPath:         r.URL.Path,
		RawQueryString:  r.URL.RawQuery,
		Headers:         headers,
		Body:            base64.StdEncoding.EncodeToString(body),
		IsBase64Encoded: true,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			AccountID:  "123456789012",
			APIID:      "local",
			DomainName: r.Host,
			Stage:      "$default",
			RequestID:  requestID,
			RouteKey:   "$default",
			Time:       now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:  now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  host,
				UserAgent: r.UserAgent(),
			},
		},
	}
}
