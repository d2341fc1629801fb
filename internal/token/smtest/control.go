package smtest

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"time"
)

// controlFault is a Fault as the control API reads it; Delay is a Go
// duration string such as "1500ms".
type controlFault struct {
	Type   string `json:"type"`
	Status int    `json:"status"`
	Delay  string `json:"delay"`
	Op     string `json:"op"`
}

// serveControl answers the /_fake/ control API described in the package doc.
func (f *Fake) serveControl(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_fake/stats" {
		if r.Method != http.MethodGet {
			controlError(w, http.StatusMethodNotAllowed, "use GET")
			return
		}
		f.mu.Lock()
		stats := map[string]map[string]int{"calls": maps.Clone(f.calls), "puts": maps.Clone(f.puts)}
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(stats)
		return
	}
	if r.Method != http.MethodPost {
		controlError(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	var in struct {
		ID     string         `json:"id"`
		Value  *string        `json:"value"`
		Faults []controlFault `json:"faults"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, maxBody)).Decode(&in); err != nil || in.ID == "" {
		controlError(w, http.StatusBadRequest, `body must be a JSON object with a non-empty "id"`)
		return
	}
	switch r.URL.Path {
	case "/_fake/secret":
		if in.Value == nil {
			controlError(w, http.StatusBadRequest, `"value" is required`)
			return
		}
		f.SetSecret(in.ID, *in.Value)
	case "/_fake/delete":
		f.DeleteSecret(in.ID)
	case "/_fake/fail":
		faults := make([]Fault, 0, len(in.Faults))
		for _, cf := range in.Faults {
			ft := Fault{Type: cf.Type, Status: cf.Status, Op: cf.Op}
			if cf.Delay != "" {
				d, err := time.ParseDuration(cf.Delay)
				if err != nil || d < 0 {
					controlError(w, http.StatusBadRequest, `"delay" must be a duration such as "2s"`)
					return
				}
				ft.Delay = d
			}
			faults = append(faults, ft)
		}
		f.Fail(in.ID, faults...)
	default:
		controlError(w, http.StatusNotFound, "unknown control path")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func controlError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": "smtest: " + msg})
}
