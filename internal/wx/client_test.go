package wx_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

func TestGetIndustrySuccess(t *testing.T) {
	sim, c := setup(t, fast())
	var tr wx.Trace
	got, err := c.GetIndustry(wx.WithTrace(context.Background(), &tr))
	if err != nil {
		t.Fatalf("GetIndustry() err = %v", err)
	}
	want := wx.Industry{
		PrimaryIndustry:   wx.Class{FirstClass: "运输与仓储", SecondClass: "快递"},
		SecondaryIndustry: wx.Class{FirstClass: "IT科技", SecondClass: "互联网|电子商务"},
	}
	if *got != want {
		t.Errorf("GetIndustry() = %+v; want %+v", *got, want)
	}
	if sim.Calls() != 1 || tr.Attempts != 1 || tr.TokenRetried {
		t.Errorf("calls = %d, trace = %+v; want 1 call, 1 attempt, no token retry", sim.Calls(), tr)
	}
	if tr.Duration <= 0 {
		t.Errorf("trace.Duration = %v; want > 0", tr.Duration)
	}
}

func TestGetIndustryKeepsStrings(t *testing.T) {
	tests := []struct {
		name string
		ind  wx.Industry
	}{
		{"real-world names", wx.Industry{
			PrimaryIndustry:   wx.Class{FirstClass: "房地产|建筑", SecondClass: "建筑"},
			SecondaryIndustry: wx.Class{FirstClass: "IT科技", SecondClass: "互联网|电子商务"},
		}},
		{"json specials", wx.Industry{
			PrimaryIndustry: wx.Class{FirstClass: `a "quoted" \ name`, SecondClass: "<&>"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, c := setup(t, fast())
			sim.SetIndustry(tt.ind)
			got, err := c.GetIndustry(context.Background())
			if err != nil {
				t.Fatalf("GetIndustry() err = %v", err)
			}
			if *got != tt.ind {
				t.Errorf("GetIndustry() = %+v; want %+v", *got, tt.ind)
			}
		})
	}
}

func TestGetIndustryErrcodes(t *testing.T) {
	tests := []struct {
		name      string
		code      int
		wantCalls int // 3 = MaxAttempts: retried; 1: not retried
	}{
		{"busy retried", wx.CodeBusy, 3},
		{"minute quota retried", wx.CodeMinuteQuota, 3},
		{"daily quota", wx.CodeDailyQuota, 1},
		{"token missing", wx.CodeTokenMissing, 1},
		{"api unauthorized", wx.CodeAPIUnauthorized, 1},
		{"api banned", wx.CodeAPIBanned, 1},
		{"account restricted", wx.CodeAccountRestricted, 1},
		{"ip not allowed", wx.CodeIPNotAllowed, 1},
		{"invalid credential without Invalidate", wx.CodeInvalidCredential, 1},
		{"unknown code", 61451, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, c := setup(t, fast())
			sim.Script(wxtest.Fault{Errcode: tt.code}, wxtest.Fault{Errcode: tt.code}, wxtest.Fault{Errcode: tt.code})
			var tr wx.Trace
			_, err := c.GetIndustry(wx.WithTrace(context.Background(), &tr))
			e := wantCode(t, err, tt.code)
			if e.Op != "get_industry" || e.Status != http.StatusOK || e.RID == "" || !strings.HasSuffix(e.Message, "rid: "+e.RID) {
				t.Errorf("GetIndustry() err = %#v; want op get_industry, status 200, rid parsed from errmsg", e)
			}
			if got := sim.Calls(); got != tt.wantCalls || tr.Attempts != tt.wantCalls {
				t.Errorf("calls = %d, trace attempts = %d; want %d", got, tr.Attempts, tt.wantCalls)
			}
		})
	}
}

func TestGetIndustryRecovers(t *testing.T) {
	tests := []struct {
		name   string
		faults []wxtest.Fault
	}{
		{"busy then ok", []wxtest.Fault{{Errcode: wx.CodeBusy}}},
		{"minute quota then ok", []wxtest.Fault{{Errcode: wx.CodeMinuteQuota}}},
		{"502 then busy then ok", []wxtest.Fault{{Status: 502}, {Errcode: wx.CodeBusy}}},
		{"reset then ok", []wxtest.Fault{{Reset: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, c := setup(t, fast())
			sim.Script(tt.faults...)
			got, err := c.GetIndustry(context.Background())
			if err != nil {
				t.Fatalf("GetIndustry() err = %v; want success after %d faults", err, len(tt.faults))
			}
			if *got != wxtest.DefaultIndustry() {
				t.Errorf("GetIndustry() = %+v; want the default industry", *got)
			}
			if want := len(tt.faults) + 1; sim.Calls() != want {
				t.Errorf("calls = %d; want %d", sim.Calls(), want)
			}
		})
	}
}

func TestGetIndustryHTTPStatus(t *testing.T) {
	html := "<html><head><title>502 Bad Gateway</title></head><body>bad gateway</body></html>"
	tests := []struct {
		name      string
		fault     wxtest.Fault
		status    int
		wantCalls int
	}{
		{"500 html retried", wxtest.Fault{Status: 500}, 500, 3},
		{"502 html body retried", wxtest.Fault{Status: 502, Body: html}, 502, 3},
		{"503 retried", wxtest.Fault{Status: 503}, 503, 3},
		{"404 not retried", wxtest.Fault{Status: 404}, 404, 1},
		{"403 not retried", wxtest.Fault{Status: 403}, 403, 1},
		{"429 not retried", wxtest.Fault{Status: 429}, 429, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, c := setup(t, fast())
			sim.Script(tt.fault, tt.fault, tt.fault)
			_, err := c.GetIndustry(context.Background())
			e := wantCode(t, err, 0)
			if e.Status != tt.status {
				t.Errorf("GetIndustry() err = %v; want http status %d", err, tt.status)
			}
			if sim.Calls() != tt.wantCalls {
				t.Errorf("calls = %d; want %d", sim.Calls(), tt.wantCalls)
			}
		})
	}
}

