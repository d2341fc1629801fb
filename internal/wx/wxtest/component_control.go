package wxtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/wxindustry/getindustry/internal/wxcrypt"
)

// componentControl serves the /_sim/component control API described in the
// package documentation, for a simulator running in another process.
func (s *Simulator) componentControl(w http.ResponseWriter, r *http.Request) {
	method := http.MethodPost
	if r.URL.Path == "/_sim/component/stats" {
		method = http.MethodGet
	}
	if r.Method != method {
		w.Header().Set("Allow", method)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var (
		out any
		err error
	)
	switch strings.TrimPrefix(r.URL.Path, "/_sim/component") {
	case "":
		var c struct {
			AppID          string `json:"appid"`
			AppSecret      string `json:"appsecret"`
			Token          string `json:"token"`
			EncodingAESKey string `json:"encoding_aes_key"`
		}
		if err = decodeControl(r, &c); err == nil {
			err = s.SetComponent(Component{AppID: c.AppID, AppSecret: c.AppSecret, Token: c.Token, EncodingAESKey: c.EncodingAESKey})
		}
	case "/stats":
		out = s.componentStats()
	case "/authorize":
		var in struct {
			Funcs []int `json:"funcs"`
		}
		if err = decodeControl(r, &in); err == nil {
			var appID, code string
			appID, code, err = s.AuthorizeAccount(in.Funcs...)
			out = map[string]string{"appid": appID, "auth_code": code}
		}
	case "/reauthorize", "/revoke", "/rotate_refresh_token":
		out, err = s.accountControl(r)
	case "/ip_allowed":
		var in struct {
			Allowed bool `json:"allowed"`
		}
		if err = decodeControl(r, &in); err == nil {
			s.SetComponentIPAllowed(in.Allowed)
		}
	case "/script":
		var in struct {
			Op     string  `json:"op"`
			Faults []Fault `json:"faults"`
		}
		if err = decodeControl(r, &in); err == nil {
			s.ScriptComponent(in.Op, in.Faults...)
		}
	case "/push":
		out, err = s.pushControl(r)
	case "/auth_page", "/send_held_pushes":
		out, err = s.authPageControl(r)
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if out == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// accountControl serves /reauthorize (answers the new auth_code), /revoke
// and /rotate_refresh_token, each with {"appid":"..."}.
func (s *Simulator) accountControl(r *http.Request) (any, error) {
	var in struct {
		AppID string `json:"appid"`
	}
	if err := decodeControl(r, &in); err != nil {
		return nil, err
	}
	switch {
	case strings.HasSuffix(r.URL.Path, "/reauthorize"):
		code, err := s.Reauthorize(in.AppID)
		return map[string]string{"appid": in.AppID, "auth_code": code}, err
	case strings.HasSuffix(r.URL.Path, "/revoke") && !s.Revoke(in.AppID),
		strings.HasSuffix(r.URL.Path, "/rotate_refresh_token") && !s.RotateRefreshToken(in.AppID):
		return nil, fmt.Errorf("wxtest: %s: no such authorized account %q", r.URL.Path, in.AppID)
	}
	return nil, nil
}

// pushControl serves /push: {"url":"...","info_type":"...","appid":"...",
// "auth_code":"..."}; a component_verify_ticket push issues a new ticket.
// It answers the receiver's {"status":N,"body":"..."}.
func (s *Simulator) pushControl(r *http.Request) (any, error) {
	var in struct {
		URL      string `json:"url"`
		InfoType string `json:"info_type"`
		AppID    string `json:"appid"`
		AuthCode string `json:"auth_code"`
	}
	if err := decodeControl(r, &in); err != nil {
		return nil, err
	}
	var (
		res PushResult
		err error
	)
	switch in.InfoType {
	case wxcrypt.InfoTicket:
		_, res, err = s.PushTicket(r.Context(), in.URL)
	case wxcrypt.InfoAuthorized, wxcrypt.InfoUpdateAuthorized:
		res, err = s.PushAuthorized(r.Context(), in.URL, in.AppID, in.AuthCode, in.InfoType == wxcrypt.InfoUpdateAuthorized)
	case wxcrypt.InfoUnauthorized:
		res, err = s.PushUnauthorized(r.Context(), in.URL, in.AppID)
	default:
		return nil, fmt.Errorf("wxtest: push: info_type %q: want component_verify_ticket, authorized, updateauthorized or unauthorized", in.InfoType)
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"status": res.Status, "body": res.Body}, nil
}

// componentStats is {"calls":{"api_query_auth":N,...},"accounts":N,"authorized":M}.
func (s *Simulator) componentStats() any {
	s.mu.Lock()
	defer s.mu.Unlock()
	calls := make(map[string]int, len(s.cs.calls))
	for op, n := range s.cs.calls {
		calls[op] = n
	}
	authorized := 0
	for _, a := range s.cs.order {
		if a.authorized {
			authorized++
		}
	}
	return map[string]any{"calls": calls, "accounts": len(s.cs.order), "authorized": authorized}
}
