package main

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// tplRuleFuncs are the functions CloudFormation allows in Rules.
var tplRuleFuncs = []string{"Fn::And", "Fn::Contains", "Fn::EachMemberEquals", "Fn::EachMemberIn",
	"Fn::Equals", "Fn::Not", "Fn::Or", "Fn::RefAll", "Fn::ValueOf", "Fn::ValueOfAll", "Ref"}

// failedRules returns, sorted, the names of the rules whose condition holds
// and one of whose assertions fails: CloudFormation would refuse the stack.
func (r *tplResolver) failedRules(rules map[string]any) []string {
	var failed []string
	for name, rule := range rules {
		if c, ok := tplMap(rule)["RuleCondition"]; ok && !r.boolean(c) {
			continue
		}
		assertions, _ := tplPath(rule, "Assertions").([]any)
		if len(assertions) == 0 {
			r.tb.Errorf("rule %s has no assertions", name)
		}
		for _, a := range assertions {
			if !r.boolean(tplPath(a, "Assert")) {
				failed = append(failed, name)
				break
			}
		}
	}
	slices.Sort(failed)
	return failed
}

// tplFuncsAndRefs collects the function names and the Ref targets used in v.
func tplFuncsAndRefs(v any, funcs, refs map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if strings.HasPrefix(k, "Fn::") || k == "Ref" {
				funcs[k] = true
			}
			if s, ok := x.(string); ok && k == "Ref" {
				refs[s] = true
			}
			tplFuncsAndRefs(x, funcs, refs)
		}
	case []any:
		for _, x := range v {
			tplFuncsAndRefs(x, funcs, refs)
		}
	}
}

// TestTemplateRules checks each rule's shape (rule functions only, the
// parameters it is about, a description for every assertion) and evaluates
// the rules for sets of parameters that CloudFormation must accept or refuse.
func TestTemplateRules(t *testing.T) {
	rules := tplMap(tplRaw(t)["Rules"])
	about := map[string][]string{
		"VpcConfigComplete":                {"SecurityGroupIds", "SubnetIds"},
		"RefresherWritesAccessToken":       {"AppCredentialsSecretArn", "TokenSecretField"},
		"MultiAccountUsesNoSecrets":        {"AccountsMode", "AppCredentialsSecretArn", "PlatformMode", "SecretsKmsKeyArn", "TokenSecretArn"},
		"PlatformModeNeedsMultiAccount":    {"AccountsMode", "ComponentSecretArn", "PlatformMode"},
		"ComponentSecretNeedsPlatformMode": {"ComponentSecretArn", "PlatformMode"},
	}
	if got := slices.Sorted(maps.Keys(rules)); !slices.Equal(got, slices.Sorted(maps.Keys(about))) {
		t.Errorf("rules %v; want %v", got, slices.Sorted(maps.Keys(about)))
	}
	for name, params := range about {
		funcs, refs := map[string]bool{}, map[string]bool{}
		tplFuncsAndRefs(rules[name], funcs, refs)
		if got := slices.Sorted(maps.Keys(refs)); !slices.Equal(got, params) {
			t.Errorf("rule %s refers to %v; want %v", name, got, params)
		}
		for f := range funcs {
			if !slices.Contains(tplRuleFuncs, f) {
				t.Errorf("rule %s uses %s, which is not a rule function", name, f)
			}
		}
		assertions, _ := tplPath(rules[name], "Assertions").([]any)
		for _, a := range assertions {
			if d, _ := tplPath(a, "AssertDescription").(string); d == "" {
				t.Errorf("rule %s: an assertion has no AssertDescription", name)
			}
		}
	}

	const (
		subnets = "subnet-0a,subnet-0b"
		sgs     = "sg-01"
	)
	tests := []struct {
		name   string
		params map[string]string
		failed []string
	}{
		{"defaults", nil, nil},
		{"subnets and security groups", map[string]string{"SubnetIds": subnets, "SecurityGroupIds": sgs}, nil},
		{"subnets without security groups", map[string]string{"SubnetIds": subnets}, []string{"VpcConfigComplete"}},
		{"security groups without subnets", map[string]string{"SecurityGroupIds": sgs}, []string{"VpcConfigComplete"}},
		{"refresher, access_token", map[string]string{"AppCredentialsSecretArn": tplAppSecret}, nil},
		{"refresher, other field", map[string]string{"AppCredentialsSecretArn": tplAppSecret, "TokenSecretField": "token"},
			[]string{"RefresherWritesAccessToken"}},
		{"no refresher, other field", map[string]string{"TokenSecretField": "token"}, nil},
		{"both wrong", map[string]string{"AppCredentialsSecretArn": tplAppSecret, "TokenSecretField": "token",
			"SecurityGroupIds": sgs}, []string{"RefresherWritesAccessToken", "VpcConfigComplete"}},
		{"multi-account", map[string]string{"AccountsMode": "multi"}, nil},
		{"multi-account, token secret", map[string]string{"AccountsMode": "multi", "TokenSecretArn": tplTokenSecret},
			[]string{"MultiAccountUsesNoSecrets"}},
		{"multi-account, refresher", map[string]string{"AccountsMode": "multi", "AppCredentialsSecretArn": tplAppSecret},
			[]string{"MultiAccountUsesNoSecrets"}},
		{"multi-account, secrets key", map[string]string{"AccountsMode": "multi", "SecretsKmsKeyArn": tplKMSKey},
			[]string{"MultiAccountUsesNoSecrets"}},
		{"single-account, all secrets", map[string]string{"AccountsMode": "single", "TokenSecretArn": tplTokenSecret,
			"AppCredentialsSecretArn": tplAppSecret, "SecretsKmsKeyArn": tplKMSKey}, nil},
		{"platform", tplPlatformOn, nil},
		{"platform, secrets key, VPC", tplWithPlatform(map[string]string{"SecretsKmsKeyArn": tplKMSKey,
			"SubnetIds": subnets, "SecurityGroupIds": sgs}), nil},
		{"platform in single mode", map[string]string{"PlatformMode": "on", "ComponentSecretArn": tplComponentArn},
			[]string{"PlatformModeNeedsMultiAccount"}},
		{"platform without its secret", map[string]string{"AccountsMode": "multi", "PlatformMode": "on"},
			[]string{"PlatformModeNeedsMultiAccount"}},
		{"component secret without platform", map[string]string{"AccountsMode": "multi", "ComponentSecretArn": tplComponentArn},
			[]string{"ComponentSecretNeedsPlatformMode"}},
		{"component secret in single mode", map[string]string{"ComponentSecretArn": tplComponentArn},
			[]string{"ComponentSecretNeedsPlatformMode"}},
		{"platform, token secret", tplWithPlatform(map[string]string{"TokenSecretArn": tplTokenSecret}),
			[]string{"MultiAccountUsesNoSecrets"}},
		{"platform, subnets without security groups", tplWithPlatform(map[string]string{"SubnetIds": subnets}),
			[]string{"VpcConfigComplete"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tplRaw(t)
			got := tplNewResolver(t, raw, tt.params).failedRules(tplMap(raw["Rules"]))
			if !slices.Equal(got, tt.failed) {
				t.Errorf("failed rules = %v; want %v", got, tt.failed)
			}
		})
	}
}