func TestGetIndustryUnknownPath(t *testing.T) {
	sim := wxtest.NewSimulator("tok-1")
	srv := newServer(t, sim)
	c := newClient(t, srv.URL+"/not-wechat", staticToken("tok-1"), fast())
	_, err := c.GetIndustry(context.Background())
	if e := wantCode(t, err, 0); e.Status != http.StatusNotFound {
		t.Errorf("GetIndustry() err = %v; want http status 404", err)
	}
}

func TestGetIndustryBadResponse(t *testing.T) {
	huge := `{"primary_industry":{"first_class":"` + strings.Repeat("x", 70<<10) + `","second_class":"y"}}`
	tests := []struct {
		name  string
		fault wxtest.Fault
	}{
		{"empty body", wxtest.Fault{Status: 200}},
		{"whitespace body", wxtest.Fault{Body: " \n"}},
		{"truncated json", wxtest.Fault{Body: `{"primary_`}},
		{"html with 200", wxtest.Fault{Body: "<html><body>hello</body></html>"}},
		{"oversized body", wxtest.Fault{Body: huge}},
		{"empty object", wxtest.Fault{Body: `{}`}},
		{"errcode 0 only", wxtest.Fault{Body: `{"errcode":0,"errmsg":"ok"}`}},
		{"secondary only", wxtest.Fault{Body: `{"secondary_industry":{"first_class":"IT科技","second_class":"互联网|电子商务"}}`}},
		{"primary null", wxtest.Fault{Body: `{"primary_industry":null}`}},
		{"primary wrong type", wxtest.Fault{Body: `{"primary_industry":"IT科技"}`}},
		{"errcode wrong type", wxtest.Fault{Body: `{"errcode":"40001","errmsg":"x"}`}},
		{"json array", wxtest.Fault{Body: `[]`}},
		{"json null", wxtest.Fault{Body: `null`}},
		{"trailing garbage", wxtest.Fault{Body: `{"primary_industry":{}} x`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, c := setup(t, fast())
			sim.Script(tt.fault, tt.fault, tt.fault)
			got, err := c.GetIndustry(context.Background())
			if !errors.Is(err, wx.ErrBadResponse) {
				t.Fatalf("GetIndustry() = %+v, %v; want ErrBadResponse", got, err)
			}
			var e *wx.Error
			if errors.As(err, &e) {
				t.Errorf("GetIndustry() err = %v; want no *wx.Error", err)
			}
			if sim.Calls() != 1 {
				t.Errorf("calls = %d; want 1 (bad replies are not retried)", sim.Calls())
			}
		})
	}
}

func TestGetIndustryMissingFields(t *testing.T) {
	tests := []struct {
		name string
		body string
		want wx.Industry
	}{
		{"primary only", `{"primary_industry":{"first_class":"IT科技","second_class":"互联网|电子商务"}}`,
			wx.Industry{PrimaryIndustry: wx.Class{FirstClass: "IT科技", SecondClass: "互联网|电子商务"}}},
		{"missing second classes", `{"primary_industry":{"first_class":"IT科技"},"secondary_industry":{"first_class":"房地产|建筑"}}`,
			wx.Industry{PrimaryIndustry: wx.Class{FirstClass: "IT科技"}, SecondaryIndustry: wx.Class{FirstClass: "房地产|建筑"}}},
		{"empty primary object", `{"primary_industry":{},"secondary_industry":{}}`, wx.Industry{}},
		{"errcode 0 with industry", `{"errcode":0,"errmsg":"ok","primary_industry":{"first_class":"a","second_class":"b"}}`,
			wx.Industry{PrimaryIndustry: wx.Class{FirstClass: "a", SecondClass: "b"}}},
		{"unknown fields ignored", `{"primary_industry":{"first_class":"a","second_class":"b","third":1},"extra":true}`,
			wx.Industry{PrimaryIndustry: wx.Class{FirstClass: "a", SecondClass: "b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, c := setup(t, fast())
			sim.Script(wxtest.Fault{Body: tt.body})
			got, err := c.GetIndustry(context.Background())
			if err != nil {
				t.Fatalf("GetIndustry() err = %v", err)
			}
			if *got != tt.want {
				t.Errorf("GetIndustry() = %+v; want %+v", *got, tt.want)
			}
		})
	}
}

func TestGetIndustryPathPrefix(t *testing.T) {
	sim := wxtest.NewSimulator("tok-1")
	mux := http.NewServeMux()
	mux.Handle("/prefix/", http.StripPrefix("/prefix", sim))
	srv := newHTTPTestServer(t, mux)
	c := newClient(t, srv.URL+"/prefix/", staticToken("tok-1"), fast())
	if _, err := c.GetIndustry(context.Background()); err != nil {
		t.Fatalf("GetIndustry() via base path prefix err = %v", err)
	}
}

func TestGetIndustryConcurrent(t *testing.T) {
	sim, c := setup(t, fast())
	const n = 16
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := c.GetIndustry(context.Background())
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("GetIndustry() err = %v", err)
		}
	}
	if sim.Calls() != n {
		t.Errorf("calls = %d; want %d", sim.Calls(), n)
	}
}

func BenchmarkGetIndustry(b *testing.B) {
	_, c := setup(b, fast())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetIndustry(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
