package smtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

const (
	contentType = "application/x-amz-json-1.1"
	arnPrefix   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:"
	arnSuffix   = "-AbCdEf"
	maxBody     = 1 << 20

	targetGet = "secretsmanager.GetSecretValue"
	targetPut = "secretsmanager.PutSecretValue"
)

// Fault scripts one failed (or slow) call. The zero Status is chosen by Type:
// 500 for InternalServiceError and InternalFailure, 503 for
// ServiceUnavailable, 400 otherwise. A Fault with neither Type nor Status only
// delays the call, which then answers normally.
type Fault struct {
	Type   string        // AWS error code, e.g. "ResourceNotFoundException", "ThrottlingException"
	Status int           // HTTP status; 0 picks the default for Type
	Delay  time.Duration // wait before answering; the wait ends early if the client goes away
	Op     string        // operation the fault applies to: "" or "GetSecretValue" (default), "PutSecretValue"
}

// secret is one stored secret's current version.
type secret struct {
	value   string
	binary  []byte
	version string
	created time.Time
}

// Fake is an in-memory Secrets Manager. It is an [http.Handler] speaking AWS
// JSON 1.1 and is safe for concurrent use. The zero value is not usable; call
// [NewFake].
type Fake struct {
	mu      sync.Mutex
	secrets map[string]*secret
	faults  map[string][]Fault
	calls   map[string]int
	puts    map[string]int
	reads   map[string]map[string]bool // GetSecretValue invocation ids by secret
	serial  int
}

// NewFake returns an empty Fake.
func NewFake() *Fake {
	return &Fake{
		secrets: make(map[string]*secret),
		faults:  make(map[string][]Fault),
		calls:   make(map[string]int),
		puts:    make(map[string]int),
		reads:   make(map[string]map[string]bool),
	}
}

// NewServer starts an [httptest.Server] serving f. The caller closes it.
func NewServer(f *Fake) *httptest.Server {
	return httptest.NewServer(f)
}

// ARN returns the full ARN the fake reports for the secret named id. The fake
// also answers requests that use this ARN, or any ARN ending in
// ":secret:<id>-XXXXXX", instead of the name.
func (f *Fake) ARN(id string) string { return arnPrefix + id + arnSuffix }

// SetSecret stores value as the current SecretString of the secret named id,
// creating the secret if needed.
func (f *Fake) SetSecret(id, value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.secrets[id] = &secret{value: value, version: f.nextIDLocked(), created: time.Now()}
}

// SetSecretBinary stores value as the current SecretBinary (and no
// SecretString) of the secret named id.
func (f *Fake) SetSecretBinary(id string, value []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.secrets[id] = &secret{binary: append([]byte(nil), value...), version: f.nextIDLocked(), created: time.Now()}
}

// DeleteSecret removes the secret named id; later reads answer
// ResourceNotFoundException.
func (f *Fake) DeleteSecret(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.secrets, id)
}

// Fail makes the next calls for id fail: each fault is used by the next call
// of its operation (GetSecretValue unless Fault.Op says otherwise), in order.
func (f *Fake) Fail(id string, faults ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[id] = append(f.faults[id], faults...)
}

// Calls reports how many GetSecretValue calls were received for id, or for
// all secrets if id is "". Failed calls count too.
func (f *Fake) Calls(id string) int { return f.count(f.calls, id) }

// Reads reports how many GetSecretValue invocations were received for id:
// calls that the SDK client retried (they share one amz-sdk-invocation-id
// header) count once. Failed calls count too.
func (f *Fake) Reads(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reads[id])
}

// Puts reports how many PutSecretValue calls were received for id, or for all
// secrets if id is "".
func (f *Fake) Puts(id string) int { return f.count(f.puts, id) }

func (f *Fake) count(m map[string]int, id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id != "" {
		return m[id]
	}
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}

// ServeHTTP answers the AWS JSON 1.1 operations and the /_fake/ control API.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_fake/") {
		f.serveControl(w, r)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		writeError(w, Fault{Type: "UnknownOperationException", Status: http.StatusBadRequest})
		return
	}
	if r.Header.Get("Authorization") == "" {
		writeError(w, Fault{Type: "MissingAuthenticationTokenException", Status: http.StatusBadRequest})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		writeError(w, Fault{Type: "SerializationException"})
		return
	}
	switch r.Header.Get("X-Amz-Target") {
	case targetGet:
		f.getSecretValue(w, r, body)
	case targetPut:
		f.putSecretValue(w, r, body)
	default:
		writeError(w, Fault{Type: "UnknownOperationException"})
	}
}

