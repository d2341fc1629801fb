package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/wxindustry/getindustry/internal/wx"
)

// industryPath is the one HTTP resource the function serves.
const industryPath = "/industry"

// industryGetter is the one method the endpoint needs from the WeChat side
// (*wx.Client, or a cache in front of it).
type industryGetter interface {
	GetIndustry(ctx context.Context) (*wx.Industry, error)
}

// endpoint answers industry requests from HTTP events and direct invokes alike.
type endpoint struct {
	industries industryGetter
	now        func() time.Time
}

// industry returns the industry as WeChat shapes it, or the failure as the
// caller should see it. The cause is recorded on the invocation for the log.
func (e *endpoint) industry(ctx context.Context) ([]byte, *apiError) {
	ind, err := e.industries.GetIndustry(ctx)
	if err == nil {
		body, merr := json.Marshal(ind)
		if merr == nil {
			return body, nil
		}
		err = merr
	}
	ae := classify(err, e.now())
	inv := invocationFrom(ctx)
	inv.err, inv.cause = ae, err
	return nil, ae
}

// ServeHTTP routes GET and HEAD /industry; other methods get 405, other
// paths 404, every failure the JSON error body of DESIGN.md.
func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inv := invocationFrom(ctx)
	inv.method, inv.path = r.Method, r.URL.Path
	switch {
	case r.URL.Path != industryPath:
		e.writeError(w, r, errInvalidRequest(http.StatusNotFound, "no such path: only GET /industry is served"))
		return
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		w.Header().Set("Allow", "GET, HEAD")
		e.writeError(w, r, errInvalidRequest(http.StatusMethodNotAllowed, "method not allowed: use GET or HEAD"))
		return
	}
	body, ae := e.industry(ctx)
	if ae != nil {
		e.writeError(w, r, ae)
		return
	}
	inv.status = http.StatusOK
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// errorBody is the JSON error shape of DESIGN.md.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code          string `json:"code"`
	Message       string `json:"message"`
	WeChatErrcode int    `json:"wechat_errcode,omitempty"`
	WeChatRID     string `json:"wechat_rid,omitempty"`
	RequestID     string `json:"request_id,omitempty"`
}

func (e *endpoint) writeError(w http.ResponseWriter, r *http.Request, ae *apiError) {
	inv := invocationFrom(r.Context())
	inv.status, inv.err = ae.Status, ae
	detail := errorDetail{Code: ae.Code, Message: ae.Message, WeChatErrcode: ae.WeChatCode, WeChatRID: ae.RID}
	if lc, ok := lambdacontext.FromContext(r.Context()); ok {
		detail.RequestID = lc.AwsRequestID
	}
	body, _ := json.Marshal(errorBody{Error: detail}) // plain strings and ints: cannot fail
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if ae.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(ae.RetryAfter))
	}
	w.WriteHeader(ae.Status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}
