package wxtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Fault is one scripted get_industry reply. Fields combine: Delay first, then
// Reset, else the reply, stalled by BodyDelay. The reply's status is Status,
// or 200 when Status is 0; its body is, in order of precedence: Body when not
// empty; {"errcode":Errcode,"errmsg":"<WeChat's text> rid: <random>"} when
// Errcode is not 0; an nginx-style HTML page when Status >= 400; nothing when
// Status is 200; otherwise the normal reply. So Fault{Status: 200} is an empty
// 200 reply and Fault{Delay: d} is the normal reply, late.
type Fault struct {
	Errcode   int           // reply {"errcode":N,"errmsg":"... rid: ..."}
	Status    int           // HTTP status when not 0
	Body      string        // raw body sent verbatim when not empty
	Delay     time.Duration // wait before writing headers (slow headers)
	BodyDelay time.Duration // write headers and half the body, then stall this long (slow body)
	Reset     bool          // close the connection without answering (reset, EOF)
}

// faultJSON is the control API's form of Fault.
type faultJSON struct {
	Errcode   int    `json:"errcode,omitempty"`
	Status    int    `json:"status,omitempty"`
	Body      string `json:"body,omitempty"`
	Delay     string `json:"delay,omitempty"`
	BodyDelay string `json:"body_delay,omitempty"`
	Reset     bool   `json:"reset,omitempty"`
}

// MarshalJSON encodes f with durations as Go duration strings.
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{Errcode: f.Errcode, Status: f.Status, Body: f.Body, Reset: f.Reset}
	if f.Delay != 0 {
		j.Delay = f.Delay.String()
	}
	if f.BodyDelay != 0 {
		j.BodyDelay = f.BodyDelay.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes the control API's form: fields errcode, status,
// body, delay, body_delay and reset, durations as Go duration strings
// ("250ms"). Unknown fields are an error.
func (f *Fault) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var j faultJSON
	if err := dec.Decode(&j); err != nil {
		return fmt.Errorf("wxtest: fault: %w", err)
	}
	delay, err := parseDuration("delay", j.Delay)
	if err != nil {
		return err
	}
	bodyDelay, err := parseDuration("body_delay", j.BodyDelay)
	if err != nil {
		return err
	}
	*f = Fault{Errcode: j.Errcode, Status: j.Status, Body: j.Body, Delay: delay, BodyDelay: bodyDelay, Reset: j.Reset}
	return nil
}

func parseDuration(field, v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("wxtest: fault: %s %q: %w", field, v, err)
	}
	if d < 0 {
		return 0, fmt.Errorf("wxtest: fault: %s %q: must not be negative", field, v)
	}
	return d, nil
}

// reply is a complete HTTP answer.
type reply struct {
	status      int
	contentType string
	body        []byte
}

// reply builds the answer f stands for, normal being the unscripted one.
func (f Fault) reply(r *http.Request, normal reply) reply {
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	switch {
	case f.Body != "":
		ct := "text/html"
		if status == http.StatusOK || bytes.HasPrefix(bytes.TrimSpace([]byte(f.Body)), []byte("{")) {
			ct = ContentTypeJSON
		}
		return reply{status: status, contentType: ct, body: []byte(f.Body)}
	case f.Errcode != 0:
		rep := errcodeReply(r, f.Errcode)
		rep.status = status
		return rep
	case status >= 400:
		return htmlReply(status)
	case f.Status == http.StatusOK:
		return reply{status: status, contentType: ContentTypeJSON}
	case f.Status != 0:
		normal.status = status
	}
	return normal
}

// writeReply writes rep as f's timing asks: after f.Delay, not at all when
// f.Reset, and with the body stalled halfway for f.BodyDelay. Waits end early
// when the client goes away.
func writeReply(w http.ResponseWriter, r *http.Request, rep reply, f Fault) {
	ctx := r.Context()
	if f.Delay > 0 && !sleep(ctx, f.Delay) {
		return
	}
	if f.Reset {
		resetConn(w)
		return
	}
	h := w.Header()
	h.Set("Content-Type", rep.contentType)
	h.Set("Content-Length", strconv.Itoa(len(rep.body)))
	w.WriteHeader(rep.status)
	if r.Method == http.MethodHead {
		return
	}
	if f.BodyDelay > 0 {
		half := len(rep.body) / 2
		_, _ = w.Write(rep.body[:half])
		_ = http.NewResponseController(w).Flush()
		if !sleep(ctx, f.BodyDelay) {
			return
		}
		rep.body = rep.body[half:]
	}
	_, _ = w.Write(rep.body)
}

// resetConn hijacks the connection and closes it with an RST where the
// platform allows, so the client sees a reset or EOF instead of a reply.
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2): net/http's documented way to abort a
		// reply; the server resets the stream and logs nothing.
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// sleep waits for d and reports whether it did, or returns false as soon as
// ctx is done.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
