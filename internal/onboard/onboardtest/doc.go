// Package onboardtest drives the onboarding pages in a real browser for
// tests: Debian's chromium, headless, through chromedp (the Chrome DevTools
// Protocol over a pipe; no driver). A Browser opens a page, clicks a link or
// a button and reports the document it landed on (final URL, status,
// headers), the redirects on the way, any JavaScript dialog, and whether a
// script ran. The pages it opens are addressed by full URL, so the same test
// runs against the package's handler on a loopback server or against the
// function behind a front that turns browser requests into Function URL
// events. ChromePath skips a test on a machine without Chromium and fails it
// under CI=true.
// See https://pkg.go.dev/github.com/chromedp/chromedp.
package onboardtest
