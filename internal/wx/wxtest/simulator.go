package wxtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/wxindustry/getindustry/internal/wx"
)

// PathGetIndustry is the path the Simulator serves getIndustry on.
const PathGetIndustry = "/cgi-bin/template/get_industry"

// ContentTypeJSON is the Content-Type WeChat sends with its JSON replies.
const ContentTypeJSON = "application/json; encoding=utf-8"

// DefaultIndustry returns the industry a new Simulator answers: the example
// from WeChat's getIndustry documentation, 运输与仓储/快递 and
// IT科技/互联网|电子商务.
func DefaultIndustry() wx.Industry {
	return wx.Industry{
		PrimaryIndustry:   wx.Class{FirstClass: "运输与仓储", SecondClass: "快递"},
		SecondaryIndustry: wx.Class{FirstClass: "IT科技", SecondClass: "互联网|电子商务"},
	}
}

// errmsgs are WeChat's errmsg texts (without the " rid: ..." suffix) for the
// codes the simulator models.
var errmsgs = map[int]string{
	wx.CodeBusy:              "system error",
	wx.CodeInvalidCredential: "invalid credential, access_token is invalid or not latest",
	wx.CodeInvalidToken:      "invalid access_token",
	wx.CodeTokenMissing:      "access_token missing",
	wx.CodeTokenExpired:      "access_token expired",
	43001:                    "require GET method",
	wx.CodeDailyQuota:        "reach max api daily quota limit",
	wx.CodeMinuteQuota:       "api minute-quota reach limit  mustslower  retry next minute",
	wx.CodeAPIUnauthorized:   "api unauthorized",
	wx.CodeAPIBanned:         "api forbidden for irregularities",
	wx.CodeAccountRestricted: "user limited",
	wx.CodeInvalidAppID:      "invalid appid",
	wx.CodeInvalidAppSecret:  "invalid appsecret",
	codeInvalidGrantType:     "invalid grant_type",
	codeAppIDMissing:         "appid missing",
	codeSecretMissing:        "appsecret missing",
	codeRequirePOST:          "require POST method",
	codeDataFormat:           "data format error",
}

// Simulator is an http.Handler that simulates the WeChat getIndustry API. The
// zero value is not usable; create one with NewSimulator. It is safe for
// concurrent use.
type Simulator struct {
	mu       sync.Mutex
	tokens   map[string]bool
	industry wx.Industry
	script   []Fault
	calls    int
	st       stableState    // stable_token apps, clock and script (stable_token.go)
	cs       componentState // third-party platform side (component.go)
	ap       authPageState  // authorization page (authpage.go)
}

// NewSimulator returns a Simulator that accepts the given access tokens and
// answers DefaultIndustry().
func NewSimulator(tokens ...string) *Simulator {
	s := &Simulator{industry: DefaultIndustry()}
	s.SetTokens(tokens...)
	return s
}

// NewServer starts an httptest.Server on a loopback address serving s. The
// caller closes it.
func NewServer(s *Simulator) *httptest.Server {
	return httptest.NewServer(s)
}

// SetIndustry sets the industry answered from now on.
func (s *Simulator) SetIndustry(ind wx.Industry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.industry = ind
}

// SetTokens replaces the set of valid access tokens.
func (s *Simulator) SetTokens(tokens ...string) {
	set := make(map[string]bool, len(tokens))
	for _, t := range tokens {
		set[t] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = set
}

// Script makes the next len(faults) get_industry replies play these faults,
// in order, whatever the request; later replies are normal again. It
// replaces any faults still pending.
func (s *Simulator) Script(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append([]Fault(nil), faults...)
}

// Calls returns how many get_industry requests the simulator received,
// faulted ones included.
func (s *Simulator) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Reset clears the scripts and the call counters. Tokens, apps, the clock
// and the industry stay.
func (s *Simulator) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script, s.calls = nil, 0
	s.st.script, s.st.calls = nil, 0
	clear(s.cs.scripts)
	clear(s.cs.calls)
}

