package wxtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/wxindustry/getindustry/internal/wx"
)

// maxControlBody limits a control API request body.
const maxControlBody = 1 << 20

// control serves the /_sim/ API described in the package documentation.
func (s *Simulator) control(w http.ResponseWriter, r *http.Request) {
	method := http.MethodPost
	if r.URL.Path == "/_sim/stats" {
		method = http.MethodGet
	}
	if r.Method != method {
		w.Header().Set("Allow", method)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var err error
	switch r.URL.Path {
	case "/_sim/stats":
		s.writeStats(w)
		return
	case "/_sim/script":
		var faults []Fault
		if err = decodeControl(r, &faults); err == nil {
			s.Script(faults...)
		}
	case "/_sim/tokens":
		var tokens []string
		if err = decodeControl(r, &tokens); err == nil {
			s.SetTokens(tokens...)
		}
	case "/_sim/industry":
		var ind wx.Industry
		if err = decodeControl(r, &ind); err == nil {
			s.SetIndustry(ind)
		}
	case "/_sim/reset":
		s.Reset()
	case "/_sim/app":
		var a struct {
			AppID     string `json:"appid"`
			AppSecret string `json:"appsecret"`
		}
		if err = decodeControl(r, &a); err == nil {
			s.SetApp(a.AppID, a.AppSecret)
		}
	case "/_sim/advance":
		var a struct {
			By string `json:"by"`
		}
		if err = decodeControl(r, &a); err == nil {
			err = s.advanceBy(a.By)
		}
	case "/_sim/stable_token/script":
		var faults []Fault
		if err = decodeControl(r, &faults); err == nil {
			s.ScriptStableToken(faults...)
		}
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// writeStats answers {"calls":N,"scripted":M,"stable_token_calls":K}.
func (s *Simulator) writeStats(w http.ResponseWriter) {
	s.mu.Lock()
	stats := struct {
		Calls            int `json:"calls"`
		Scripted         int `json:"scripted"`
		StableTokenCalls int `json:"stable_token_calls"`
	}{s.calls, len(s.script), s.st.calls}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(stats)
}

// decodeControl decodes one JSON value from a control request into v,
// rejecting unknown fields and trailing data.
func decodeControl(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxControlBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("wxtest: %s: %w", r.URL.Path, err)
	}
	if dec.More() {
		return fmt.Errorf("wxtest: %s: trailing data after JSON value", r.URL.Path)
	}
	return nil
}
