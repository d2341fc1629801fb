package token_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/wxindustry/getindustry/internal/token"
	"github.com/wxindustry/getindustry/internal/token/smtest"
)

func TestTokenSecretValues(t *testing.T) {
	future := t0.Add(2 * time.Hour).Format(time.RFC3339)
	tests := []struct {
		name   string
		field  string
		value  string
		binary bool
		want   string
	}{
		{"bare string trimmed", "", "  tok-bare\n", false, "tok-bare"},
		{"json", "", `{"access_token":"tok-json","note":"ignored","n":1}`, false, "tok-json"},
		{"json with expiry", "", `{"access_token":"tok-exp","expires_at":"` + future + `"}`, false, "tok-exp"},
		{"custom field", "token", `{"token":"tok-custom","access_token":"other"}`, false, "tok-custom"},
		{"binary secret", "", `{"access_token":"tok-bin"}`, true, "tok-bin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, token.Options{Field: tt.field}, nil)
			if tt.binary {
				e.fake.SetSecretBinary(secretID, []byte(tt.value))
			} else {
				e.fake.SetSecret(secretID, tt.value)
			}
			e.mustToken(t, tt.want)
			if got := int64(e.fake.Reads(secretID)); got != 1 {
				t.Errorf("GetSecretValue invocations = %d; want 1", got)
			}
		})
	}
}

func TestTokenErrors(t *testing.T) {
	past := t0.Add(-time.Second).Format(time.RFC3339)
	throttle := smtest.Fault{Type: "ThrottlingException"}
	internal := smtest.Fault{Type: "InternalServiceError"}
	tests := []struct {
		name          string
		field         string
		value         string // "" leaves the secret unset
		faults        []smtest.Fault
		fetchTimeout  time.Duration
		wantReason    string
		wantTransient bool
		wantAPICode   string
		wantCalls     int
	}{
		{"not found", "", "", nil, 0, "secret not found", false, "ResourceNotFoundException", 1},
		{"access denied", "", "x", []smtest.Fault{{Type: "AccessDeniedException"}}, 0, "access denied", false, "AccessDeniedException", 1},
		{"decryption failure", "", "x", []smtest.Fault{{Type: "DecryptionFailure"}}, 0, "secret cannot be decrypted", false, "DecryptionFailure", 1},
		{"marked for deletion", "", "x", []smtest.Fault{{Type: "InvalidRequestException"}}, 0, "secret cannot be read (invalid request)", false, "InvalidRequestException", 1},
		{"throttled after SDK retries", "", "x", []smtest.Fault{throttle, throttle, throttle}, 0, "secrets manager throttled", true, "ThrottlingException", 3},
		{"500 after SDK retries", "", "x", []smtest.Fault{internal, internal, internal}, 0, "secrets manager unavailable", true, "InternalServiceError", 3},
		{"other 5xx", "", "x", []smtest.Fault{{Type: "Weird", Status: 502}, {Status: 502}, {Status: 502}}, 0, "secrets manager unavailable", true, "", 3},
		{"timeout", "", "x", []smtest.Fault{{Delay: time.Minute}}, 50 * time.Millisecond, "timed out", true, "", 1},
		{"empty", "", "   ", nil, 0, "secret is empty", false, "", 1},
		{"not JSON", "", "{bad", nil, 0, "secret is not valid JSON", false, "", 1},
		{"missing field", "", `{"token":"x"}`, nil, 0, `field "access_token" missing or not a string`, false, "", 1},
		{"missing custom field", "tok", `{"access_token":"x"}`, nil, 0, `field "tok" missing or not a string`, false, "", 1},
		{"field not a string", "", `{"access_token":42}`, nil, 0, `field "access_token" missing or not a string`, false, "", 1},
		{"bad expires_at", "", `{"access_token":"x","expires_at":"tomorrow"}`, nil, 0, "expires_at is not RFC 3339", false, "", 1},
		{"expired in secret", "", `{"access_token":"x","expires_at":"` + past + `"}`, nil, 0, "token in secret has expired", false, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, token.Options{Field: tt.field, FetchTimeout: tt.fetchTimeout}, nil)
			if tt.value != "" {
				e.fake.SetSecret(secretID, tt.value)
			}
			e.fake.Fail(secretID, tt.faults...)
			got, err := e.src.Token(context.Background())
			if got != "" {
				t.Errorf("Token() = %q; want empty on error", got)
			}
			te := asTokenError(t, err)
			if te.Reason != tt.wantReason || te.Transient != tt.wantTransient || te.SecretID != secretID {
				t.Errorf("Token() err = %+v; want Reason %q, Transient %v, SecretID %q", te, tt.wantReason, tt.wantTransient, secretID)
			}
			var ae smithy.APIError
			if tt.wantAPICode != "" && (!errors.As(err, &ae) || ae.ErrorCode() != tt.wantAPICode) {
				t.Errorf("Token() err = %v; want to unwrap to API error %s", err, tt.wantAPICode)
			}
			if tt.wantReason == "timed out" && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Token() err = %v; want to unwrap to context.DeadlineExceeded", err)
			}
			if want := `token: read secret "wechat/token": ` + tt.wantReason; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("Token() err = %q; want prefix %q", err, want)
			}
			e.wantCalls(t, tt.wantCalls)
		})
	}
}

