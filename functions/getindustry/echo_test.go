package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// TestTokenEchoes (issue 10, item 2): an upstream that echoes the access
// token, in a success body or, in another letter case, in an errmsg, never
// gets it answered or logged: a success holding it is upstream_bad_response,
// and the cause logged for an errmsg is masked whatever the case.
func TestTokenEchoes(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"success echoes the token", `{"primary_industry":{"first_class":"` + sentinelToken + `","second_class":"x"}}`, 502, "upstream_bad_response"},
		{"success echoes the token lower-cased", `{"primary_industry":{"first_class":"x","second_class":"` + strings.ToLower(sentinelToken) + `"}}`, 502, "upstream_bad_response"},
		{"errmsg echoes the token upper-cased", `{"errcode":47001,"errmsg":"data format error: ` + strings.ToUpper(sentinelToken) + ` rid: 1a2b"}`, 502, "wechat_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStack(t, nil)
			s.sim.Script(wxtest.Fault{Body: tt.body})
			out, err := s.invoke(t, functionURLEvent(t, ""))
			if err != nil {
				t.Fatal(err)
			}
			a, body := decodeHTTPAnswer(t, out)
			var eb errorBody
			if a.StatusCode != tt.status || json.Unmarshal(body, &eb) != nil || eb.Error.Code != tt.code {
				t.Errorf("answer = %d %s; want %d %s", a.StatusCode, body, tt.status, tt.code)
			}
			logs := s.logs.String()
			if !strings.Contains(logs, `"cause"`) {
				t.Errorf("no cause logged:\n%s", logs)
			}
			for what, text := range map[string]string{"answer": string(out), "logs": logs} {
				if strings.Contains(strings.ToUpper(text), strings.ToUpper(sentinelToken)) {
					t.Errorf("%s hold the token in some case:\n%s", what, text)
				}
			}
		})
	}
}
