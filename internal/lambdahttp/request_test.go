package lambdahttp

import (
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestWrapRequest checks how events become requests.
func TestWrapRequest(t *testing.T) {
	tests := map[string]struct {
		fixture string
		edit    func(ev map[string]any)
		check   func(t *testing.T, s seen)
	}{
		"rest multi-value headers win": {"apigw-rest.json", func(ev map[string]any) {
			obj(t, ev, "headers")["X-Multi"] = "2"
			obj(t, ev, "multiValueHeaders")["x-multi"] = []any{"1", "2"}
		}, func(t *testing.T, s seen) {
			if got := s.Header.Values("X-Multi"); !slices.Equal(got, []string{"1", "2"}) {
				t.Errorf("X-Multi = %q; want [1 2]", got)
			}
		}},
		"rest single headers when no multi": {"apigw-rest.json", func(ev map[string]any) {
			delete(ev, "multiValueHeaders")
			obj(t, ev, "headers")["x-single"] = "v"
		}, func(t *testing.T, s seen) {
			if s.Header.Get("X-Single") != "v" || s.Host != "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com" {
				t.Errorf("X-Single = %q, Host = %q", s.Header.Get("X-Single"), s.Host)
			}
		}},
		"rest host falls back to domain": {"apigw-rest.json", func(ev map[string]any) {
			delete(ev, "multiValueHeaders")
			delete(ev, "headers")
		}, func(t *testing.T, s seen) {
			if s.Host != "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com" {
				t.Errorf("Host = %q; want the requestContext domain", s.Host)
			}
		}},
		"rest multi-value query escaped": {"apigw-rest.json", func(ev map[string]any) {
			ev["queryStringParameters"] = map[string]any{"q": "c&d", "k": "1"}
			ev["multiValueQueryStringParameters"] = map[string]any{"q": []any{"a b", "c&d"}, "k": []any{"1"}}
		}, func(t *testing.T, s seen) {
			if s.RawQuery != "k=1&q=a+b&q=c%26d" || !slices.Equal(s.Query["q"], []string{"a b", "c&d"}) {
				t.Errorf("query %q parsed %v; want k=1&q=a+b&q=c%%26d", s.RawQuery, s.Query)
			}
		}},
		"rest single-value query": {"apigw-rest.json", func(ev map[string]any) {
			ev["queryStringParameters"] = map[string]any{"name": "中文 x"}
		}, func(t *testing.T, s seen) {
			if s.Query.Get("name") != "中文 x" {
				t.Errorf("query %q; want name=中文 x", s.RawQuery)
			}
		}},
		"rest path that looks like a host": {"apigw-rest.json", pathOnly("//evil.example/industry"), func(t *testing.T, s seen) {
			if s.Path != "//evil.example/industry" || s.Host != "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com" {
				t.Errorf("path %q host %q; want the path kept and the host unchanged", s.Path, s.Host)
			}
		}},
		"rest escaped path": {"apigw-rest.json", pathOnly("/a%2Fb/c%20d"), func(t *testing.T, s seen) {
			if s.Path != "/a/b/c d" {
				t.Errorf("path %q; want decoded /a/b/c d", s.Path)
			}
		}},
		"rest base path mapping routes on resource": {"apigw-rest.json", set("path", "/v1/industry"), func(t *testing.T, s seen) {
			if s.Path != "/industry" {
				t.Errorf("path %q; want the resource /industry", s.Path)
			}
		}},
		"rest resource with parameter": {"apigw-rest.json", both(set("path", "/v1/accounts/wx0123456789abcdef/industry"),
			set("resource", "/accounts/{appid}/industry"), set("pathParameters", map[string]any{"appid": "wx0123456789abcdef"})),
			func(t *testing.T, s seen) {
				if s.Path != "/accounts/wx0123456789abcdef/industry" {
					t.Errorf("path %q; want /accounts/wx0123456789abcdef/industry", s.Path)
				}
			}},
		"rest greedy proxy resource": {"apigw-rest.json", both(set("path", "/v1/a/b"),
			set("resource", "/{proxy+}"), set("pathParameters", map[string]any{"proxy": "a/b"})), func(t *testing.T, s seen) {
			if s.Path != "/a/b" {
				t.Errorf("path %q; want /a/b", s.Path)
			}
		}},
		"rest missing parameter falls back to path": {"apigw-rest.json", both(set("path", "/accounts/x/industry"),
			set("resource", "/accounts/{appid}/industry"), set("pathParameters", nil)), func(t *testing.T, s seen) {
			if s.Path != "/accounts/x/industry" {
				t.Errorf("path %q; want the event's path", s.Path)
			}
		}},
		"rest If-None-Match on several lines": {"apigw-rest.json", func(ev map[string]any) {
			obj(t, ev, "headers")["If-None-Match"] = `"b"`
			obj(t, ev, "multiValueHeaders")["If-None-Match"] = []any{`"a"`, `"b"`}
		}, func(t *testing.T, s seen) {
			if got := s.Header.Values("If-None-Match"); !slices.Equal(got, []string{`"a"`, `"b"`}) {
				t.Errorf("If-None-Match = %q; want both lines", got)
			}
		}},
		"alb If-None-Match on several lines": {"alb.json", func(ev map[string]any) {
			obj(t, ev, "multiValueHeaders")["if-none-match"] = []any{`"a"`, `W/"b"`}
		}, func(t *testing.T, s seen) {
			if got := s.Header.Values("If-None-Match"); !slices.Equal(got, []string{`"a"`, `W/"b"`}) {
				t.Errorf("If-None-Match = %q; want both lines", got)
			}
		}},
		"rest base64 body": {"apigw-rest.json", func(ev map[string]any) {
			ev["httpMethod"] = "POST"
			ev["body"] = base64.StdEncoding.EncodeToString([]byte("h\xc3\xa9\x00\xff"))
			ev["isBase64Encoded"] = true
		}, func(t *testing.T, s seen) {
			if s.Method != "POST" || string(s.Body) != "h\xc3\xa9\x00\xff" {
				t.Errorf("%s body %q; want POST with the decoded bytes", s.Method, s.Body)
			}
		}},
		"rest text body": {"apigw-rest.json", func(ev map[string]any) {
			ev["httpMethod"] = "PUT"
			ev["body"] = `{"a":1}`
		}, func(t *testing.T, s seen) {
			if string(s.Body) != `{"a":1}` {
				t.Errorf("body %q", s.Body)
			}
		}},
		"rest body of exactly MaxBodyBytes": {"apigw-rest.json", func(ev map[string]any) {
			ev["httpMethod"] = "POST"
			ev["body"] = strings.Repeat("x", MaxBodyBytes)
		}, func(t *testing.T, s seen) {
			if len(s.Body) != MaxBodyBytes {
				t.Errorf("body is %d bytes; want %d", len(s.Body), MaxBodyBytes)
			}
		}},
		"http query and cookies": {"apigw-http.json", func(ev map[string]any) {
			ev["rawQueryString"] = "x=foo%3Dbar&x=2"
			ev["cookies"] = []any{"a=1", "b=2"}
		}, func(t *testing.T, s seen) {
			if s.RawQuery != "x=foo%3Dbar&x=2" || s.Header.Get("Cookie") != "a=1; b=2" {
				t.Errorf("query %q cookie %q", s.RawQuery, s.Header.Get("Cookie"))
			}
		}},
		"http named stage stripped": {"apigw-http.json", withStage(t, "prod", "/prod/industry"), func(t *testing.T, s seen) {
			if s.Path != "/industry" {
				t.Errorf("path %q; want /industry", s.Path)
			}
		}},
		"http named stage root": {"apigw-http.json", withStage(t, "prod", "/prod"), func(t *testing.T, s seen) {
			if s.Path != "/" {
				t.Errorf("path %q; want /", s.Path)
			}
		}},
		"http stage name only as prefix": {"apigw-http.json", withStage(t, "prod", "/production/industry"), func(t *testing.T, s seen) {
			if s.Path != "/production/industry" {
				t.Errorf("path %q; want it unchanged", s.Path)
			}
		}},
		"http default stage kept": {"apigw-http.json", withStage(t, "$default", "/prod/industry"), func(t *testing.T, s seen) {
			if s.Path != "/prod/industry" {
				t.Errorf("path %q; want it unchanged", s.Path)
			}
		}},
		"function url path not stripped": {"function-url.json", func(ev map[string]any) {
			ev["rawPath"] = "/$default/industry"
		}, func(t *testing.T, s seen) {
			if s.Path != "/$default/industry" {
				t.Errorf("path %q; want it unchanged", s.Path)
			}
		}},
		"function url cookies and query": {"function-url.json", func(ev map[string]any) {
			ev["rawQueryString"] = "a=1"
			ev["cookies"] = []any{"s=x"}
		}, func(t *testing.T, s seen) {
			if s.RawQuery != "a=1" || s.Header.Get("Cookie") != "s=x" {
				t.Errorf("query %q cookie %q", s.RawQuery, s.Header.Get("Cookie"))
			}
		}},
		"alb query kept encoded": {"alb.json", func(ev map[string]any) {
			ev["multiValueQueryStringParameters"] = map[string]any{"x": []any{"foo%3Dbar", "a+b"}}
		}, func(t *testing.T, s seen) {
			if s.RawQuery != "x=foo%3Dbar&x=a+b" || !slices.Equal(s.Query["x"], []string{"foo=bar", "a b"}) {
				t.Errorf("query %q parsed %v; want x=foo%%3Dbar&x=a+b", s.RawQuery, s.Query)
			}
		}},
		"alb single-value mode": {"alb.json", albSingle(t), func(t *testing.T, s seen) {
			if s.Header.Get("Accept") != "application/json" || s.Host != "internal-getindustry-1234567890.us-east-1.elb.amazonaws.com" {
				t.Errorf("Accept %q Host %q", s.Header.Get("Accept"), s.Host)
			}
		}},
		"alb remote is last forwarded": {"alb.json", func(ev map[string]any) {
			obj(t, ev, "multiValueHeaders")["x-forwarded-for"] = []any{"198.51.100.1, 203.0.113.99"}
		}, func(t *testing.T, s seen) {
			if s.RemoteAddr != "203.0.113.99" {
				t.Errorf("RemoteAddr %q; want 203.0.113.99", s.RemoteAddr)
			}
		}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			w := invoke(t, t.Context(), echoHandler(), editFixture(t, tt.fixture, tt.edit))
			if w.StatusCode != http.StatusOK {
				t.Fatalf("statusCode = %d; want 200 (body %s)", w.StatusCode, w.Body)
			}
			tt.check(t, w.seen(t))
		})
	}
}