// ServeHTTP serves get_industry, stable_token, the /_sim/ control API and
// 404 for any other path.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == PathGetIndustry:
		s.getIndustry(w, r)
	case r.URL.Path == PathStableToken:
		s.stableToken(w, r)
	case r.URL.Path == PathComponentLoginPage || r.URL.Path == PathBindComponent:
		s.authPage(w, r)
	case strings.HasPrefix(r.URL.Path, componentPrefix):
		s.component(w, r)
	case r.URL.Path == "/_sim/component" || strings.HasPrefix(r.URL.Path, "/_sim/component/"):
		s.componentControl(w, r)
	case strings.HasPrefix(r.URL.Path, "/_sim/"):
		s.control(w, r)
	default:
		writeReply(w, r, htmlReply(http.StatusNotFound), Fault{})
	}
}

// getIndustry counts the call, takes the next scripted fault if any, and
// answers.
func (s *Simulator) getIndustry(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls++
	var f Fault
	scripted := len(s.script) > 0
	if scripted {
		f, s.script = s.script[0], s.script[1:]
	}
	normal := s.normalReply(r)
	s.mu.Unlock()
	if scripted {
		writeReply(w, r, f.reply(r, normal), f)
		return
	}
	writeReply(w, r, normal, Fault{})
}

// normalReply is WeChat's answer when nothing is scripted: 43001 for a
// method other than GET, 41001 without a token, 40001 for a token neither
// set with SetTokens nor issued by stable_token or api_query_auth /
// api_authorizer_token and still working (42001 for an issued one that
// expired), else the industry (an authorizer's own for its token). The
// caller holds s.mu.
func (s *Simulator) normalReply(r *http.Request) reply {
	tok, present := r.URL.Query()["access_token"]
	ind := s.industry
	switch {
	case r.Method != http.MethodGet:
		return errcodeReply(r, 43001)
	case !present || tok[0] == "":
		return errcodeReply(r, wx.CodeTokenMissing)
	case !s.tokens[tok[0]]:
		code, found := s.authorizerIndustryLocked(tok[0], &ind)
		if !found {
			code = s.appTokenCodeLocked(tok[0])
		}
		if code != 0 {
			return errcodeReply(r, code)
		}
	}
	// WeChat does not HTML-escape its JSON; neither does the simulator.
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ind); err != nil {
		return errcodeReply(r, wx.CodeBusy)
	}
	return reply{status: http.StatusOK, contentType: ContentTypeJSON, body: bytes.TrimSuffix(body.Bytes(), []byte("\n"))}
}

// errcodeReply is WeChat's HTTP 200 error answer for code, with a random rid.
func errcodeReply(r *http.Request, code int) reply {
	msg, ok := errmsgs[code]
	switch {
	case code == wx.CodeIPNotAllowed:
		ip := clientIP(r)
		msg = fmt.Sprintf("invalid ip %s ipv6 ::ffff:%s, not in whitelist", ip, ip)
	case !ok:
		msg = "unknown error"
	}
	body, _ := json.Marshal(struct {
		Errcode int    `json:"errcode"`
		Errmsg  string `json:"errmsg"`
	}{code, msg + " rid: " + newRID()})
	return reply{status: http.StatusOK, contentType: ContentTypeJSON, body: body}
}

// htmlReply is the gateway's HTML page for an HTTP error status.
func htmlReply(status int) reply {
	text := fmt.Sprintf("%d %s", status, http.StatusText(status))
	body := "<html>\r\n<head><title>" + text + "</title></head>\r\n<body>\r\n<center><h1>" + text +
		"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
	return reply{status: status, contentType: "text/html", body: []byte(body)}
}

// newRID returns a request id shaped like WeChat's ("6582c8a7-1b2c3d4e-0f1e2d3c").
func newRID() string {
	return fmt.Sprintf("%08x-%08x-%08x", rand.Uint32(), rand.Uint32(), rand.Uint32())
}

// clientIP returns the request's remote IP address.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
