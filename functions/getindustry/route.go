package main

import (
	"net/http"
	"strings"
)

// Paths the function serves: industryPath in single-account mode,
// accountsPrefix + appid + accountIndustrySuffix in multi-account mode.
const (
	industryPath          = "/industry"
	accountsPrefix        = "/accounts/"
	accountIndustrySuffix = "/industry"
)

// route checks r's path and method against the mode's one resource and
// returns the appid it names (multi-account mode; "" otherwise), or the
// failure: 404 for another path (/industry too in multi-account mode), 405
// for another method, 400 for a path whose appid is not well-formed, all
// before any AWS call.
func (e *endpoint) route(r *http.Request) (string, *apiError) {
	var appid string
	if e.accounts == nil {
		if r.URL.Path != industryPath {
			return "", errInvalidRequest(http.StatusNotFound, "no such path: only GET /industry is served")
		}
	} else {
		rest, isAccounts := strings.CutPrefix(r.URL.Path, accountsPrefix)
		var isIndustry bool
		appid, isIndustry = strings.CutSuffix(rest, accountIndustrySuffix)
		if !isAccounts || !isIndustry || appid == "" || strings.Contains(appid, "/") {
			return "", errInvalidRequest(http.StatusNotFound, "no such path: only GET /accounts/{appid}/industry is served")
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return "", errInvalidRequest(http.StatusMethodNotAllowed, "method not allowed: use GET or HEAD")
	}
	if e.accounts != nil && !validAppID(appid) {
		return "", errBadAppID()
	}
	return appid, nil
}

// validAppID reports whether s is an Official Account's appid as the
// accounts table keys it: "wx" and 16 lower-case hexadecimal digits
// (^wx[0-9a-f]{16}$).
func validAppID(s string) bool {
	if len(s) != 18 || !strings.HasPrefix(s, "wx") {
		return false
	}
	for _, c := range []byte(s[2:]) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func errBadAppID() *apiError {
	return errInvalidRequest(http.StatusBadRequest, "invalid appid: want wx and 16 lower-case hexadecimal digits")
}