// albSingle turns the ALB fixture into an event from a target group without multi-value
// headers.
func albSingle(tb testing.TB) func(map[string]any) {
	return func(ev map[string]any) {
		tb.Helper()
		single := map[string]any{}
		for k, v := range obj(tb, ev, "multiValueHeaders") {
			single[k] = v.([]any)[0]
		}
		delete(ev, "multiValueHeaders")
		delete(ev, "multiValueQueryStringParameters")
		ev["headers"] = single
		ev["queryStringParameters"] = map[string]any{}
	}
}

// pathOnly returns a fixture edit that gives a REST event a path and no resource, so that
// the request is routed on the path.
func pathOnly(path string) func(map[string]any) {
	return func(ev map[string]any) {
		ev["path"] = path
		delete(ev, "resource")
	}
}

// method returns a fixture edit that sets httpMethod.
func method(m string) func(map[string]any) { return set("httpMethod", m) }

// v2Method returns a fixture edit that sets requestContext.http.method.
func v2Method(tb testing.TB, m string) func(map[string]any) {
	return func(ev map[string]any) {
		tb.Helper()
		obj(tb, obj(tb, ev, "requestContext"), "http")["method"] = m
	}
}

// body returns a fixture edit that sets the body.
func body(b string, isBase64 bool) func(map[string]any) {
	return func(ev map[string]any) {
		ev["body"] = b
		ev["isBase64Encoded"] = isBase64
	}
}

