package onboardtest

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Install is the one line that says how to get the browser.
const Install = "apt-get install -y chromium (Debian), or set CHROME_PATH"

// User agents of a desktop browser and of WeChat's in-app browser on a phone.
const (
	DesktopUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/148.0 Safari/537.36"
	PhoneUA   = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/148.0 Mobile Safari/537.36 MicroMessenger/8.0.50"
)

// ChromePath returns the browser to drive: $CHROME_PATH, else the first of
// /usr/bin/chromium and chromium on PATH. Without one it skips the test with
// one line saying how to install it, or fails it when CI=true.
func ChromePath(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("onboardtest: no Chromium under CI: %s", Install)
	}
	tb.Skipf("onboardtest: browser test skipped, no Chromium: %s", Install)
	return ""
}

// Response is an HTTP response as the browser received it.
type Response struct {
	URL    string
	Status int
	Header http.Header
}

// Browser is one headless Chromium with a fresh profile and one tab. It is
// not safe for concurrent use.
type Browser struct {
	ctx context.Context

	mu        sync.Mutex
	redirects []Response // redirect responses of top-level navigations, in order
	dialogs   []string   // messages of JavaScript dialogs, in order
}

// NewBrowser starts Chromium (ChromePath) headless with userAgent, the flags
// this machine needs (no sandbox as root, no GPU, no QUIC, no background
// networking) and a profile in tb.TempDir(); tb's cleanup stops it.
func NewBrowser(tb testing.TB, userAgent string) *Browser {
	tb.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(ChromePath(tb)),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.UserAgent(userAgent),
		chromedp.WindowSize(900, 700),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-background-networking", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	tb.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start the browser and the tab
		tb.Fatalf("onboardtest: start %s: %v", ChromePath(tb), err)
	}
	b := &Browser{ctx: ctx}
	if err := chromedp.Listen(ctx, b.listen); err != nil {
		tb.Fatalf("onboardtest: listen: %v", err)
	}
	return b
}

// listen records redirects and dialogs; a dialog is dismissed from another
// goroutine, as a listener must not run commands.
func (b *Browser) listen(ev any) {
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		if e.RedirectResponse != nil && e.Type == network.ResourceTypeDocument {
			b.mu.Lock()
			b.redirects = append(b.redirects, response(e.RedirectResponse))
			b.mu.Unlock()
		}
	case *page.EventJavascriptDialogOpening:
		b.mu.Lock()
		b.dialogs = append(b.dialogs, e.Message)
		b.mu.Unlock()
		go func() {
			_, _ = chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}()
	}
}

// response converts the protocol's response.
func response(r *network.Response) Response {
	h := http.Header{}
	for k, v := range r.Headers {
		h.Add(k, fmt.Sprint(v))
	}
	return Response{URL: r.URL, Status: int(r.Status), Header: h}
}

// Open navigates to url and returns the document it landed on, after any
// redirects.
func (b *Browser) Open(tb testing.TB, url string) Response {
	tb.Helper()
	return b.navigate(tb, "open "+url, chromedp.Navigate(url))
}

// Click clicks the element with this id (waiting until it is visible) and
// returns the document the click landed on, after any redirects.
func (b *Browser) Click(tb testing.TB, id string) Response {
	tb.Helper()
	return b.navigate(tb, "click #"+id, chromedp.Click(chromedp.ID(id)))
}

// navigate runs a step that loads a page and returns its document.
func (b *Browser) navigate(tb testing.TB, what string, step chromedp.Action[chromedp.Void]) Response {
	tb.Helper()
	res, err := chromedp.RunResponse(b.ctx, step)
	if err != nil {
		tb.Fatalf("onboardtest: %s: %v", what, err)
	}
	return response(res)
}

// Redirects returns the redirect responses of page loads so far, in order.
func (b *Browser) Redirects() []Response {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Response(nil), b.redirects...)
}

// Dialogs returns the messages of the JavaScript dialogs opened so far.
func (b *Browser) Dialogs() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.dialogs...)
}

// Text returns the text of the element with this id on the current page;
// ok is false when there is none.
func (b *Browser) Text(tb testing.TB, id string) (text string, ok bool) {
	tb.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[*string](fmt.Sprintf(`(e => e ? e.textContent : null)(document.getElementById(%q))`, id)))
	if err != nil {
		tb.Fatalf("onboardtest: text of #%s: %v", id, err)
	}
	if s == nil {
		return "", false
	}
	return *s, true
}

// Global returns typeof window[name] on the current page: "undefined"
// unless a script of the page set it.
func (b *Browser) Global(tb testing.TB, name string) string {
	tb.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(`typeof window[%q]`, name)))
	if err != nil {
		tb.Fatalf("onboardtest: typeof window.%s: %v", name, err)
	}
	return s
}

// Screenshot returns a PNG of the current page's viewport.
func (b *Browser) Screenshot(tb testing.TB) []byte {
	tb.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.Fatalf("onboardtest: screenshot: %v", err)
	}
	return png
}

// HTML returns the current page's markup as the browser holds it.
func (b *Browser) HTML(tb testing.TB) string {
	tb.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	if err != nil {
		tb.Fatalf("onboardtest: page HTML: %v", err)
	}
	return s
}
