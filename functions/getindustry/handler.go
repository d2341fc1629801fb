package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/wxindustry/getindustry/internal/industry"
)

// industryPath is the one HTTP resource the function serves.
const industryPath = "/industry"

// answerGetter is the one method the endpoint needs: a ready-to-send
// industry answer (*industry.Cache in front of the WeChat client).
type answerGetter interface {
	Get(ctx context.Context) (*industry.Answer, error)
}

// endpoint answers industry requests from HTTP events and direct invokes alike.
type endpoint struct {
	answers answerGetter
	now     func() time.Time
}

// answer returns the industry answer, or the failure as the caller should
// see it. The outcome and any cause are recorded on the invocation for the log.
func (e *endpoint) answer(ctx context.Context) (*industry.Answer, *apiError) {
	inv := invocationFrom(ctx)
	ans, err := e.answers.Get(ctx)
	if err != nil {
		inv.err, inv.cause = classify(err, e.now()), err
		return nil, inv.err
	}
	inv.cache = ans.Outcome
	if ans.Outcome == industry.OutcomeStale {
		inv.cause = ans.Cause
	}
	return ans, nil
}

// ServeHTTP routes GET and HEAD /industry; other methods get 405, other
// paths 404, every failure the JSON error body of the README ("Event sources
// and answers"). Successes carry
// a strong ETag and answer If-None-Match with 304.
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
	ans, ae := e.answer(ctx)
	if ae != nil {
		e.writeError(w, r, ae)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("ETag", ans.ETag)
	h.Set("Cache-Control", "private, max-age="+strconv.Itoa(ans.MaxAge(e.now())))
	h.Set(cacheHeader, string(ans.Outcome))
	if etagMatches(r.Header.Values("If-None-Match"), ans.ETag) {
		inv.status = http.StatusNotModified
		w.WriteHeader(http.StatusNotModified)
		return
	}
	inv.status = http.StatusOK
	h.Set("Content-Length", strconv.Itoa(len(ans.Body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(ans.Body)
	}
}

// cacheHeader tells the caller how the answer was produced: hit, miss,
// bypass (caching off), or stale (WeChat failed; an older answer was served).
const cacheHeader = "X-Industry-Cache"

// etagMatches applies If-None-Match's weak comparison (RFC 9110, 13.1.2):
// "*" or any tag listed on any of the header's lines equal to etag once W/
// prefixes are ignored.
func etagMatches(lines []string, etag string) bool {
	for _, line := range lines {
		for _, tag := range strings.Split(line, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == strings.TrimPrefix(etag, "W/") {
				return true
			}
		}
	}
	return false
}

// errorBody is the JSON error shape of the README ("Event sources and answers").
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