func TestTokenThrottledThenRecovered(t *testing.T) {
	e := newEnv(t, token.Options{}, nil)
	e.fake.SetSecret(secretID, "tok-1")
	e.fake.Fail(secretID, smtest.Fault{Type: "ThrottlingException"}, smtest.Fault{Type: "InternalServiceError"})
	e.mustToken(t, "tok-1")
	e.wantCalls(t, 3) // the SDK retried twice
	if got := int64(e.fake.Reads(secretID)); got != 1 {
		t.Errorf("GetSecretValue invocations = %d; want 1", got)
	}
}

func TestTokenNetworkError(t *testing.T) {
	srv := smtest.NewServer(smtest.NewFake())
	url := srv.URL
	srv.Close()
	src, err := token.NewSource(smtest.NewClient(url), token.Options{SecretID: secretID})
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Token(context.Background())
	if te := asTokenError(t, err); te.Reason != "secrets manager unavailable" || !te.Transient {
		t.Errorf("Token() err = %+v; want transient \"secrets manager unavailable\"", te)
	}
}

func TestTokenCacheTTL(t *testing.T) {
	e := newEnv(t, token.Options{TTL: time.Minute}, nil)
	e.fake.SetSecret(secretID, "tok-1")
	e.mustToken(t, "tok-1")
	e.fake.SetSecret(secretID, "tok-2")
	e.clock.Advance(59 * time.Second)
	e.mustToken(t, "tok-1")
	e.wantCalls(t, 1)
	e.clock.Advance(time.Second)
	e.mustToken(t, "tok-2")
	e.wantCalls(t, 2)
}

func TestTokenEarlyRefresh(t *testing.T) {
	e := newEnv(t, token.Options{TTL: time.Hour, ExpiryMargin: time.Minute}, nil)
	exp := t0.Add(10 * time.Minute)
	e.fake.SetSecret(secretID, `{"access_token":"tok-1","expires_at":"`+exp.Format(time.RFC3339)+`"}`)
	e.mustToken(t, "tok-1")
	e.fake.SetSecret(secretID, `{"access_token":"tok-2","expires_at":"`+exp.Add(2*time.Hour).Format(time.RFC3339)+`"}`)
	e.clock.Advance(9*time.Minute - time.Second) // 61s before expiry: still trusted
	e.mustToken(t, "tok-1")
	e.wantCalls(t, 1)
	e.clock.Advance(2 * time.Second) // 59s before expiry: inside the margin
	e.mustToken(t, "tok-2")
	e.wantCalls(t, 2)
}

