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

// answerGetter is the one method the endpoint needs in single-account
// mode: a ready-to-send industry answer (*industry.Cache in front of the
// WeChat client).
type answerGetter interface {
	Get(ctx context.Context) (*industry.Answer, error)
}

// accountAnswerGetter is its multi-account counterpart: the answer of one
// account (*accounts.Registry).
type accountAnswerGetter interface {
	Get(ctx context.Context, appid string) (*industry.Answer, error)
}

// endpoint answers industry requests from HTTP events and direct invokes
// alike. Exactly one of answers (single-account mode) and accounts
// (multi-account mode) is set.
type endpoint struct {
	answers  answerGetter
	accounts accountAnswerGetter
	now      func() time.Time
}

// answer returns the industry answer of the account appid (multi-account
// mode; "" in single-account mode), or the failure as the caller should
// see it. The outcome and any cause are recorded on the invocation for the log.
func (e *endpoint) answer(ctx context.Context, appid string) (*industry.Answer, *apiError) {
	inv := invocationFrom(ctx)
	var ans *industry.Answer
	var err error
	if e.accounts != nil {
		ans, err = e.accounts.Get(ctx, appid)
	} else {
		ans, err = e.answers.Get(ctx)
	}
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

// ServeHTTP routes GET and HEAD /industry (multi-account mode:
// /accounts/{appid}/industry, see route); other methods get 405, other
// paths 404, every failure the JSON error body of the README ("Event sources
// and answers"). Successes carry
// a strong ETag and answer If-None-Match with 304.
func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inv := invocationFrom(ctx)
	inv.method, inv.path = r.Method, r.URL.Path
	appid, ae := e.route(r)
	if ae != nil {
		if ae.Status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", "GET, HEAD")
		}
		e.writeError(w, r, ae)
		return
	}
	inv.appid = appid
	ans, ae := e.answer(ctx, appid)
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
	AppID         string `json:"appid,omitempty"` // multi-account mode: the account asked for, once its appid is well-formed
}

func (e *endpoint) writeError(w http.ResponseWriter, r *http.Request, ae *apiError) {
	inv := invocationFrom(r.Context())
	inv.status, inv.err = ae.Status, ae
	detail := errorDetail{Code: ae.Code, Message: ae.Message, WeChatErrcode: ae.WeChatCode, WeChatRID: ae.RID, AppID: inv.appid}
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
