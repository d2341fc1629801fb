package emf

import (
	"strings"
	"testing"
)

func TestEMFCheckNamespace(t *testing.T) {
	for _, ns := range []string{"GetIndustry", "Test/GetIndustry", "My App.metrics_v2#1:x", strings.Repeat("n", 255)} {
		if err := CheckNamespace(ns); err != nil {
			t.Errorf("CheckNamespace(%q) = %v; want nil", ns, err)
		}
	}
	for _, ns := range []string{"", "   ", strings.Repeat("n", 256), "AWS/Lambda", ":x", "tab\there", "é"} {
		if err := CheckNamespace(ns); err == nil {
			t.Errorf("CheckNamespace(%q) = nil; want an error", ns)
		}
	}
}
