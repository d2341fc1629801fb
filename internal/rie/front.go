package rie

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// FunctionURLFront serves plain HTTP as a Lambda Function URL does: each
// request becomes a payload 2.0 event (the Host header as the client sent
// it, the cookies apart, requestContext.domainName = domain, or the Host
// when domain is "") for invoke, and its answer goes back as HTTP, the
// cookies as Set-Cookie. An invoke that fails, or whose answer is not a
// Function URL response, is answered 502. Local runs and tests put it in
// front of a function under the emulator or of a lambda.Handler.
func FunctionURLFront(domain string, invoke func(ctx context.Context, payload []byte) ([]byte, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		headers := map[string]string{"host": r.Host}
		for k, v := range r.Header {
			headers[strings.ToLower(k)] = strings.Join(v, ",")
		}
		var cookies []string
		if c, ok := headers["cookie"]; ok {
			cookies = strings.Split(c, "; ")
			delete(headers, "cookie")
		}
		dn := domain
		if dn == "" {
			dn = r.Host
		}
		ev := events.LambdaFunctionURLRequest{Version: "2.0", RawPath: r.URL.Path, RawQueryString: r.URL.RawQuery,
			Headers: headers, Cookies: cookies, Body: base64.StdEncoding.EncodeToString(body), IsBase64Encoded: true,
			RequestContext: events.LambdaFunctionURLRequestContext{DomainName: dn, RequestID: "front",
				HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: r.Method, Path: r.URL.Path,
					Protocol: "HTTP/1.1", SourceIP: "203.0.113.10", UserAgent: r.UserAgent()}}}
		payload, _ := json.Marshal(ev)
		ctx := lambdacontext.NewContext(r.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req-front"})
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		out, err := invoke(ctx, payload)
		var resp events.LambdaFunctionURLResponse
		if err != nil || json.Unmarshal(out, &resp) != nil || resp.StatusCode == 0 {
			http.Error(w, "front: invoke failed", http.StatusBadGateway)
			return
		}
		for k, v := range resp.Headers {
			w.Header().Set(k, v)
		}
		for _, c := range resp.Cookies {
			w.Header().Add("Set-Cookie", c)
		}
		w.WriteHeader(resp.StatusCode)
		b := []byte(resp.Body)
		if resp.IsBase64Encoded {
			b, _ = base64.StdEncoding.DecodeString(resp.Body)
		}
		_, _ = w.Write(b)
	})
}
