package lambdahttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// FuzzDecode checks the one-pass event reader against the first implementation kept in
// reference_test.go: the same shape from detect, decodeEvent accepting exactly the objects
// encoding/json accepts, and for HTTP-shaped events the same request, except that events
// the reference rejected for a wrongly typed member the reader does not use may now be
// served. Objects that repeat a member name are left out of the request comparison: there
// the reader counts the last occurrence where json merges objects into a map.
func FuzzDecode(f *testing.F) {
	for _, seed := range decodeSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		checkDecode(t, payload)
	})
}

// decodeSeeds returns the fixtures, aws-lambda-go's events, FuzzWrap's corpus and edge cases
// of JSON and of member names.
func decodeSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	var seeds [][]byte
	for name := range fixtures {
		seeds = append(seeds, readFixture(tb, name))
	}
	for _, dir := range []string{filepath.Join("testdata", "aws-lambda-go"), filepath.Join("testdata", "fuzz", "FuzzWrap")} {
		files, err := filepath.Glob(filepath.Join(dir, "*"))
		if err != nil {
			tb.Fatal(err)
		}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				tb.Fatal(err)
			}
			if rest, ok := bytes.CutPrefix(b, []byte("go test fuzz v1\n[]byte(")); ok {
				s, err := strconv.Unquote(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte(")")))))
				if err != nil {
					tb.Fatalf("corpus file %s: %v", file, err)
				}
				b = []byte(s)
			}
			seeds = append(seeds, b)
		}
	}
	deep := func(n int) string { return `{"a":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}` }
	for _, s := range []string{
		`{"HTTPMETHOD":"GET","RequestContext":{"STAGE":"p"},"PATH":"/x","Headers":{"a":"1"}}`,
		`{"httpMethod":"GET","requestContext":{"re\u017fourcePath":"/x"}}`, // ſ folds to s
		`{"httpMethod":"GET","requestContext":{"reſourcePath":"/x"},"iſBase64Encoded":true,"body":"eA=="}`,
		`{"http\u004dethod":"GET","requestContext":{"stage":"p"},"path":"/\u00e9"}`,
		`{"version":"2\u002e0","requestContext":{"http":{"method":"GET"}},"rawPath":"/"}`,
		`{"requestContext":{"elb":{}},"requestContext":{"stage":"x"},"httpMethod":"GET","path":"/"}`,
		`{"requestContext":{"elb":{}},"requestContext":null,"httpMethod":"GET"}`,
		`{"requestContext":{"elb":{}},"requestContext":"x","httpMethod":"GET","path":"/"}`,
		`{"httpMethod":"GET","httpMethod":null,"requestContext":{"stage":"p"}}`,
		`{"requestContext":{"elb":{}},"httpMethod":"GET","path":"/","headers":{"A":"1","a":"2","HOST":"h","host":"i"}}`,
		`{"requestContext":{"elb":{}},"httpMethod":"GET","path":"/","multiValueHeaders":{"a":null,"b":[null,"x"]}}`,
		`{"requestContext":{"elb":{}},"httpMethod":"GET","path":"/","multiValueHeaders":{},"headers":{"a b":"1","ä":"2","x-y_z":"3"}}`,
		`{"requestContext":{"elb":{},"http":5},"httpMethod":"GET","path":"/"}`,
		`{"version":"2.0","requestContext":{"http":5},"rawPath":"/"}`,
		`{"version":"2.0","requestContext":{"http":{},"stage":"s"},"rawPath":"/s/x","cookies":["a=1",null]}`,
		`{"httpMethod":"GET","requestContext":{"stage":"p","identity":[]},"path":"/"}`,
		`{"httpMethod":"GET","requestContext":{"stage":"p"},"path":"/","body":"a\ud800b\"\\\/\b\f\n\r\t"}`,
		"{\"httpMethod\":\"GET\",\"requestContext\":{\"stage\":\"p\"},\"path\":\"/\",\"body\":\"\xff\xfe\"}",
		`{"n":[1,-0,0.5,-1.5e10,1E+2,2e-3,true,false,null,{},[]]}`,
		`{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":.5}`, `{"a":1e}`, `{"a":+1}`, `{"a":"\x"}`, `{"a":"\u12"}`,
		`{"a":1,}`, `{"a" 1}`, `{,}`, `{"a":[1,]}`, `{"a":tru}`, `{"a":nulls}`, `{"a":"`, `{"a":1} x`, `{"a":1}{}`,
		"{\"a\":\"\x01\"}", "\ufeff{}", " \r\n\t{ } \n", `{"a":1}` + "\x00",
		deep(maxDepth - 1), deep(maxDepth),
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

// TestDecodeSeeds runs checkDecode on the seeds; FuzzDecode's own seed run does the same,
// but this names each failing seed.
func TestDecodeSeeds(t *testing.T) {
	for i, seed := range decodeSeeds(t) {
		t.Run(strconv.Itoa(i), func(t *testing.T) { checkDecode(t, seed) })
	}
}

// checkDecode compares the reader with the reference for one payload.
func checkDecode(tb testing.TB, payload []byte) {
	tb.Helper()
	got, want := detect(payload), refDetect(payload)
	if got != want {
		tb.Fatalf("detect(%.200q) = %+v; reference %+v", payload, got, want)
	}
	if trimmed := bytes.TrimLeft(payload, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '{' {
		if _, ok := decodeEvent(payload); ok != json.Valid(payload) {
			tb.Fatalf("decodeEvent(%.200q) ok = %v; json.Valid says %v", payload, ok, !ok)
		}
	}
	if got.shape == ShapeDirect || repeatsName(payload) {
		return
	}
	ev, _ := decodeEvent(payload)
	in, ok := ev.inbound(got.shape)
	ref, refOK := refInbound(got.shape, payload)
	switch {
	case !ok && refOK:
		tb.Fatalf("%s event %.300q rejected; the reference read it as %+v", got.shape, payload, ref)
	case !ok || !refOK:
		return
	}
	sortValues := func(h http.Header) http.Header { // the reference adds same-name values in map order
		h = h.Clone()
		for _, vs := range h {
			slices.Sort(vs)
		}
		return h
	}
	in.header, ref.header = sortValues(in.header), sortValues(ref.header)
	if gotJSON, wantJSON := inboundJSON(tb, in), inboundJSON(tb, ref); gotJSON != wantJSON {
		tb.Fatalf("%s event %.300q read as\n %s\nreference\n %s", got.shape, payload, gotJSON, wantJSON)
	}
}

// inboundJSON renders in for comparison.
func inboundJSON(tb testing.TB, in inbound) string {
	tb.Helper()
	b, err := json.Marshal([]any{in.method, in.path, in.rawQuery, in.header, in.host, in.remoteAddr, in.body, in.base64})
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// repeatsName reports whether any object in payload, valid JSON or not, has two member
// names that are equal without regard to case.
func repeatsName(payload []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(payload))
	var names [][]string // per open container; nil for an array
	expectName := func() bool { return len(names) > 0 && names[len(names)-1] != nil }
	afterName := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) || err != nil {
			return false
		}
		switch tok {
		case json.Delim('{'):
			names, afterName = append(names, []string{}), false
			continue
		case json.Delim('['):
			names, afterName = append(names, nil), false
			continue
		case json.Delim('}'), json.Delim(']'):
			names, afterName = names[:len(names)-1], false
			continue
		}
		if expectName() && !afterName {
			name := tok.(string)
			top := names[len(names)-1]
			if slices.ContainsFunc(top, func(n string) bool { return strings.EqualFold(n, name) }) {
				return true
			}
			names[len(names)-1], afterName = append(top, name), true
			continue
		}
		afterName = false
	}
}

// FuzzCanonicalize checks canonicalize against textproto.CanonicalMIMEHeaderKey.
func FuzzCanonicalize(f *testing.F) {
	for _, name := range []string{"", "accept", "Accept", "x-amz-date", "X-AMZ-DATE", "content-md5", "a b", "ä",
		"x_y", "-a-", "--", "1a", "host", "WWW-authenticate", "x-forwarded-for", "Foo Bar", "\xff", "a\tb"} {
		f.Add(name)
	}
	f.Fuzz(func(t *testing.T, name string) {
		fields := []field{{name: name}, {name: strings.ToLower(name)}, {name: "x-" + name}}
		canonicalize(fields)
		for _, fl := range fields {
			if want := textproto.CanonicalMIMEHeaderKey(fl.name); fl.canon != want {
				t.Errorf("canonicalize(%q) = %q; want %q", fl.name, fl.canon, want)
			}
		}
	})
}
