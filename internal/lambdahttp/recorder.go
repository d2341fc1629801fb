package lambdahttp

import (
	"bytes"
	"mime"
	"net/http"
	"strings"
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
// have one, and sniffs a missing Content-Type. It is used by one goroutine at a time, and
// reused through a sync.Pool once its answer has been encoded.
type recorder struct {
	header http.Header // what the handler edits
	sent   http.Header // snapshot taken when the status was written
	values []string    // backing array of sent's values
	status int
	body   bytes.Buffer
	out    []byte   // the encoded response, before it is copied out
	names  []string // scratch for sorted header names
}

// maxPooled is the largest buffer a recorder keeps when it goes back to the pool, so that
// one large answer does not pin its memory for the life of the instance.
const maxPooled = 64 << 10

// newRecorder returns an empty recorder.
func newRecorder() *recorder {
	return &recorder{header: make(http.Header), sent: make(http.Header)}
}

// reset empties r for reuse, dropping buffers that grew beyond maxPooled.
func (r *recorder) reset() {
	clear(r.header)
	clear(r.sent)
	clear(r.values)
	r.values = r.values[:0]
	r.status = 0
	if r.body.Cap() > maxPooled {
		r.body = bytes.Buffer{}
	}
	r.body.Reset()
	if cap(r.out) > maxPooled {
		r.out = nil
	}
	r.out = r.out[:0]
	clear(r.names)
	r.names = r.names[:0]
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
	// Like http.Header.Clone, but into the recorder's own map and array.
	for k, vs := range r.header {
		n := len(r.values)
		r.values = append(r.values, vs...)
		r.sent[k] = r.values[n:len(r.values):len(r.values)]
	}
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
func (r *recorder) result() result {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	h := r.sent
	if _, ok := h["Content-Type"]; !ok && r.body.Len() > 0 {
		h.Set("Content-Type", http.DetectContentType(r.body.Bytes()))
	}
	return result{status: r.status, header: h, body: r.body.Bytes()}
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

// isText reports whether a Content-Type names a textual media type.
func isText(contentType string) bool {
	switch contentType { // the common ones, without parsing
	case "application/json", "application/json; charset=utf-8", "text/plain; charset=utf-8":
		return true
	}
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
