package main

import (
	"net/http"
	"testing"
)

// TestOpenAPIMultiAccountAnswers checks multi-account mode's answers, through
// the event adapter, against what openapi.yaml documents for
// /accounts/{appid}/industry: statuses, headers and body schemas (the error
// body's appid included).
func TestOpenAPIMultiAccountAnswers(t *testing.T) {
	spec := loadOpenAPI(t)
	tests := []struct {
		name    string
		method  string
		appid   string
		prepare func(t *testing.T, s *multiStack)
		status  int
	}{
		{name: "GET", method: "GET", appid: appA, status: 200},
		{name: "HEAD", method: "HEAD", appid: appA, status: 200},
		{name: "unknown appid", method: "GET", appid: appUnknown, status: 404},
		{name: "HEAD unknown appid", method: "HEAD", appid: appUnknown, status: 404},
		{name: "malformed appid", method: "GET", appid: "wx0123", status: 400},
		{name: "expired item", method: "GET", appid: appA, status: 503, prepare: func(t *testing.T, s *multiStack) {
			s.putItem(t, appA, map[string]string{"access_token": accountToken(appA), "expires_at": "2020-01-01T00:00:00Z"})
		}},
		{name: "POST", method: "POST", appid: appA, status: 405},
	}
	s := newMultiStack(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.prepare != nil {
				s := newMultiStack(t, nil)
				tt.prepare(t, s)
				checkMultiAnswer(t, spec, s, tt.method, tt.appid, tt.status)
				return
			}
			checkMultiAnswer(t, spec, s, tt.method, tt.appid, tt.status)
		})
	}
}

func checkMultiAnswer(t *testing.T, spec openAPI, s *multiStack, method, appid string, status int) {
	t.Helper()
	out, err := s.invoke(t, urlEvent(t, method, "/accounts/"+appid+"/industry"))
	if err != nil {
		t.Fatalf("Invoke() err = %v", err)
	}
	a, body := decodeHTTPAnswer(t, out)
	if a.StatusCode != status {
		t.Fatalf("answer = %d %s; want %d", a.StatusCode, body, status)
	}
	header := http.Header{}
	for k, v := range a.Headers {
		header.Set(k, v)
	}
	checkAnswerAt(t, spec, "/accounts/{appid}/industry", method, status, header, body)
	noSecretIn(t, "answer", string(out))
}
