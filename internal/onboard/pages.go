package onboard

import (
	"bytes"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
)

// templateFS holds the pages: layout.html and one file per page.
//
//go:embed templates/*.html
var templateFS embed.FS

// The pages, each the layout around its own content.
var (
	pageEntry   = parsePage("entry.html")
	pageDone    = parsePage("done.html")
	pageProblem = parsePage("problem.html")
)

// parsePage parses the layout with one page; the templates are part of the
// binary, so a failure is a build error that every test shows.
func parsePage(name string) *template.Template {
	return template.Must(template.ParseFS(templateFS, "templates/layout.html", "templates/"+name))
}

// pageData is what the templates read.
type pageData struct {
	Link    string   // entry: the click route, relative
	Account *Account // done
	Problem problem  // problem
}

// problem is the text of an error page, in Chinese with English beneath.
type problem struct{ Zh, En, DetailZh, DetailEn string }

// problems are the error pages by status.
var problems = map[int]problem{
	http.StatusBadRequest: {"链接无效", "This link is not valid",
		"链接的参数有误，或授权码无效、已使用或已过期。请回到授权入口重新开始。",
		"A parameter is wrong, or the authorization code was refused, used or has expired. Please start again from the authorization page."},
	http.StatusForbidden: {"没有访问权限", "Access denied",
		"此页面需要平台发给您的完整链接。", "This page needs the full link the platform sent you."},
	http.StatusNotFound:         {"页面不存在", "Page not found", "请检查链接。", "Please check the link."},
	http.StatusMethodNotAllowed: {"不支持的请求", "Method not allowed", "请直接打开链接。", "Please open the link directly."},
	http.StatusInternalServerError: {"服务配置有误", "Service misconfigured",
		"请联系平台。", "Please contact the platform."},
	http.StatusBadGateway: {"微信服务暂时不可用", "WeChat is not available",
		"请稍后刷新本页重试。", "Please reload this page in a moment."},
}

// contentSecurityPolicy runs no script, loads nothing from elsewhere and
// cannot be framed.
const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// secureHeaders sets the headers of every page and redirect. The
// Referrer-Policy keeps our origin in the Referer WeChat reads, and nothing
// more (never the entry page's query).
func secureHeaders(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
}

// render writes one page with status.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page *template.Template, data pageData) {
	var b bytes.Buffer
	if err := page.ExecuteTemplate(&b, "layout", data); err != nil {
		h.log.LogAttrs(r.Context(), slog.LevelError, "render page failed", slog.Any("error", err))
		status, b = http.StatusInternalServerError, *bytes.NewBufferString("500 internal error\n")
	}
	secureHeaders(w.Header())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b.Bytes())
	}
}

// ServeProblem writes the error page of status (400, 403, 404, 405, 500 or
// 502) with the headers of every page, for a caller that has no Handler to
// answer with: the platform function when its credentials cannot be read.
func ServeProblem(w http.ResponseWriter, r *http.Request, status int) {
	(&Handler{log: slog.New(slog.DiscardHandler)}).problem(w, r, status)
}

// problem writes the error page of status.
func (h *Handler) problem(w http.ResponseWriter, r *http.Request, status int) {
	h.render(w, r, status, pageProblem, pageData{Problem: problems[status]})
}
