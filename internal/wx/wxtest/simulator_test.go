package wxtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

const sentinel = "SENTINEL-TOKEN-5f3c"

// ridRE matches WeChat's errmsg suffix.
var ridRE = regexp.MustCompile(` rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$`)

// newServer starts sim on loopback, closed at cleanup.
func newServer(tb testing.TB, sim *wxtest.Simulator) *httptest.Server {
	tb.Helper()
	srv := wxtest.NewServer(sim)
	tb.Cleanup(srv.Close)
	return srv
}

// send makes a request and returns the response with its body read.
func send(tb testing.TB, method, url, body string) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		tb.Fatalf("NewRequest(%s %s) err = %v", method, url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s err = %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read %s %s body err = %v", method, url, err)
	}
	return resp, string(b)
}

// errReply is WeChat's error body.
type errReply struct {
	Errcode int    `json:"errcode"`
	Errmsg  string `json:"errmsg"`
}

func TestSimulatorWire(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		query    string
		wantCode int // 0: the industry
		wantMsg  string
	}{
		{"valid token", http.MethodGet, "?access_token=" + sentinel, 0, ""},
		{"unknown token", http.MethodGet, "?access_token=nope", 40001, "invalid credential, access_token is invalid or not latest"},
		{"missing token", http.MethodGet, "", 41001, "access_token missing"},
		{"empty token", http.MethodGet, "?access_token=", 41001, "access_token missing"},
		{"post", http.MethodPost, "?access_token=" + sentinel, 43001, "require GET method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := wxtest.NewSimulator(sentinel)
			srv := newServer(t, sim)
			resp, body := send(t, tt.method, srv.URL+wxtest.PathGetIndustry+tt.query, "")
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != wxtest.ContentTypeJSON {
				t.Errorf("reply %d %q; want 200 %q", resp.StatusCode, resp.Header.Get("Content-Type"), wxtest.ContentTypeJSON)
			}
			if tt.wantCode == 0 {
				want := `{"primary_industry":{"first_class":"运输与仓储","second_class":"快递"},"secondary_industry":{"first_class":"IT科技","second_class":"互联网|电子商务"}}`
				if body != want {
					t.Errorf("body = %s; want %s", body, want)
				}
				return
			}
			var r errReply
			if err := json.Unmarshal([]byte(body), &r); err != nil {
				t.Fatalf("body %q is not WeChat JSON: %v", body, err)
			}
			if r.Errcode != tt.wantCode || !strings.HasPrefix(r.Errmsg, tt.wantMsg) || !ridRE.MatchString(r.Errmsg) {
				t.Errorf("reply = %+v; want errcode %d, errmsg %q + rid", r, tt.wantCode, tt.wantMsg)
			}
			if strings.Contains(body, "SENTINEL") {
				t.Errorf("error reply echoes the token: %s", body)
			}
			if sim.Calls() != 1 {
				t.Errorf("Calls() = %d; want 1", sim.Calls())
			}
		})
	}
}

func TestSimulatorUnknownPath(t *testing.T) {
	sim := wxtest.NewSimulator(sentinel)
	srv := newServer(t, sim)
	resp, _ := send(t, http.MethodGet, srv.URL+"/cgi-bin/template/get_industryx?access_token="+sentinel, "")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("status = %d; want 404", resp.StatusCode)
	}
	if sim.Calls() != 0 {
		t.Errorf("Calls() = %d; want 0", sim.Calls())
	}
}

func TestSimulatorFaults(t *testing.T) {
	tests := []struct {
		name       string
		fault      wxtest.Fault
		wantStatus int
		wantCode   int    // errcode expected in the body; 0: not checked
		wantBody   string // exact body when wantCode is 0 and this is set
		wantType   string
	}{
		{"busy", wxtest.Fault{Errcode: -1}, 200, -1, "", wxtest.ContentTypeJSON},
		{"minute quota", wxtest.Fault{Errcode: 45011}, 200, 45011, "", wxtest.ContentTypeJSON},
		{"ip whitelist", wxtest.Fault{Errcode: 40164}, 200, 40164, "", wxtest.ContentTypeJSON},
		{"502 html", wxtest.Fault{Status: 502}, 502, 0, "", "text/html"},
		{"raw body", wxtest.Fault{Body: `{"primary_`}, 200, 0, `{"primary_`, wxtest.ContentTypeJSON},
		{"empty 200", wxtest.Fault{Status: 200}, 200, 0, "", wxtest.ContentTypeJSON},
		{"html body with status", wxtest.Fault{Status: 503, Body: "<html>busy</html>"}, 503, 0, "<html>busy</html>", "text/html"},
		{"slow headers, normal body", wxtest.Fault{Delay: 10 * time.Millisecond}, 200, 0, "", wxtest.ContentTypeJSON},
		{"stalled body completes", wxtest.Fault{BodyDelay: 10 * time.Millisecond, Errcode: 48001}, 200, 48001, "", wxtest.ContentTypeJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := wxtest.NewSimulator(sentinel)
			sim.Script(tt.fault)
			srv := newServer(t, sim)
			url := srv.URL + wxtest.PathGetIndustry + "?access_token=" + sentinel
			resp, body := send(t, http.MethodGet, url, "")
			if resp.StatusCode != tt.wantStatus || resp.Header.Get("Content-Type") != tt.wantType {
				t.Errorf("reply %d %q; want %d %q", resp.StatusCode, resp.Header.Get("Content-Type"), tt.wantStatus, tt.wantType)
			}
			switch {
			case tt.wantCode != 0:
				var r errReply
				if err := json.Unmarshal([]byte(body), &r); err != nil || r.Errcode != tt.wantCode || !ridRE.MatchString(r.Errmsg) {
					t.Errorf("body = %s (%v); want errcode %d with a rid", body, err, tt.wantCode)
				}
			case tt.wantBody != "" || tt.fault.Status == 200:
				if body != tt.wantBody {
					t.Errorf("body = %q; want %q", body, tt.wantBody)
				}
			}
			// The script is used up: the next reply is normal.
			if resp, _ := send(t, http.MethodGet, url, ""); resp.StatusCode != 200 || sim.Calls() != 2 {
				t.Errorf("after the script: status %d, Calls() = %d; want 200, 2", resp.StatusCode, sim.Calls())
			}
		})
	}
}

