package token_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/token"
)

func TestParseSecret(t *testing.T) {
	exp := time.Date(2026, 3, 1, 14, 0, 0, 0, time.FixedZone("CST", 8*3600))
	tests := []struct {
		name, value, field string
		want               string
		wantExp            time.Time
		wantReason         string
	}{
		{"bare", "tok", "", "tok", time.Time{}, ""},
		{"bare trimmed", "\t tok \r\n", "", "tok", time.Time{}, ""},
		{"bare not an object", `["tok"]`, "", `["tok"]`, time.Time{}, ""},
		{"json", `{"access_token":"tok"}`, "", "tok", time.Time{}, ""},
		{"json padded", "  {\"access_token\": \" tok \"}\n", "", "tok", time.Time{}, ""},
		{"json with expiry", `{"access_token":"tok","expires_at":"2026-03-01T14:00:00+08:00"}`, "", "tok", exp, ""},
		{"fractional expiry", `{"access_token":"tok","expires_at":"2026-03-01T06:00:00.5Z"}`, "", "tok", exp.Add(500 * time.Millisecond), ""},
		{"null expiry", `{"access_token":"tok","expires_at":null}`, "", "tok", time.Time{}, ""},
		{"unknown fields", `{"x":{"y":[1,2]},"access_token":"tok","appid":"wx1"}`, "", "tok", time.Time{}, ""},
		{"custom field", `{"token":"tok"}`, "token", "tok", time.Time{}, ""},
		{"refresher's forced_at ignored", `{"access_token":"tok","forced_at":"junk"}`, "", "tok", time.Time{}, ""},
		{"empty", "", "", "", time.Time{}, "secret is empty"},
		{"blank", " \n\t", "", "", time.Time{}, "secret is empty"},
		{"bad json", "{bad", "", "", time.Time{}, "secret is not valid JSON"},
		{"trailing data", `{"access_token":"tok"} x`, "", "", time.Time{}, "secret is not valid JSON"},
		{"missing field", `{"token":"tok"}`, "", "", time.Time{}, `field "access_token" missing or not a string`},
		{"null field", `{"access_token":null}`, "", "", time.Time{}, `field "access_token" missing or not a string`},
		{"number field", `{"access_token":1}`, "", "", time.Time{}, `field "access_token" missing or not a string`},
		{"empty field", `{"access_token":"  "}`, "", "", time.Time{}, `field "access_token" is empty`},
		{"custom field missing", `{"access_token":"tok"}`, "token", "", time.Time{}, `field "token" missing or not a string`},
		{"expiry not RFC 3339", `{"access_token":"tok","expires_at":"2026-03-01 14:00"}`, "", "", time.Time{}, "expires_at is not RFC 3339"},
		{"expiry a number", `{"access_token":"tok","expires_at":1767225600}`, "", "", time.Time{}, "expires_at is not RFC 3339"},
		{"expiry empty", `{"access_token":"tok","expires_at":""}`, "", "", time.Time{}, "expires_at is not RFC 3339"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, gotExp, err := token.ParseSecret(tt.value, tt.field)
			if tt.wantReason != "" {
				te := asTokenError(t, err)
				if te.Reason != tt.wantReason || te.Transient || te.SecretID != "" {
					t.Errorf("ParseSecret() err = %+v; want Reason %q, not transient, no SecretID", te, tt.wantReason)
				}
				if got != "" || !gotExp.IsZero() {
					t.Errorf("ParseSecret() = %q, %v; want zero values with the error", got, gotExp)
				}
				return
			}
			if err != nil || got != tt.want || !gotExp.Equal(tt.wantExp) {
				t.Errorf("ParseSecret() = %q, %v, %v; want %q, %v, nil", got, gotExp, err, tt.want, tt.wantExp)
			}
		})
	}
}

// causeRE matches the only causes ParseSecret attaches; neither quotes input.
var causeRE = regexp.MustCompile(`^(syntax error at offset \d+|not a JSON object)$`)

func FuzzParseSecret(f *testing.F) {
	f.Add(`{"access_token":"tok","expires_at":"2026-03-01T14:00:00+08:00"}`, "")
	f.Add("tok", "access_token")
	f.Fuzz(func(t *testing.T, value, field string) {
		tok, exp, err := token.ParseSecret(value, field)
		if field == "" {
			field = token.DefaultField
		}
		if err != nil {
			var te *token.Error
			if !errors.As(err, &te) {
				t.Fatalf("ParseSecret err = %v (%T); want *token.Error", err, err)
			}
			reasons := []string{"secret is empty", "secret is not valid JSON", "expires_at is not RFC 3339",
				fmt.Sprintf("field %q missing or not a string", field), fmt.Sprintf("field %q is empty", field)}
			known := false
			for _, r := range reasons {
				known = known || te.Reason == r
			}
			if !known || (te.Err != nil && !causeRE.MatchString(te.Err.Error())) {
				t.Fatalf("ParseSecret err = %q; want a fixed reason and cause that quote no input", err)
			}
			if tok != "" || !exp.IsZero() {
				t.Fatalf("ParseSecret = %q, %v with error; want zero values", tok, exp)
			}
			return
		}
		if tok == "" || tok != strings.TrimSpace(tok) {
			t.Fatalf("ParseSecret token = %q; want non-empty and trimmed", tok)
		}
		if v := strings.TrimSpace(value); !strings.HasPrefix(v, "{") && (tok != v || !exp.IsZero()) {
			t.Fatalf("ParseSecret(bare %q) = %q, %v; want the trimmed value and no expiry", value, tok, exp)
		}
	})
}
