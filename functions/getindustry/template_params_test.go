package main

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wxindustry/getindustry/internal/emf"
)

// tplParamCheck reports why CloudFormation would refuse value for the
// parameter p (AllowedValues, AllowedPattern, MinLength, MaxLength,
// MinValue, MaxValue), or nil. CloudFormation matches AllowedPattern
// against the whole value; the template's patterns avoid what Go's RE2
// lacks (look-around), so the same pattern runs here.
func tplParamCheck(p map[string]any, value string) error {
	if allowed, ok := p["AllowedValues"].([]any); ok &&
		!slices.ContainsFunc(allowed, func(a any) bool { return fmt.Sprint(a) == value }) {
		return fmt.Errorf("not one of AllowedValues %v", allowed)
	}
	if pat, ok := p["AllowedPattern"].(string); ok {
		re, err := regexp.Compile(`^(?:` + pat + `)$`)
		if err != nil {
			return fmt.Errorf("AllowedPattern %q: %v", pat, err)
		}
		if !re.MatchString(value) {
			return fmt.Errorf("does not match AllowedPattern %q", pat)
		}
	}
	n := float64(utf8.RuneCountInString(value))
	if v, ok := p["MinLength"].(float64); ok && n < v {
		return fmt.Errorf("shorter than MinLength %v", v)
	}
	if v, ok := p["MaxLength"].(float64); ok && n > v {
		return fmt.Errorf("longer than MaxLength %v", v)
	}
	if p["Type"] != "Number" {
		return nil
	}
	f, err := strconv.ParseFloat(value, 64)
	if err != nil {
		return fmt.Errorf("not a number")
	}
	if v, ok := p["MinValue"].(float64); ok && f < v {
		return fmt.Errorf("below MinValue %v", v)
	}
	if v, ok := p["MaxValue"].(float64); ok && f > v {
		return fmt.Errorf("above MaxValue %v", v)
	}
	return nil
}