// set returns a fixture edit that sets one top-level field.
func set(key string, v any) func(map[string]any) {
	return func(ev map[string]any) { ev[key] = v }
}

// both chains fixture edits.
func both(edits ...func(map[string]any)) func(map[string]any) {
	return func(ev map[string]any) {
		for _, e := range edits {
			e(ev)
		}
	}
}

// TestRESTPath checks how a REST event's resource and path parameters become the path the
// handler routes on, including AWS's own sample event.
func TestRESTPath(t *testing.T) {
	tests := map[string]struct {
		resource string
		params   map[string]string
		path     string
		want     string
	}{
		"plain resource":         {"/industry", nil, "/v1/industry", "/industry"},
		"named parameter":        {"/accounts/{appid}/industry", map[string]string{"appid": "wx1"}, "/v1/accounts/wx1/industry", "/accounts/wx1/industry"},
		"greedy parameter":       {"/{proxy+}", map[string]string{"proxy": "hello/world"}, "/hello/world", "/hello/world"},
		"two parameters":         {"/{a}/x/{b+}", map[string]string{"a": "1", "b": "2/3"}, "/p/1/x/2/3", "/1/x/2/3"},
		"missing parameter":      {"/accounts/{appid}/industry", map[string]string{"other": "x"}, "/accounts/wx2/industry", "/accounts/wx2/industry"},
		"no resource":            {"", nil, "/industry", "/industry"},
		"resource not from root": {"industry", nil, "/industry", "/industry"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := restPath(tt.resource, tt.params, tt.path); got != tt.want {
				t.Errorf("restPath(%q, %v, %q) = %q; want %q", tt.resource, tt.params, tt.path, got, tt.want)
			}
		})
	}
	t.Run("aws-lambda-go sample", func(t *testing.T) {
		payload, err := os.ReadFile(filepath.Join("testdata", "aws-lambda-go", "apigw-request.json"))
		if err != nil {
			t.Fatal(err)
		}
		w := invoke(t, t.Context(), echoHandler(), payload)
		if s := w.seen(t); s.Path != "/hello/world" || s.Query.Get("name") != "me" {
			t.Errorf("handler saw %s?%s; want /hello/world?name=me", s.Path, s.RawQuery)
		}
	})
}

