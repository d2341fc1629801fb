package lambdahttp

import (
	"net/http"
	"testing"
)

// responseShapes lists each response format, ALB in both header modes.
var responseShapes = []struct {
	shape      Shape
	multiValue bool
}{
	{ShapeAPIGatewayREST, false},
	{ShapeAPIGatewayHTTP, false},
	{ShapeFunctionURL, false},
	{ShapeALB, false},
	{ShapeALB, true},
}

// checkResponse checks that the hand-written response for res is byte for byte what
// json.Marshal makes of the events response type (refResponse).
func checkResponse(tb testing.TB, res result) {
	tb.Helper()
	for _, s := range responseShapes {
		want, err := refResponse(s.shape, res, s.multiValue)
		if err != nil {
			tb.Fatalf("refResponse: %v", err)
		}
		names := sortedNames(nil, res.header)
		var got []byte
		switch s.shape {
		case ShapeAPIGatewayREST:
			got = appendREST(nil, res, names)
		case ShapeAPIGatewayHTTP:
			got = appendHTTPAPI(nil, res, names)
		case ShapeFunctionURL:
			got = appendFunctionURL(nil, res, names)
		case ShapeALB:
			got = appendALB(nil, res, names, s.multiValue)
		}
		if string(got) != string(want) {
			tb.Errorf("%s (multi-value %v) response\n got %s\nwant %s", s.shape, s.multiValue, got, want)
		}
	}
}

// TestResponseMatchesEncodingJSON checks the responses for answers that exercise every
// header rule and every escape.
func TestResponseMatchesEncodingJSON(t *testing.T) {
	const odd = "\x00\x1f\x7f\"\\/<>&\b\f\n\r\t\u2028\u2029é中\xff\xe4\xb8"
	tests := map[string]result{
		"empty":            {status: http.StatusNoContent, header: http.Header{}},
		"json body":        {200, http.Header{"Content-Type": {"application/json"}, "Etag": {`"x"`}}, []byte(`{"a":"<b>&é"}`)},
		"cookies":          {200, http.Header{"Set-Cookie": {"a=1", "b=2"}, "X-Multi": {"1", "2"}}, nil},
		"empty cookie":     {200, http.Header{"Set-Cookie": {"", "b=2"}}, nil},
		"only cookie":      {302, http.Header{"Set-Cookie": {"a=1"}, "Location": {"/x"}}, nil},
		"no values":        {200, http.Header{"X-None": {}, "X-Empty": {""}}, nil},
		"binary body":      {200, http.Header{"Content-Type": {"application/octet-stream"}}, []byte{0, 1, 2, 0xff}},
		"invalid utf8":     {200, http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, []byte("a\xffb")},
		"sniffed":          {200, http.Header{}, []byte("plain")},
		"odd text body":    {200, http.Header{"Content-Type": {"text/html; charset=UTF-8"}}, []byte(odd)},
		"odd header value": {200, http.Header{"X-Odd": {odd, odd}, "Set-Cookie": {odd}}, nil},
		"odd header name":  {200, http.Header{odd: {"v"}, "": {"empty name"}}, nil},
		"status no text":   {599, http.Header{"Content-Type": {"application/problem+json"}}, []byte(`{}`)},
		"status 999":       {999, http.Header{}, nil},
		"teapot":           {http.StatusTeapot, http.Header{"Content-Type": {"text/plain"}}, []byte("I'm a teapot")},
		"bad media type":   {200, http.Header{"Content-Type": {"application/json; charset"}}, []byte(`{}`)},
	}
	for name, res := range tests {
		t.Run(name, func(t *testing.T) { checkResponse(t, res) })
	}
}

// FuzzResponse compares the hand-written responses with json.Marshal's for answers built
// from fuzzed header names, values, content types and bodies.
func FuzzResponse(f *testing.F) {
	f.Add(200, "X-A", "v", "application/json", []byte(`{"a":1}`))
	f.Add(404, "Set-Cookie", "", "text/html", []byte("<p>\u2028</p>"))
	f.Add(599, "", "\xff", "image/png", []byte{0x89, 'P', 'N', 'G'})
	f.Fuzz(func(t *testing.T, status int, name, value, contentType string, body []byte) {
		checkResponse(t, result{
			status: status,
			header: http.Header{name: {value, value + "2"}, "Content-Type": {contentType}, "Set-Cookie": {value}},
			body:   body,
		})
	})
}
