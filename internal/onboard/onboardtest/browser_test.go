package onboardtest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wxindustry/getindustry/internal/onboard/onboardtest"
)

// TestBrowserSeesScripts checks the checks: on a page whose script sets
// window.__x and opens an alert, Global and Dialogs report both.
func TestBrowserSeesScripts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("X-Probe", "1")
		_, _ = io.WriteString(w, `<!doctype html><p id="p">hello</p><script>window.__x=1;alert("ran")</script>`)
	}))
	defer srv.Close()
	b := onboardtest.NewBrowser(t, onboardtest.DesktopUA)
	res := b.Open(t, srv.URL+"/")
	if res.Status != 200 || res.Header.Get("X-Probe") != "1" {
		t.Errorf("Open = %d %v; want 200 with X-Probe", res.Status, res.Header)
	}
	if g := b.Global(t, "__x"); g != "number" {
		t.Errorf("typeof window.__x = %q; want number", g)
	}
	if d := b.Dialogs(); len(d) != 1 || d[0] != "ran" {
		t.Errorf("Dialogs = %q; want [ran]", d)
	}
	if s, ok := b.Text(t, "p"); !ok || s != "hello" {
		t.Errorf("Text(p) = %q, %v; want hello", s, ok)
	}
	if _, ok := b.Text(t, "none"); ok {
		t.Error("Text(none) found an element")
	}
}