// TestDomainNameFromContext checks that the handler sees the event's
// requestContext.domainName, never the Host header the client sent, and
// nothing for an ALB event.
func TestDomainNameFromContext(t *testing.T) {
	for name, want := range map[string]string{
		"apigw-rest.json":   "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
		"apigw-http.json":   "f6g7h8i9j0.execute-api.us-east-1.amazonaws.com",
		"function-url.json": "lambda-url-id.lambda-url.us-east-1.on.aws",
		"alb.json":          "",
	} {
		t.Run(name, func(t *testing.T) {
			payload := editFixture(t, name, func(ev map[string]any) {
				if h, ok := ev["headers"].(map[string]any); ok {
					h["host"] = "evil.example"
				}
				if h, ok := ev["multiValueHeaders"].(map[string]any); ok {
					h["host"] = []any{"evil.example"}
				}
			})
			var got string
			var ok bool
			h := Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, ok = DomainNameFromContext(r.Context())
			}), nil)
			if _, err := h.Invoke(t.Context(), payload); err != nil {
				t.Fatal(err)
			}
			if got != want || ok != (want != "") {
				t.Errorf("DomainNameFromContext() = %q, %v; want %q, %v", got, ok, want, want != "")
			}
		})
	}
	if d, ok := DomainNameFromContext(t.Context()); ok || d != "" {
		t.Errorf("DomainNameFromContext(outside Wrap) = %q, %v; want \"\", false", d, ok)
	}
}
