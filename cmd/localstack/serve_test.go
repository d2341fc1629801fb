package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRouteByPath(t *testing.T) {
	named := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, name) })
	}
	h := route(named("single"), named("multi"), named("platform"))
	tests := []struct{ path, want string }{
		{"/industry", "single"},
		{"/", "single"},
		{"/accounts", "single"}, // the single-account function answers 404 for it
		{"/accounts/wx0123456789abcdef/industry", "multi"},
		{"/accounts/", "multi"},
		{"/component/authorize", "platform"},
		{"/component/events", "platform"},
		{"/component", "single"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, tt.path, nil))
			if got := w.Body.String(); got != tt.want {
				t.Errorf("GET %s went to %s; want %s", tt.path, got, tt.want)
			}
		})
	}
}