func TestTokenInsideMarginIsServedButNeverPastExpiry(t *testing.T) {
	e := newEnv(t, token.Options{ExpiryMargin: time.Minute, MinRereadInterval: time.Second}, nil)
	exp := t0.Add(30 * time.Second)
	e.fake.SetSecret(secretID, `{"access_token":"tok-1","expires_at":"`+exp.Format(time.RFC3339)+`"}`)
	e.mustToken(t, "tok-1") // valid for 30s more, inside the 60s margin
	e.mustToken(t, "tok-1")
	e.wantCalls(t, 1) // re-read at most once per MinRereadInterval
	e.clock.Advance(time.Second)
	e.mustToken(t, "tok-1")
	e.wantCalls(t, 2)
	e.clock.Advance(29 * time.Second) // now == expires_at
	_, err := e.src.Token(context.Background())
	if te := asTokenError(t, err); te.Reason != "token in secret has expired" {
		t.Errorf("Token() at expiry err = %v; want \"token in secret has expired\"", err)
	}
}

func TestTokenStaleOnError(t *testing.T) {
	exp := t0.Add(10 * time.Minute)
	e := newEnv(t, token.Options{TTL: time.Minute, MinRereadInterval: time.Second}, nil)
	e.fake.SetSecret(secretID, `{"access_token":"tok-1","expires_at":"`+exp.Format(time.RFC3339)+`"}`)
	e.mustToken(t, "tok-1")

	e.clock.Advance(time.Minute)
	e.fake.Fail(secretID, smtest.Fault{Type: "AccessDeniedException"})
	e.mustToken(t, "tok-1")
	e.wantCalls(t, 2)
	if logs := e.logs.String(); !strings.Contains(logs, `"level":"WARN","msg":"token refresh failed, serving cached token"`) ||
		!strings.Contains(logs, `"reason":"access denied"`) {
		t.Errorf("logs = %s; want a warning with the reason", logs)
	}
	e.mustToken(t, "tok-1")
	e.wantCalls(t, 2) // no new read before MinRereadInterval

	e.clock.Advance(time.Second)
	e.fake.Fail(secretID, smtest.Fault{Type: "ThrottlingException"}, smtest.Fault{Type: "ThrottlingException"}, smtest.Fault{Type: "ThrottlingException"})
	e.mustToken(t, "tok-1")
	e.wantCalls(t, 5)

	e.clock.Advance(exp.Sub(e.clock.Now())) // at expires_at: never served
	e.fake.Fail(secretID, smtest.Fault{Type: "AccessDeniedException"})
	_, err := e.src.Token(context.Background())
	if te := asTokenError(t, err); te.Reason != "access denied" {
		t.Errorf("Token() after expiry err = %v; want access denied", err)
	}
}

func TestTokenNoStaleWithoutExpiry(t *testing.T) {
	e := newEnv(t, token.Options{TTL: time.Minute}, nil)
	e.fake.SetSecret(secretID, "tok-1")
	e.mustToken(t, "tok-1")
	e.clock.Advance(time.Minute)
	e.fake.Fail(secretID, smtest.Fault{Type: "AccessDeniedException"})
	_, err := e.src.Token(context.Background())
	if te := asTokenError(t, err); te.Reason != "access denied" {
		t.Errorf("Token() err = %v; want access denied (no expires_at, no stale serving)", err)
	}
}

func TestInvalidate(t *testing.T) {
	e := newEnv(t, token.Options{MinRereadInterval: time.Second}, nil)
	e.fake.SetSecret(secretID, "tok-1")
	e.mustToken(t, "tok-1")
	e.fake.SetSecret(secretID, "tok-2")

	e.src.Invalidate("not-the-cached-token")
	e.mustToken(t, "tok-1")
	e.wantCalls(t, 1)

	e.src.Invalidate("tok-1")
	e.mustToken(t, "tok-2")
	e.wantCalls(t, 2)

	e.src.Invalidate("tok-1") // already replaced: kept
	e.mustToken(t, "tok-2")
	e.wantCalls(t, 2)
}

