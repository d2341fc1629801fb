package wxtest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

func TestFaultJSON(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    wxtest.Fault
		wantErr bool
	}{
		{"all fields", `{"errcode":-1,"status":502,"body":"x","delay":"1.5s","body_delay":"250ms","reset":true}`,
			wxtest.Fault{Errcode: -1, Status: 502, Body: "x", Delay: 1500 * time.Millisecond, BodyDelay: 250 * time.Millisecond, Reset: true}, false},
		{"empty", `{}`, wxtest.Fault{}, false},
		{"bad duration", `{"delay":"soon"}`, wxtest.Fault{}, true},
		{"negative duration", `{"delay":"-1s"}`, wxtest.Fault{}, true},
		{"unknown field", `{"errocde":40001}`, wxtest.Fault{}, true},
		{"duration as number", `{"delay":5}`, wxtest.Fault{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got wxtest.Fault
			err := json.Unmarshal([]byte(tt.in), &got)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Unmarshal(%s) err = %v; want error %v", tt.in, err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got != tt.want {
				t.Errorf("Unmarshal(%s) = %+v; want %+v", tt.in, got, tt.want)
			}
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatalf("Marshal(%+v) err = %v", got, err)
			}
			var again wxtest.Fault
			if err := json.Unmarshal(b, &again); err != nil || again != got {
				t.Errorf("round trip %s = %+v, %v; want %+v", b, again, err, got)
			}
		})
	}
}

func TestControlAPI(t *testing.T) {
	sim := wxtest.NewSimulator("a")
	srv := newServer(t, sim)
	steps := []struct {
		method, path, body string
		wantStatus         int
	}{
		{http.MethodPost, "/_sim/tokens", `["b"]`, http.StatusNoContent},
		{http.MethodPost, "/_sim/script", `[{"errcode":45009},{"status":503}]`, http.StatusNoContent},
		{http.MethodPost, "/_sim/industry", `{"primary_industry":{"first_class":"IT科技","second_class":"IT软件与服务"}}`, http.StatusNoContent},
		{http.MethodPost, "/_sim/script", `[{"delay":"soon"}]`, http.StatusBadRequest},
		{http.MethodPost, "/_sim/tokens", `{"b":1}`, http.StatusBadRequest},
		{http.MethodPost, "/_sim/industry", `{"primary":{}}`, http.StatusBadRequest},
		{http.MethodGet, "/_sim/script", ``, http.StatusMethodNotAllowed},
		{http.MethodPost, "/_sim/stats", ``, http.StatusMethodNotAllowed},
		{http.MethodPost, "/_sim/nope", ``, http.StatusNotFound},
	}
	for _, s := range steps {
		if resp, body := send(t, s.method, srv.URL+s.path, s.body); resp.StatusCode != s.wantStatus {
			t.Errorf("%s %s %s = %d %s; want %d", s.method, s.path, s.body, resp.StatusCode, body, s.wantStatus)
		}
	}
	url := srv.URL + wxtest.PathGetIndustry + "?access_token=b"
	if _, body := send(t, http.MethodGet, url, ""); !strings.Contains(body, `"errcode":45009`) {
		t.Errorf("first scripted reply = %s; want errcode 45009", body)
	}
	if resp, _ := send(t, http.MethodGet, url, ""); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("second scripted reply = %d; want 503", resp.StatusCode)
	}
	if _, body := send(t, http.MethodGet, url, ""); !strings.Contains(body, "IT软件与服务") {
		t.Errorf("normal reply = %s; want the posted industry", body)
	}
	resp, body := send(t, http.MethodGet, srv.URL+"/_sim/stats", "")
	var stats struct {
		Calls    int `json:"calls"`
		Scripted int `json:"scripted"`
	}
	if err := json.Unmarshal([]byte(body), &stats); err != nil || resp.StatusCode != 200 || stats.Calls != 3 || stats.Scripted != 0 {
		t.Errorf("stats = %d %s (%v); want calls 3, scripted 0", resp.StatusCode, body, err)
	}
	if resp, _ := send(t, http.MethodPost, srv.URL+"/_sim/reset", ""); resp.StatusCode != http.StatusNoContent || sim.Calls() != 0 {
		t.Errorf("reset = %d, Calls() = %d; want 204, 0", resp.StatusCode, sim.Calls())
	}
}
