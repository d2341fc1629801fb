package emf

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrInvalid is matched, with errors.Is, by every error that reports a record
// breaking the EMF specification or a CloudWatch limit.
var ErrInvalid = errors.New("emf: invalid record")

// invalidError is one specification problem. Its text names the member but
// never carries a dimension or property value.
type invalidError struct{ msg string }

func (e *invalidError) Error() string        { return "emf: " + e.msg }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }

func invalidf(format string, args ...any) error {
	return &invalidError{msg: fmt.Sprintf(format, args...)}
}

// checkName checks a member name of kind k: not empty, not the reserved
// "_aws", and at most limit characters (0: no limit).
func checkName(k kind, name string, limit int) error {
	if plainName(name, limit) {
		return nil
	}
	switch {
	case strings.TrimSpace(name) == "":
		return invalidf("%s name %q is empty", k, name)
	case name == reserved:
		return invalidf("%s name %q is reserved for EMF metadata", k, name)
	case !utf8.ValidString(name):
		return invalidf("%s name %q is not valid UTF-8", k, name)
	case limit > 0 && utf8.RuneCountInString(name) > limit:
		return invalidf("%s name %q is longer than %d characters", k, name, limit)
	}
	return nil
}

// plainName reports, in one pass over name, whether it is a valid name of
// ASCII characters: not empty nor only spaces, not reserved, and at most
// limit characters (0: no limit). When it is not, checkName looks closer.
func plainName(name string, limit int) bool {
	if name == "" || limit > 0 && len(name) > limit || name == reserved {
		return false
	}
	spaces := 0
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c >= utf8.RuneSelf:
			return false
		case c == ' ' || c >= '\t' && c <= '\r':
			spaces++
		}
	}
	return spaces < len(name)
}

// checkDimensionName checks a dimension name against CloudWatch's rules.
func checkDimensionName(name string) error {
	if err := checkName(dimension, name, maxDimensionNameLen); err != nil {
		return err
	}
	if reason := asciiProblem(name, maxDimensionNameLen); reason != "" {
		return invalidf("dimension name %q %s", name, reason)
	}
	if name[0] == ':' {
		return invalidf("dimension name %q starts with ':'", name)
	}
	return nil
}

// CheckNamespace reports whether ns is a valid CloudWatch namespace for
// New, so that configuration can be checked before any record is built.
func CheckNamespace(ns string) error { return checkNamespace(ns) }

// checkNamespace checks a namespace against CloudWatch's rules.
func checkNamespace(ns string) error {
	if reason := asciiProblem(ns, maxNamespaceLen); reason != "" {
		return invalidf("namespace %q %s", ns, reason)
	}
	if ns[0] == ':' || strings.HasPrefix(ns, "AWS/") {
		return invalidf("namespace %q starts with ':' or the reserved prefix \"AWS/\"", ns)
	}
	return nil
}

// asciiProblem says what is wrong with s as a CloudWatch dimension or
// namespace string (printable ASCII, not only spaces, at most limit
// characters), or returns "" when nothing is. The text never quotes s.
func asciiProblem(s string, limit int) string {
	switch {
	case strings.TrimSpace(s) == "":
		return "is empty or only spaces"
	case len(s) > limit:
		return fmt.Sprintf("is longer than %d characters", limit)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return "has a character that is not printable ASCII"
		}
	}
	return ""
}