func TestInvalidateStormGuard(t *testing.T) {
	e := newEnv(t, token.Options{MinRereadInterval: time.Second}, nil)
	e.fake.SetSecret(secretID, "tok-1") // the secret keeps the rejected token
	e.mustToken(t, "tok-1")
	e.src.Invalidate("tok-1")
	e.mustToken(t, "tok-1")
	e.wantCalls(t, 2)

	e.clock.Advance(999 * time.Millisecond)
	e.src.Invalidate("tok-1") // re-read because of an invalidation < 1s ago: kept
	e.mustToken(t, "tok-1")
	e.wantCalls(t, 2)

	e.clock.Advance(time.Millisecond)
	e.src.Invalidate("tok-1")
	e.mustToken(t, "tok-1")
	e.wantCalls(t, 3)
}

func TestInvalidateDoesNotGuardTTLReads(t *testing.T) {
	e := newEnv(t, token.Options{TTL: time.Minute, MinRereadInterval: time.Second}, nil)
	e.fake.SetSecret(secretID, "tok-1")
	e.mustToken(t, "tok-1")
	e.src.Invalidate("tok-1")
	e.mustToken(t, "tok-1")
	e.clock.Advance(time.Minute) // a TTL read, not caused by an invalidation
	e.mustToken(t, "tok-1")
	e.src.Invalidate("tok-1")
	e.mustToken(t, "tok-1")
	e.wantCalls(t, 4)
}

func TestNewSourceRejects(t *testing.T) {
	sm := smtest.NewClient("http://127.0.0.1:1")
	tests := []struct {
		name string
		sm   token.SecretGetter
		opts token.Options
	}{
		{"no secret id", sm, token.Options{}},
		{"nil getter", nil, token.Options{SecretID: secretID}},
		{"negative TTL", sm, token.Options{SecretID: secretID, TTL: -time.Second}},
		{"negative margin", sm, token.Options{SecretID: secretID, ExpiryMargin: -time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := token.NewSource(tt.sm, tt.opts)
			if err == nil || src != nil || !strings.HasPrefix(err.Error(), "token: new source: ") {
				t.Errorf("NewSource() = %v, %v; want nil and a \"token: new source\" error", src, err)
			}
		})
	}
}

// TestTokenStaleWhenSecretsManagerHangs: a caller whose deadline ends while
// the read still hangs gets the cached token, since it is before its
// expires_at, not a timeout; without an expires_at it gets the timeout.
func TestTokenStaleWhenSecretsManagerHangs(t *testing.T) {
	exp := t0.Add(2 * time.Hour)
	tests := []struct {
		name   string
		secret string
		want   string
	}{
		{"within expires_at", `{"access_token":"tok-1","expires_at":"` + exp.Format(time.RFC3339) + `"}`, "tok-1"},
		{"no expires_at", "tok-1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, token.Options{TTL: time.Minute, FetchTimeout: 2 * time.Second}, nil)
			e.fake.SetSecret(secretID, tt.secret)
			e.mustToken(t, "tok-1")
			e.clock.Advance(2 * time.Minute)
			e.fake.Fail(secretID, smtest.Fault{Type: "InternalServiceError", Delay: 5 * time.Second})
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			got, err := e.src.Token(ctx)
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Fatalf("Token() = %q, %v; want the cached %q", got, err, tt.want)
				}
				if !strings.Contains(e.logs.String(), "serving cached token") {
					t.Errorf("no warning logged: %s", e.logs.String())
				}
				return
			}
			if te := asTokenError(t, err); !te.Transient || te.Reason != "timed out" {
				t.Errorf("Token() err = %v; want a transient timeout", err)
			}
		})
	}
}

// TestNoCache: with NoCache every Token call reads the secret, and a
// rotation is seen at once.
func TestNoCache(t *testing.T) {
	e := newEnv(t, token.Options{NoCache: true}, nil)
	e.fake.SetSecret(secretID, "tok-1")
	e.mustToken(t, "tok-1")
	e.fake.SetSecret(secretID, "tok-2")
	e.mustToken(t, "tok-2")
	e.mustToken(t, "tok-2")
	if got := e.fake.Reads(secretID); got != 3 {
		t.Errorf("GetSecretValue invocations = %d; want 3, one per Token call", got)
	}
}
