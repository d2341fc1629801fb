package lambdaenv

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Env reads a function's settings through getenv and collects every
// problem, each naming its variable, so that a cold start fails with all of
// them at once. A value is trimmed of surrounding white space; a blank value
// is unset. Defaults are the caller's constants. An Env is for one parse and
// one goroutine.
type Env struct {
	getenv func(string) string
	errs   []error
}

// NewEnv returns an Env reading through getenv (os.Getenv in main).
func NewEnv(getenv func(string) string) *Env { return &Env{getenv: getenv} }

// String returns the variable's value, or def when it is unset.
func (e *Env) String(name, def string) string {
	if v := strings.TrimSpace(e.getenv(name)); v != "" {
		return v
	}
	return def
}

// Required returns the variable's value, noting "NAME: required (what)" when
// it is unset.
func (e *Env) Required(name, what string) string {
	v := e.String(name, "")
	if v == "" {
		e.errs = append(e.errs, fmt.Errorf("%s: required (%s)", name, what))
	}
	return v
}

// Int returns the variable as a decimal integer, def when unset. A value
// that does not parse or is below least is noted.
func (e *Env) Int(name string, def, least int) int {
	raw := e.String(name, "")
	if raw == "" {
		return def
	}
	n, err := strconv.Atoi(raw)
	switch {
	case err != nil:
		e.errs = append(e.errs, fmt.Errorf("%s %q: invalid integer", name, raw))
	case n < least:
		e.errs = append(e.errs, fmt.Errorf("%s %q: must be at least %d", name, raw, least))
	}
	return n
}

// Duration returns the variable as a Go duration ("60s", "5m"), def when
// unset. A value that does not parse, is negative, or is zero when
// allowZero is false is noted.
func (e *Env) Duration(name, def string, allowZero bool) time.Duration {
	raw := e.String(name, def)
	d, err := time.ParseDuration(raw)
	switch {
	case err != nil:
		e.errs = append(e.errs, fmt.Errorf("%s %q: invalid duration (want e.g. 3s, 5m)", name, raw))
	case d < 0 || (d == 0 && !allowZero):
		e.errs = append(e.errs, fmt.Errorf("%s %q: must be greater than zero", name, raw))
	}
	return d
}

// URL returns the variable as a URL string without trailing slashes, def
// when unset, and notes check's error. Problems show the URL with any
// password masked (url.URL.Redacted), and never the raw value of one that
// does not parse.
func (e *Env) URL(name, def string, check func(string) error) string {
	v := strings.TrimRight(e.String(name, def), "/")
	if err := check(v); err != nil {
		if u, perr := url.Parse(v); perr == nil {
			e.errs = append(e.errs, fmt.Errorf("%s %q: %w", name, u.Redacted(), err))
		} else {
			e.errs = append(e.errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	return v
}

// Check notes err, when not nil, as a problem of the configuration.
func (e *Env) Check(err error) {
	if err != nil {
		e.errs = append(e.errs, err)
	}
}

// Err returns "invalid configuration: " and every problem noted, or nil.
func (e *Env) Err() error {
	if err := errors.Join(e.errs...); err != nil {
		return fmt.Errorf("invalid configuration: %w", err)
	}
	return nil
}
