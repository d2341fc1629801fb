package main

import (
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const (
	tplAppSecret   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:wx-app-AbCdEf"
	tplTokenSecret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:wx-token-AbCdEf"
)

// TestTemplateRefresher checks the optional token refresher: present only
// with an app-credentials secret, scheduled inside WeChat's renewal window,
// reading only the two secrets and writing only the token secret, in a VPC
// only when subnets are given; and that getindustry never reads the
// app-credentials secret.
func TestTemplateRefresher(t *testing.T) {
	tests := []struct {
		name      string
		params    map[string]string
		refresher bool
		token     string // the token secret as the template resolves it
		vpc       bool
		reserved  bool
		kmsKey    string
	}{
		{name: "off by default", params: nil, token: "ref:TokenSecret"},
		{name: "on, stack-made token secret", params: map[string]string{"AppCredentialsSecretArn": tplAppSecret},
			refresher: true, token: "ref:TokenSecret"},
		{name: "on, own token secret, VPC, serialised", params: map[string]string{
			"AppCredentialsSecretArn": tplAppSecret, "TokenSecretArn": tplTokenSecret,
			"SubnetIds": "subnet-0a,subnet-0b", "SecurityGroupIds": "sg-01", "RefresherReservedConcurrency": "1",
			"SecretsKmsKeyArn": tplKMSKey},
			refresher: true, token: tplTokenSecret, vpc: true, reserved: true, kmsKey: tplKMSKey},
		// The rule MultiAccountUsesNoSecrets refuses AppCredentialsSecretArn here.
		{name: "multi-account", params: map[string]string{"AccountsMode": "multi"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _ := tplResolve(t, tt.params)
			res := tplMap(out["Resources"])
			for _, name := range []string{"RefreshTokenFunction", "RefreshTokenFunctionRole", "RefreshTokenErrorsAlarm"} {
				if _, ok := res[name]; ok != tt.refresher {
					t.Errorf("resource %s present = %v; want %v", name, ok, tt.refresher)
				}
			}
			if _, ok := tplMap(out["Outputs"])["RefreshTokenFunctionArn"]; ok != tt.refresher {
				t.Errorf("output RefreshTokenFunctionArn present = %v; want %v", ok, tt.refresher)
			}
			if js, _ := json.Marshal(res["GetIndustryFunction"]); strings.Contains(string(js), "AppCredentialsSecretArn") ||
				strings.Contains(string(js), tplAppSecret) {
				t.Errorf("GetIndustryFunction refers to the app-credentials secret: %s", js)
			}
			if !tt.refresher {
				return
			}
			fn := tplPath(res, "RefreshTokenFunction", "Properties")
			for k, want := range map[string]any{"Runtime": "provided.al2023", "Handler": "bootstrap", "CodeUri": ".",
				"Role": "getatt:RefreshTokenFunctionRole.Arn"} {
				if got := tplPath(fn, k); got != want {
					t.Errorf("refresher %s = %v; want %v", k, got, want)
				}
			}
			if got := tplPath(res, "RefreshTokenFunction", "Metadata", "BuildMethod"); got != "makefile" {
				t.Errorf("refresher BuildMethod = %v; want makefile", got)
			}
			if got := tplPath(fn, "Policies"); got != nil {
				t.Errorf("refresher Policies = %v; want none besides its explicit role", got)
			}
			env := tplMap(tplPath(fn, "Environment", "Variables"))
			if env["WX_APP_SECRET_ID"] != tplAppSecret || env["WX_TOKEN_SECRET_ID"] != tt.token {
				t.Errorf("refresher env = %v; want the app secret and the token secret %s", env, tt.token)
			}
			if _, ok := tplMap(fn)["VpcConfig"]; ok != tt.vpc {
				t.Errorf("refresher VpcConfig present = %v; want %v", ok, tt.vpc)
			}
			if _, ok := tplMap(fn)["ReservedConcurrentExecutions"]; ok != tt.reserved {
				t.Errorf("refresher ReservedConcurrentExecutions present = %v; want %v", ok, tt.reserved)
			}
			// Lambda's two async retries could overlap the next scheduled run.
			if got, want := tplPath(fn, "EventInvokeConfig"), map[string]any{"MaximumRetryAttempts": 0.0}; !reflect.DeepEqual(got, want) {
				t.Errorf("refresher EventInvokeConfig = %v; want %v", got, want)
			}
			checkRefresherSchedule(t, tplPath(fn, "Events"))
			checkRefresherRole(t, tplPath(res, "RefreshTokenFunctionRole", "Properties"), tt.token, tt.vpc, tt.kmsKey)
		})
	}
}

// checkRefresherSchedule requires one schedule event, at most every 5
// minutes, so that a run lands in the last 5 minutes of a token's life.
func checkRefresherSchedule(t *testing.T, events any) {
	t.Helper()
	if len(tplMap(events)) != 1 {
		t.Fatalf("refresher events = %v; want one schedule", events)
	}
	for _, ev := range tplMap(events) {
		expr, _ := tplPath(ev, "Properties", "Schedule").(string)
		m := regexp.MustCompile(`^rate\((\d+) minutes?\)$`).FindStringSubmatch(expr)
		if tplPath(ev, "Type") != "Schedule" || m == nil {
			t.Fatalf("refresher event = %v; want a Schedule with rate(N minutes)", ev)
		}
		if n, _ := strconv.Atoi(m[1]); n < 1 || n >= 5 {
			t.Errorf("refresher schedule %s; want under 5 minutes", expr)
		}
		if input := tplPath(ev, "Properties", "Input"); input != "{}" {
			t.Errorf("scheduled input = %v; want {} (normal mode)", input)
		}
	}
}

// checkRefresherRole requires exactly: GetSecretValue on the two secrets,
// PutSecretValue on the token secret, with a customer-managed key Decrypt
// and GenerateDataKey on it through Secrets Manager only, the basic
// execution role, and the VPC execution role only in a VPC.
func checkRefresherRole(t *testing.T, role any, token string, vpc bool, kmsKey string) {
	t.Helper()
	grants := map[string][]string{}
	for _, p := range tplPath(role, "Policies").([]any) {
		for _, st := range tplPath(p, "PolicyDocument", "Statement").([]any) {
			if tplPath(st, "Effect") != "Allow" {
				continue
			}
			var actions []string
			switch a := tplPath(st, "Action").(type) {
			case string:
				actions = []string{a}
			case []any:
				for _, x := range a {
					actions = append(actions, x.(string))
				}
			}
			var resources []string
			switch r := tplPath(st, "Resource").(type) {
			case string:
				resources = []string{r}
			case []any:
				for _, x := range r {
					resources = append(resources, x.(string))
				}
			}
			for _, action := range actions {
				grants[action] = append(grants[action], resources...)
				cond := tplPath(st, "Condition")
				if strings.HasPrefix(action, "kms:") && !reflect.DeepEqual(cond, tplKMSCondition) {
					t.Errorf("%s Condition = %v; want %v", action, cond, tplKMSCondition)
				}
			}
		}
	}
	want := map[string][]string{
		"secretsmanager:GetSecretValue": {tplAppSecret, token},
		"secretsmanager:PutSecretValue": {token},
	}
	if kmsKey != "" {
		want["kms:Decrypt"] = []string{kmsKey}
		want["kms:GenerateDataKey"] = []string{kmsKey}
	}
	if len(grants) != len(want) {
		t.Errorf("refresher grants %v; want exactly %v", grants, want)
	}
	for action, resources := range want {
		got := slices.Clone(grants[action])
		slices.Sort(got)
		slices.Sort(resources)
		if !slices.Equal(got, resources) {
			t.Errorf("%s on %v; want %v", action, got, resources)
		}
	}
	var managed []string
	for _, arn := range tplPath(role, "ManagedPolicyArns").([]any) {
		s := arn.(string)
		managed = append(managed, s[strings.LastIndex(s, "/")+1:])
	}
	wantManaged := []string{"AWSLambdaBasicExecutionRole"}
	if vpc {
		wantManaged = append(wantManaged, "AWSLambdaVPCAccessExecutionRole")
	}
	if !slices.Equal(managed, wantManaged) {
		t.Errorf("refresher managed policies %v; want %v", managed, wantManaged)
	}
}