// admit checks the secret id of an op's request, counts the request in
// counts and applies any scripted fault. It returns the secret's name, or
// false when it has already answered (a missing id, or a fault).
func (f *Fake) admit(w http.ResponseWriter, r *http.Request, id string, counts map[string]int, op string) (string, bool) {
	if id == "" {
		writeError(w, Fault{Type: "ValidationException"})
		return "", false
	}
	f.mu.Lock()
	name := f.resolveLocked(id)
	counts[name]++
	fault, faulted := f.takeFaultLocked(name, op)
	f.mu.Unlock()
	if faulted && !f.applyFault(w, r, fault) {
		return "", false
	}
	return name, true
}

// getSecretValue answers GetSecretValue for the AWSCURRENT version.
func (f *Fake) getSecretValue(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct{ SecretId string }
	if err := json.Unmarshal(body, &in); err != nil {
		writeError(w, Fault{Type: "SerializationException"})
		return
	}
	f.noteRead(r, in.SecretId)
	name, ok := f.admit(w, r, in.SecretId, f.calls, "GetSecretValue")
	if !ok {
		return
	}
	f.mu.Lock()
	s := f.secrets[name]
	f.mu.Unlock()
	if s == nil {
		writeError(w, Fault{Type: "ResourceNotFoundException"})
		return
	}
	out := map[string]any{
		"ARN":           f.ARN(name),
		"Name":          name,
		"VersionId":     s.version,
		"VersionStages": []string{"AWSCURRENT"},
		"CreatedDate":   float64(s.created.UnixMilli()) / 1000,
	}
	if s.binary != nil {
		out["SecretBinary"] = s.binary // encoding/json writes base64, as AWS does
	} else {
		out["SecretString"] = s.value
	}
	writeJSON(w, http.StatusOK, out)
}

// noteRead records the SDK invocation a GetSecretValue call belongs to.
func (f *Fake) noteRead(r *http.Request, id string) {
	inv := r.Header.Get("Amz-Sdk-Invocation-Id")
	if inv == "" {
		inv = fmt.Sprintf("call-%p", r) // a client without the header: each call counts
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	name := f.resolveLocked(id)
	if f.reads[name] == nil {
		f.reads[name] = make(map[string]bool)
	}
	f.reads[name][inv] = true
}

// applyFault waits out the fault's delay and writes its error, if it has
// one. It reports whether the call should go on to answer normally.
func (f *Fake) applyFault(w http.ResponseWriter, r *http.Request, fault Fault) bool {
	if fault.Delay > 0 {
		t := time.NewTimer(fault.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return false
		}
	}
	if fault.Type == "" && fault.Status == 0 {
		return true
	}
	writeError(w, fault)
	return false
}

// takeFaultLocked removes and returns the first fault scripted for name and op.
func (f *Fake) takeFaultLocked(name, op string) (Fault, bool) {
	q := f.faults[name]
	for i, fault := range q {
		fop := fault.Op
		if fop == "" {
			fop = "GetSecretValue"
		}
		if fop == op {
			f.faults[name] = append(q[:i:i], q[i+1:]...)
			return fault, true
		}
	}
	return Fault{}, false
}

// resolveLocked turns a SecretId (name, full ARN or partial ARN) into a name.
func (f *Fake) resolveLocked(secretID string) string {
	if !strings.HasPrefix(secretID, "arn:") {
		return secretID
	}
	_, rest, ok := strings.Cut(secretID, ":secret:")
	if !ok {
		return secretID
	}
	if _, ok := f.secrets[rest]; ok {
		return rest // partial ARN
	}
	if n := len(rest); n > 7 && rest[n-7] == '-' {
		return rest[:n-7]
	}
	return rest
}

// nextIDLocked returns a fresh UUID-shaped identifier.
func (f *Fake) nextIDLocked() string {
	f.serial++
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", f.serial, f.serial)
}
