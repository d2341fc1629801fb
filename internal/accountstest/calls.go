package accountstest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// Call is one get_industry request the simulator answered.
type Call struct {
	Token   string // the access_token it carried; a secret, never print it
	Errcode int    // the errcode answered, 0 for the industry
	At      time.Time
}

// CallLog is an http.Handler in front of the simulator that notes each
// get_industry request (its token, the errcode answered, the time), so
// that calls can be told apart per account, counted at the fake. It is
// safe for concurrent use.
type CallLog struct {
	next  http.Handler
	mu    sync.Mutex
	calls []Call
}

// NewCallLog returns a CallLog serving next (the simulator).
func NewCallLog(next http.Handler) *CallLog { return &CallLog{next: next} }

// ServeHTTP passes the request to the simulator, noting get_industry calls.
func (l *CallLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != wxtest.PathGetIndustry {
		l.next.ServeHTTP(w, r)
		return
	}
	at := time.Now()
	cw := &copyWriter{ResponseWriter: w}
	l.next.ServeHTTP(cw, r)
	var reply struct {
		Errcode int `json:"errcode"`
	}
	_ = json.Unmarshal(cw.body.Bytes(), &reply)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, Call{Token: r.URL.Query().Get("access_token"), Errcode: reply.Errcode, At: at})
}

// Len returns how many get_industry calls were noted.
func (l *CallLog) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.calls)
}

// Since returns the calls noted after the first n.
func (l *CallLog) Since(n int) []Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Call(nil), l.calls[min(n, len(l.calls)):]...)
}

// copyWriter keeps a copy of the first few KB of a reply's body.
type copyWriter struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (c *copyWriter) Write(p []byte) (int, error) {
	if c.body.Len() < 4096 {
		c.body.Write(p[:min(len(p), 4096-c.body.Len())])
	}
	return c.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the server's writer (the
// simulator's faults flush and hijack).
func (c *copyWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
