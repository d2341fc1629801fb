package lambdaenv_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/lambdaenv"
)

func TestEnv(t *testing.T) {
	vars := map[string]string{"NAME": "  value ", "TTL": "0", "BAD": "5x", "URL": "https://svc:S3CRET@h/x/", "RAW": "https://svc:S3CRET@h/%zz"}
	env := lambdaenv.NewEnv(func(k string) string { return vars[k] })
	if got := env.String("NAME", "def"); got != "value" {
		t.Errorf("String(set) = %q; want the trimmed value", got)
	}
	if got := env.String("UNSET", "def"); got != "def" {
		t.Errorf("String(unset) = %q; want the default", got)
	}
	if got := env.Duration("TTL", "1m", true); got != 0 {
		t.Errorf("Duration(0, zero allowed) = %v; want 0", got)
	}
	if got := env.Duration("UNSET", "1m", false); got != time.Minute {
		t.Errorf("Duration(unset) = %v; want the default", got)
	}
	if err := env.Err(); err != nil {
		t.Fatalf("Err() = %v after good values; want nil", err)
	}
	reject := errors.New("rejected")
	if got := env.URL("URL", "", func(string) error { return nil }); got != "https://svc:S3CRET@h/x" {
		t.Errorf("URL() = %q; want the value without its trailing slash", got)
	}
	env.Required("MISSING", "what it holds")
	env.Duration("BAD", "", false)
	env.Duration("TTL", "", false)
	env.URL("URL", "", func(string) error { return reject })
	env.URL("RAW", "", func(string) error { return reject })
	err := env.Err()
	for _, want := range []string{"invalid configuration: ", "MISSING: required (what it holds)", `BAD "5x": invalid duration`,
		`TTL "0": must be greater than zero`, `URL "https://svc:xxxxx@h/x": rejected`, "RAW: rejected"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Err() = %v; want it to contain %q", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "S3CRET") {
		t.Errorf("Err() = %v; want no password", err)
	}
	if !errors.Is(err, reject) {
		t.Errorf("Err() = %v; want it to wrap the check's error", err)
	}
}

func TestEnvInt(t *testing.T) {
	vars := map[string]string{"N": " 42 ", "ZERO": "0", "WORD": "many"}
	env := lambdaenv.NewEnv(func(k string) string { return vars[k] })
	if got := env.Int("N", 7, 1); got != 42 {
		t.Errorf("Int(set) = %d; want 42", got)
	}
	if got := env.Int("UNSET", 7, 1); got != 7 {
		t.Errorf("Int(unset) = %d; want the default", got)
	}
	if err := env.Err(); err != nil {
		t.Fatalf("Err() = %v after good values; want nil", err)
	}
	env.Int("ZERO", 7, 1)
	env.Int("WORD", 7, 1)
	for _, want := range []string{`ZERO "0": must be at least 1`, `WORD "many": invalid integer`} {
		if err := env.Err(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Err() = %v; want it to contain %q", err, want)
		}
	}
}
