package token_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/token"
)

// c0 is the time the codec tests count from.
var c0 = time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return c0.Add(d) }

func TestDecodeSecret(t *testing.T) {
	tests := []struct {
		name      string
		value     string
		want      token.Secret
		wantNote  string
		wantExtra []string
	}{
		{"bare token", "  tok-1\n", token.Secret{AccessToken: "tok-1"}, "", nil},
		{"empty", " ", token.Secret{}, "secret is empty", nil},
		{"refresher's own", `{"access_token":"tok-1","expires_at":"2026-03-02T06:00:00Z"}`,
			token.Secret{AccessToken: "tok-1", ExpiresAt: at(2 * time.Hour)}, "", nil},
		{"with forces and extras", `{"access_token":"tok-1","expires_at":"2026-03-02T12:00:00+08:00","forced_at":["2026-03-02T04:00:30Z","2026-03-02T04:00:00Z","junk"],"note":"x"}`,
			token.Secret{AccessToken: "tok-1", ExpiresAt: at(0), ForcedAt: []time.Time{at(0), at(30 * time.Second)}}, "", []string{"note"}},
		{"no expiry", `{"access_token":"tok-1"}`, token.Secret{AccessToken: "tok-1"}, "", nil},
		{"bad expiry", `{"access_token":"tok-1","expires_at":"tomorrow"}`, token.Secret{AccessToken: "tok-1"}, "expires_at is not RFC 3339", nil},
		{"expiry a number", `{"access_token":"tok-1","expires_at":7200}`, token.Secret{AccessToken: "tok-1"}, "expires_at is not RFC 3339", nil},
		{"token not a string", `{"access_token":7}`, token.Secret{}, `field "access_token" missing or not a string`, nil},
		{"forced_at not a list", `{"access_token":"t","forced_at":"2026-03-02T04:00:00Z"}`, token.Secret{AccessToken: "t"}, "forced_at is not a list of times", nil},
		{"not json", `{"access_token":"SENTINEL`, token.Secret{}, "secret is not valid JSON", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := token.DecodeSecret(tt.value, "")
			note := ""
			if err != nil {
				note = err.(*token.Error).Reason
			}
			extra := got.Extra
			got.Extra = nil
			if !equalSecret(got, tt.want) || note != tt.wantNote {
				t.Errorf("DecodeSecret(%s) = %+v, %q; want %+v, %q", tt.value, got, note, tt.want, tt.wantNote)
			}
			if len(extra) != len(tt.wantExtra) {
				t.Errorf("extra fields = %v; want %v", extra, tt.wantExtra)
			}
			if strings.Contains(note, "SENTINEL") {
				t.Errorf("note %q quotes the value", note)
			}
		})
	}
}

func equalSecret(a, b token.Secret) bool {
	return a.AccessToken == b.AccessToken && a.ExpiresAt.Equal(b.ExpiresAt) && slices.EqualFunc(a.ForcedAt, b.ForcedAt, time.Time.Equal)
}

func TestEncodeRoundTrip(t *testing.T) {
	in := `{"access_token":"tok-1","expires_at":"2026-03-02T12:00:00+08:00","forced_at":["2026-03-02T04:00:00Z"],"owner":{"team":"wx"}}`
	st, _ := token.DecodeSecret(in, "")
	out, err := st.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"access_token":"tok-1","expires_at":"2026-03-02T04:00:00Z","forced_at":["2026-03-02T04:00:00Z"],"owner":{"team":"wx"}}`
	if out != want {
		t.Errorf("Encode() = %s; want %s", out, want)
	}
	bare, _ := token.Secret{AccessToken: "tok-2", ExpiresAt: at(time.Hour)}.Encode()
	var m map[string]any
	if err := json.Unmarshal([]byte(bare), &m); err != nil || !reflect.DeepEqual(m, map[string]any{"access_token": "tok-2", "expires_at": "2026-03-02T05:00:00Z"}) {
		t.Errorf("Encode() = %s; want only access_token and expires_at", bare)
	}
}

// TestSecretPrintsNoToken: a Secret formatted by mistake shows no token.
func TestSecretPrintsNoToken(t *testing.T) {
	s := token.Secret{AccessToken: "SENTINEL-TOKEN", ExpiresAt: at(0)}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(format, s); strings.Contains(out, "SENTINEL") {
			t.Errorf("Sprintf(%q) = %s; want the token redacted", format, out)
		}
	}
}
