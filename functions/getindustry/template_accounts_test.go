package main

import (
	"maps"
	"reflect"
	"slices"
	"testing"
)

// TestTemplateAccountsMode checks what AccountsMode switches: in multi mode
// the token table, the two routes' permissions and no secret; in single
// mode none of the multi-mode resources. The function's policy, environment,
// routes and outputs per mode are checked by TestTemplateResolves.
func TestTemplateAccountsMode(t *testing.T) {
	multiOnly := []string{"TokenTable", "AccountIndustryPermissionGet", "AccountIndustryPermissionHead"}
	tests := []struct {
		name   string
		params map[string]string
		multi  bool
	}{
		{"default is single", nil, false},
		{"single, own secret", map[string]string{"AccountsMode": "single", "TokenSecretArn": tplTokenSecret}, false},
		{"multi", map[string]string{"AccountsMode": "multi"}, true},
		{"multi, public API", map[string]string{"AccountsMode": "multi", "ApiAuth": "NONE"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _ := tplResolve(t, tt.params)
			res := tplMap(out["Resources"])
			for _, name := range multiOnly {
				if _, ok := res[name]; ok != tt.multi {
					t.Errorf("resource %s present = %v; want %v", name, ok, tt.multi)
				}
			}
			if !tt.multi {
				return
			}
			for _, name := range []string{"TokenSecret", "RefreshTokenFunction"} {
				if _, ok := res[name]; ok {
					t.Errorf("resource %s is deployed in multi mode", name)
				}
			}
			tplCheckTokenTable(t, tplMap(res["TokenTable"]))
			for name, method := range map[string]string{"AccountIndustryPermissionGet": "GET", "AccountIndustryPermissionHead": "HEAD"} {
				want := map[string]any{
					"Action": "lambda:InvokeFunction", "FunctionName": "ref:GetIndustryFunction",
					"Principal": "apigateway.amazonaws.com",
					"SourceArn": "arn:aws:execute-api:us-east-1:123456789012:ref:IndustryApi/*/" + method + "/accounts/*/industry",
				}
				if got := tplPath(res, name, "Properties"); !reflect.DeepEqual(got, want) {
					t.Errorf("%s Properties = %#v; want %#v", name, got, want)
				}
			}
		})
	}
}

// tplCheckTokenTable checks the table against README ("Many accounts"):
// key appid (S) alone, on demand, encrypted with a KMS key, point-in-time
// recovery on, and kept when the stack lets go of it.
func tplCheckTokenTable(t *testing.T, table map[string]any) {
	t.Helper()
	checks := []struct {
		what      string
		got, want any
	}{
		{"Type", table["Type"], "AWS::DynamoDB::Table"},
		{"DeletionPolicy", table["DeletionPolicy"], "Retain"},
		{"UpdateReplacePolicy", table["UpdateReplacePolicy"], "Retain"},
		{"properties", slices.Sorted(maps.Keys(tplMap(table["Properties"]))), []string{"AttributeDefinitions",
			"BillingMode", "KeySchema", "PointInTimeRecoverySpecification", "SSESpecification", "TimeToLiveSpecification"}},
		{"BillingMode", tplPath(table, "Properties", "BillingMode"), "PAY_PER_REQUEST"},
		{"KeySchema", tplPath(table, "Properties", "KeySchema"),
			[]any{map[string]any{"AttributeName": "appid", "KeyType": "HASH"}}},
		{"AttributeDefinitions", tplPath(table, "Properties", "AttributeDefinitions"),
			[]any{map[string]any{"AttributeName": "appid", "AttributeType": "S"}}},
		{"SSESpecification", tplPath(table, "Properties", "SSESpecification"), map[string]any{"SSEEnabled": true}},
		{"PointInTimeRecoverySpecification", tplPath(table, "Properties", "PointInTimeRecoverySpecification"),
			map[string]any{"PointInTimeRecoveryEnabled": true}},
		{"TimeToLiveSpecification", tplPath(table, "Properties", "TimeToLiveSpecification"),
			map[string]any{"AttributeName": "delete_after", "Enabled": true}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("TokenTable %s = %#v; want %#v", c.what, c.got, c.want)
		}
	}
}
