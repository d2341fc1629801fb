package accountstest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"
)

// ReadCounter is a reverse proxy in front of DynamoDB (dynalite) that
// notes, per appid, when each GetItem was made: the reads the function
// makes are counted at the fake, not inside the function. It is safe for
// concurrent use.
type ReadCounter struct {
	proxy *httputil.ReverseProxy
	mu    sync.Mutex
	reads map[string][]time.Time
}

// NewReadCounter returns a ReadCounter forwarding to target (dynalite's URL).
func NewReadCounter(target string) (*ReadCounter, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	return &ReadCounter{proxy: httputil.NewSingleHostReverseProxy(u), reads: map[string][]time.Time{}}, nil
}

// ServeHTTP notes a GetItem's appid and forwards the request unchanged.
func (rc *ReadCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Amz-Target") == "DynamoDB_20120810.GetItem" {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		var in struct {
			Key struct {
				AppID struct{ S string } `json:"appid"`
			}
		}
		_ = json.Unmarshal(body, &in)
		rc.mu.Lock()
		rc.reads[in.Key.AppID.S] = append(rc.reads[in.Key.AppID.S], time.Now())
		rc.mu.Unlock()
	}
	rc.proxy.ServeHTTP(w, r)
}

// Reads returns how many GetItem requests asked for appid.
func (rc *ReadCounter) Reads(appID string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.reads[appID])
}

// Total returns how many GetItem requests were made, and for how many
// appids.
func (rc *ReadCounter) Total() (reads, appIDs int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, ts := range rc.reads {
		reads += len(ts)
	}
	return reads, len(rc.reads)
}

// MaxPerWindow returns the most GetItem requests made for one appid within
// any span of window, and that appid.
func (rc *ReadCounter) MaxPerWindow(window time.Duration) (most int, appID string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for id, ts := range rc.reads {
		if n := MaxInWindow(ts, window); n > most {
			most, appID = n, id
		}
	}
	return most, appID
}

// Reset forgets every read noted so far.
func (rc *ReadCounter) Reset() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	clear(rc.reads)
}

// MaxInWindow returns the most of the ascending times ts that lie within
// any span shorter than window.
func MaxInWindow(ts []time.Time, window time.Duration) int {
	most, lo := 0, 0
	for hi := range ts {
		for ts[hi].Sub(ts[lo]) >= window {
			lo++
		}
		most = max(most, hi-lo+1)
	}
	return most
}
