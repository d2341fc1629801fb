package lambdahttp

import (
	"bytes"
	"encoding/base64"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"
)

// result is a finished HTTP answer, from the handler or from the adapter itself.
type result struct {
	status int
	header http.Header
	body   []byte
}

// recorder is the in-memory http.ResponseWriter handed to the wrapped handler. Like a
// net/http server it fixes the header at the first WriteHeader or Write, ignores later
// WriteHeader calls and informational (1xx) codes, refuses a body for statuses that cannot
// have one, and sniffs a missing Content-Type. It is used by one goroutine at a time.
type recorder struct {
	header http.Header // what the handler edits
	sent   http.Header // snapshot taken when the status was written
	status int
	body   bytes.Buffer
}

// newRecorder returns an empty recorder.
func newRecorder() *recorder {
	return &recorder{header: make(http.Header)}
}

// Header implements http.ResponseWriter.
func (r *recorder) Header() http.Header { return r.header }

// WriteHeader implements http.ResponseWriter. A code outside 100-999, for which net/http
// would panic, is recorded as 500.
func (r *recorder) WriteHeader(code int) {
	if r.status != 0 {
		return
	}
	if code < 100 || code > 999 {
		code = http.StatusInternalServerError
	}
	if code < 200 && code != http.StatusSwitchingProtocols {
		return // informational: the final status is still to come
	}
	r.status = code
	r.sent = r.header.Clone()
}

// Write implements http.ResponseWriter.
func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(r.status) {
		return 0, http.ErrBodyNotAllowed
	}
	return r.body.Write(p)
}

// result finishes the answer: status 200 if none was written, Content-Type sniffed from the
// body when the handler set none (as net/http does).
func (r *recorder) result() *result {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	h := r.sent
	if _, ok := h["Content-Type"]; !ok && r.body.Len() > 0 {
		h.Set("Content-Type", http.DetectContentType(r.body.Bytes()))
	}
	return &result{status: r.status, header: h, body: r.body.Bytes()}
}

// bodyAllowed reports whether a response with the status may carry a body (RFC 9110).
func bodyAllowed(status int) bool {
	switch {
	case status >= 100 && status <= 199:
		return false
	case status == http.StatusNoContent, status == http.StatusNotModified:
		return false
	}
	return true
}

// encodeBody returns the body as the string an event response carries: the text itself for
// valid UTF-8 text (text/*, JSON, XML, JavaScript, form data), else base64 with isBase64 true.
func encodeBody(h http.Header, body []byte) (s string, isBase64 bool) {
	if len(body) == 0 {
		return "", false
	}
	if isText(h.Get("Content-Type")) && utf8.Valid(body) {
		return string(body), false
	}
	return base64.StdEncoding.EncodeToString(body), true
}

// isText reports whether a Content-Type names a textual media type.
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"):
		return true
	case strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript", "application/x-www-form-urlencoded":
		return true
	}
	return false
}

// joinedHeaders flattens h into one value per name, joining repeated values with ","
// (RFC 9110 section 5.3). Set-Cookie, which cannot be joined, is left out.
func joinedHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		if len(vs) == 0 || k == "Set-Cookie" {
			continue
		}
		out[k] = strings.Join(vs, ",")
	}
	return out
}

// multiHeaders copies h into a multi-value map, leaving out names with no values.
func multiHeaders(h http.Header) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		if len(vs) > 0 {
			out[k] = append([]string(nil), vs...)
		}
	}
	return out
}
