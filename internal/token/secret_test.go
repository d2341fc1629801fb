package token_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/token"
	"github.com/wxindustry/getindustry/internal/token/smtest"
)

// TestSentinelNeverLeaks drives every failure path with the token set to a
// sentinel and checks that it appears in no error string and no log line.
func TestSentinelNeverLeaks(t *testing.T) {
	exp := t0.Add(10 * time.Minute).Format(time.RFC3339)
	past := t0.Add(-time.Minute).Format(time.RFC3339)
	values := []struct{ name, value string }{
		{"bad json", `{"access_token":"` + sentinel + `" bad`},
		{"bad json start", "{" + sentinel},
		{"not a string", `{"access_token":["` + sentinel + `"]}`},
		{"missing field", `{"token":"` + sentinel + `"}`},
		{"bad expiry", `{"access_token":"` + sentinel + `","expires_at":"` + sentinel + `"}`},
		{"expired", `{"access_token":"` + sentinel + `","expires_at":"` + past + `"}`},
	}
	faults := []smtest.Fault{
		{Type: "ResourceNotFoundException"}, {Type: "AccessDeniedException"}, {Type: "DecryptionFailure"},
		{Type: "InvalidRequestException"}, {Type: "InternalServiceError"}, {Type: "ThrottlingException"},
	}
	check := func(t *testing.T, what string, s string) {
		t.Helper()
		if strings.Contains(s, sentinel) {
			t.Errorf("%s contains the token: %s", what, s)
		}
	}

	t.Run("malformed secrets", func(t *testing.T) {
		for _, v := range values {
			e := newEnv(t, token.Options{}, nil)
			e.fake.SetSecret(secretID, v.value)
			_, err := e.src.Token(context.Background())
			if err == nil {
				t.Fatalf("%s: Token() err = nil; want an error", v.name)
			}
			check(t, v.name+" error", err.Error())
			check(t, v.name+" logs", e.logs.String())
		}
	})

	t.Run("SDK failures and stale serving", func(t *testing.T) {
		e := newEnv(t, token.Options{TTL: time.Minute, FetchTimeout: 50 * time.Millisecond, MinRereadInterval: time.Second}, nil)
		e.fake.SetSecret(secretID, `{"access_token":"`+sentinel+`","expires_at":"`+exp+`"}`)
		e.mustToken(t, sentinel)
		for _, f := range append(faults, smtest.Fault{Delay: time.Minute}) {
			e.clock.Advance(time.Minute)
			e.fake.Fail(secretID, f, f, f)
			e.mustToken(t, sentinel) // served stale, with a warning
		}
		e.src.Invalidate(sentinel)
		e.src.Invalidate(sentinel)
		for _, f := range faults {
			e.fake.Fail(secretID, f, f, f)
			_, err := e.src.Token(context.Background())
			if err == nil {
				t.Fatalf("Token() with fault %s err = nil; want an error", f.Type)
			}
			check(t, "error", err.Error())
		}
		if !strings.Contains(e.logs.String(), "serving cached token") {
			t.Errorf("logs = %s; want stale-serving warnings", e.logs.String())
		}
		check(t, "logs", e.logs.String())
	})

	t.Run("malformed reply", func(t *testing.T) {
		// A reply cut off inside SecretString: the SDK's decode error must
		// not carry the partial value into ours.
		e := newEnv(t, token.Options{}, func(http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/x-amz-json-1.1")
				_, _ = w.Write([]byte(`{"Name":"wechat/token","SecretString":"` + sentinel))
			})
		})
		_, err := e.src.Token(context.Background())
		var te *token.Error
		if !errors.As(err, &te) || te.Reason != "secrets manager sent a malformed reply" {
			t.Fatalf("Token() err = %v; want \"secrets manager sent a malformed reply\"", err)
		}
		check(t, "error", err.Error())
		check(t, "logs", e.logs.String())
	})
}
