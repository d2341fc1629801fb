package wxtest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

func TestSetAccountToken(t *testing.T) {
	sim := wxtest.NewSimulator()
	later := sim.Now().Add(time.Hour)
	sim.SetAccountToken("wx000000000000000a", "tok-a1", later)
	sim.SetAccountToken("wx000000000000000b", "tok-b", later)
	sim.SetAccountToken("wx000000000000000a", "tok-a2", later)
	tests := []struct {
		tok      string
		wantCode int
		want     wx.Industry
	}{
		{tok: "tok-a2", want: wxtest.AccountIndustry("wx000000000000000a")},
		{tok: "tok-b", want: wxtest.AccountIndustry("wx000000000000000b")},
		{tok: "tok-a1", wantCode: wx.CodeInvalidCredential},
		{tok: "unknown", wantCode: wx.CodeInvalidCredential},
	}
	for _, tt := range tests {
		t.Run(tt.tok, func(t *testing.T) {
			if got := industryCode(t, sim, tt.tok); got != tt.wantCode {
				t.Fatalf("get_industry(%s) errcode = %d; want %d", tt.tok, got, tt.wantCode)
			}
			if tt.wantCode != 0 {
				return
			}
			rec := httptest.NewRecorder()
			sim.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, wxtest.PathGetIndustry+"?access_token="+tt.tok, nil))
			var got wx.Industry
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got != tt.want {
				t.Errorf("get_industry(%s) = %s; want %+v", tt.tok, rec.Body, tt.want)
			}
		})
	}
	sim.Advance(2 * time.Hour)
	if got := industryCode(t, sim, "tok-b"); got != wx.CodeTokenExpired {
		t.Errorf("get_industry(expired tok-b) errcode = %d; want %d", got, wx.CodeTokenExpired)
	}
}