func TestSimulatorErrmsgs(t *testing.T) {
	want := map[int]string{
		-1:    "system error",
		40001: "invalid credential, access_token is invalid or not latest",
		40014: "invalid access_token",
		41001: "access_token missing",
		42001: "access_token expired",
		45009: "reach max api daily quota limit",
		45011: "api minute-quota reach limit  mustslower  retry next minute",
		48001: "api unauthorized",
		48004: "api forbidden for irregularities",
		50002: "user limited",
		40164: "invalid ip 127.0.0.1 ipv6 ::ffff:127.0.0.1, not in whitelist",
	}
	sim := wxtest.NewSimulator(sentinel)
	srv := newServer(t, sim)
	for code, msg := range want {
		sim.Script(wxtest.Fault{Errcode: code})
		_, body := send(t, http.MethodGet, srv.URL+wxtest.PathGetIndustry+"?access_token="+sentinel, "")
		var r errReply
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			t.Fatalf("errcode %d: body %q: %v", code, body, err)
		}
		if got := ridRE.ReplaceAllString(r.Errmsg, ""); r.Errcode != code || got != msg {
			t.Errorf("errcode %d: reply %+v; want errmsg %q + rid", code, r, msg)
		}
	}
}

func TestSimulatorReset(t *testing.T) {
	sim := wxtest.NewSimulator(sentinel)
	sim.Script(wxtest.Fault{Reset: true})
	srv := newServer(t, sim)
	resp, err := http.Get(srv.URL + wxtest.PathGetIndustry + "?access_token=" + sentinel)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("GET with a Reset fault = %d; want a connection error", resp.StatusCode)
	}
	if sim.Calls() != 1 {
		t.Errorf("Calls() = %d; want 1", sim.Calls())
	}
}

func TestSimulatorStalledBodyTimesOut(t *testing.T) {
	sim := wxtest.NewSimulator(sentinel)
	sim.Script(wxtest.Fault{BodyDelay: time.Minute})
	srv := newServer(t, sim)
	client := &http.Client{Timeout: 200 * time.Millisecond}
	resp, err := client.Get(srv.URL + wxtest.PathGetIndustry + "?access_token=" + sentinel)
	if err != nil {
		t.Fatalf("GET err = %v; want headers before the stall", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil {
		t.Fatalf("read body = %q, nil; want the stall to end in a timeout", b)
	}
	full := `{"primary_industry":{"first_class":"运输与仓储","second_class":"快递"},"secondary_industry":{"first_class":"IT科技","second_class":"互联网|电子商务"}}`
	if len(b) != len(full)/2 || !strings.HasPrefix(full, string(b)) {
		t.Errorf("partial body = %q; want the first half of the industry reply", b)
	}
}

func TestSimulatorSetters(t *testing.T) {
	sim := wxtest.NewSimulator("old")
	srv := newServer(t, sim)
	ind := wx.Industry{PrimaryIndustry: wx.Class{FirstClass: "房地产|建筑", SecondClass: "建筑"}}
	sim.SetIndustry(ind)
	sim.SetTokens("new")
	if _, body := send(t, http.MethodGet, srv.URL+wxtest.PathGetIndustry+"?access_token=old", ""); !strings.Contains(body, `"errcode":40001`) {
		t.Errorf("old token after SetTokens: body = %s; want errcode 40001", body)
	}
	_, body := send(t, http.MethodGet, srv.URL+wxtest.PathGetIndustry+"?access_token=new", "")
	var got wx.Industry
	if err := json.Unmarshal([]byte(body), &got); err != nil || got != ind {
		t.Errorf("industry = %+v (%v); want %+v", got, err, ind)
	}
	sim.Script(wxtest.Fault{Errcode: -1})
	sim.Reset()
	if sim.Calls() != 0 {
		t.Errorf("Calls() after Reset = %d; want 0", sim.Calls())
	}
	if _, body := send(t, http.MethodGet, srv.URL+wxtest.PathGetIndustry+"?access_token=new", ""); strings.Contains(body, "errcode") {
		t.Errorf("reply after Reset = %s; want the script cleared", body)
	}
}

func TestSimulatorConcurrent(t *testing.T) {
	sim := wxtest.NewSimulator(sentinel)
	srv := newServer(t, sim)
	const n = 20
	sim.Script(wxtest.Fault{Errcode: -1}, wxtest.Fault{Errcode: -1})
	errs := make(chan error, n)
	for range n {
		go func() {
			resp, err := http.Get(srv.URL + wxtest.PathGetIndustry + "?access_token=" + sentinel)
			if err == nil {
				resp.Body.Close()
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("GET err = %v", err)
		}
	}
	if sim.Calls() != n {
		t.Errorf("Calls() = %d; want %d", sim.Calls(), n)
	}
}