// TestTemplateParameterConstraints checks that the parameters refuse, before
// anything deploys, values that would deploy and then fail.
func TestTemplateParameterConstraints(t *testing.T) {
	const (
		kmsKey = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		cnArn  = "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:team/wx_token.prod@1+=-AbC123"
	)
	tests := []struct {
		param, value string
		ok           bool
	}{
		// A partial ARN (no 6-character suffix) never matches the policy's Resource.
		{"TokenSecretArn", "", true},
		{"TokenSecretArn", tplTokenSecret, true},
		{"TokenSecretArn", cnArn, true},
		{"TokenSecretArn", "arn:aws:secretsmanager:us-east-1:123456789012:secret:wx-token", false},
		{"TokenSecretArn", "arn:aws:secretsmanager:us-east-1:123456789012:secret:wx-token-AbCd", false},
		{"TokenSecretArn", "arn:aws:secretsmanager:us-east-1:123456789012:secret:wx-token-AbCdEf/x", false},
		{"TokenSecretArn", "wx-token", false},
		{"AppCredentialsSecretArn", "", true},
		{"AppCredentialsSecretArn", tplAppSecret, true},
		{"AppCredentialsSecretArn", "arn:aws:secretsmanager:us-east-1:123456789012:secret:wx-app", false},
		// The function refuses these at cold start (emf.CheckNamespace).
		{"MetricsNamespace", "GetIndustry", true},
		{"MetricsNamespace", "WeChat/Prod", true},
		{"MetricsNamespace", "A", true},
		{"MetricsNamespace", "AW", true},
		{"MetricsNamespace", "AWS", true},
		{"MetricsNamespace", "AWSome/x", true},
		{"MetricsNamespace", "AW/S", true},
		{"MetricsNamespace", "a:b #1", true},
		{"MetricsNamespace", strings.Repeat("n", 255), true},
		{"MetricsNamespace", "", false},
		{"MetricsNamespace", "AWS/", false},
		{"MetricsNamespace", "AWS/Lambda", false},
		{"MetricsNamespace", ":x", false},
		{"MetricsNamespace", "   ", false},
		{"MetricsNamespace", " x", false}, // stricter than the function: no leading space
		{"MetricsNamespace", strings.Repeat("n", 256), false},
		{"MetricsNamespace", "行业", false},
		{"MetricsNamespace", "a\tb", false},
		// 0 would refuse every request.
		{"ThrottleBurst", "0", false},
		{"ThrottleBurst", "1", true},
		{"ThrottleRate", "0", false},
		{"ThrottleRate", "1", true},
		{"LogRetentionInDays", "30", true},
		{"LogRetentionInDays", "3653", true},
		{"LogRetentionInDays", "0", false},
		{"LogRetentionInDays", "31", false},
		// IAM authorises kms:Decrypt on the key's ARN, never on an alias.
		{"SecretsKmsKeyArn", "", true},
		{"SecretsKmsKeyArn", kmsKey, true},
		{"SecretsKmsKeyArn", "arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab", true},
		{"SecretsKmsKeyArn", "arn:aws:kms:us-east-1:123456789012:alias/wx", false},
		{"SecretsKmsKeyArn", "1234abcd-12ab-34cd-56ef-1234567890ab", false},
		{"AccountsMode", "single", true},
		{"AccountsMode", "multi", true},
		{"AccountsMode", "", false},
		{"AccountsMode", "Multi", false},
		{"PlatformMode", "off", true},
		{"PlatformMode", "on", true},
		{"PlatformMode", "true", false},
		{"ComponentSecretArn", "", true},
		{"ComponentSecretArn", tplComponentArn, true},
		{"ComponentSecretArn", cnArn, true},
		{"ComponentSecretArn", "arn:aws:secretsmanager:us-east-1:123456789012:secret:wx-component", false},
		// A run refreshes accounts with under 20 minutes left: at most 10 minutes apart, every due
		// account gets two runs.
		{"PlatformSchedule", "rate(5 minutes)", true},
		{"PlatformSchedule", "rate(1 minute)", true},
		{"PlatformSchedule", "rate(10 minutes)", true},
		{"PlatformSchedule", "rate(11 minutes)", false},
		{"PlatformSchedule", "rate(20 minutes)", false},
		{"PlatformSchedule", "rate(1 minutes)", false},
		{"PlatformSchedule", "rate(0 minutes)", false},
		{"PlatformSchedule", "rate(1 hour)", false},
		{"PlatformSchedule", "cron(0/5 * * * ? *)", false},
		// The onboarding wants https (loopback http is for local runs only), no query, and
		// appends /component/callback itself.
		{"PlatformPublicBaseUrl", "", true},
		{"PlatformPublicBaseUrl", "https://wx.example.com", true},
		{"PlatformPublicBaseUrl", "https://wx.example.com/platform", true},
		{"PlatformPublicBaseUrl", "https://wx.example.com/", false},
		{"PlatformPublicBaseUrl", "http://wx.example.com", false},
		{"PlatformPublicBaseUrl", "https://wx.example.com?x=1", false},
		{"PlatformPublicBaseUrl", "wx.example.com", false},
		// 0 would refuse every invoke.
		{"PlatformReservedConcurrency", "10", true},
		{"PlatformReservedConcurrency", "0", false},
		{"PlatformRunsReservedConcurrency", "2", true},
		{"PlatformRunsReservedConcurrency", "0", false},
	}
	params := tplMap(tplRaw(t)["Parameters"])
	if d := tplPath(params, "AccountsMode", "Default"); d != "single" {
		t.Errorf("AccountsMode Default = %v; want single (multi-account mode is opt-in)", d)
	}
	if d := tplPath(params, "PlatformMode", "Default"); d != "off" {
		t.Errorf("PlatformMode Default = %v; want off (the platform token service is opt-in)", d)
	}
	for _, tt := range tests {
		p, ok := params[tt.param]
		if !ok {
			t.Errorf("parameter %s is not declared", tt.param)
			continue
		}
		err := tplParamCheck(tplMap(p), tt.value)
		if (err == nil) != tt.ok {
			t.Errorf("%s = %q: accepted = %v (%v); want %v", tt.param, tt.value, err == nil, err, tt.ok)
		}
		if tt.param == "MetricsNamespace" && err == nil {
			if err := emf.CheckNamespace(tt.value); err != nil {
				t.Errorf("MetricsNamespace = %q: the template accepts it, the function refuses it: %v", tt.value, err)
			}
		}
	}
	for _, name := range []string{"TokenSecretArn", "AppCredentialsSecretArn", "ComponentSecretArn"} {
		if d := fmt.Sprint(tplPath(params, name, "Description")); !strings.Contains(d, "Complete ARN") {
			t.Errorf("%s Description does not ask for the complete ARN: %q", name, d)
		}
	}
	// CloudWatch Logs' retention values (PutRetentionPolicy).
	want := []string{"1", "3", "5", "7", "14", "30", "60", "90", "120", "150", "180", "365", "400", "545",
		"731", "1096", "1827", "2192", "2557", "2922", "3288", "3653"}
	var got []string
	values, _ := tplPath(params, "LogRetentionInDays", "AllowedValues").([]any)
	for _, v := range values {
		got = append(got, fmt.Sprint(v))
	}
	if !slices.Equal(got, want) || fmt.Sprint(tplPath(params, "LogRetentionInDays", "Default")) != "30" {
		t.Errorf("LogRetentionInDays AllowedValues %v, Default %v; want %v, 30", got,
			tplPath(params, "LogRetentionInDays", "Default"), want)
	}
}
