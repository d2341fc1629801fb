package main

import (
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The platform token service (README, "Third-party platform"): its
// code lives in another package main, so these tests read what they need
// from its source files (the environment it reads, the DynamoDB calls it
// makes, the table's attribute names, the metrics it writes).
const (
	tplPlatformDir   = "functions/platformtoken"
	tplOnboardDir    = "internal/onboard"
	tplComponentArn  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:wx-component-AbCdEf"
	tplPlatformTopic = "arn:aws:sns:us-east-1:123456789012:ops"
)

// tplPlatformOn is the smallest set of parameters that deploys it.
var tplPlatformOn = map[string]string{"AccountsMode": "multi", "PlatformMode": "on", "ComponentSecretArn": tplComponentArn}

// tplWithPlatform returns tplPlatformOn plus more.
func tplWithPlatform(more map[string]string) map[string]string {
	m := maps.Clone(tplPlatformOn)
	maps.Copy(m, more)
	return m
}

// tplSource returns the non-test Go sources of dir (relative to the
// repository root), concatenated; it skips the test when dir is absent.
func tplSource(t *testing.T, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(tplRoot, dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Skipf("%s is not on this branch (no Go files): the check needs its source", dir)
	}
	var b strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
		b.WriteByte('\n')
	}
	return b.String()
}

// tplMatches returns the sorted, distinct first submatches of re in s.
func tplMatches(s string, re *regexp.Regexp) []string {
	set := map[string]bool{}
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		set[m[1]] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// tplTableActions is every DynamoDB call the platform store makes
// (st.db.GetItem(...) and the like), as IAM actions.
func tplTableActions(t *testing.T) []string {
	t.Helper()
	var actions []string
	for _, call := range tplMatches(tplSource(t, tplPlatformDir), regexp.MustCompile(`\bst\.db\.([A-Z][A-Za-z]+)\(`)) {
		actions = append(actions, "dynamodb:"+call)
	}
	if !slices.Contains(actions, "dynamodb:GetItem") {
		t.Fatalf("found DynamoDB calls %v in %s; the pattern st.db.Call( no longer finds them", actions, tplPlatformDir)
	}
	return actions
}

// tplStoreAttributes is every attribute name store.go declares
// (attrX = "name").
func tplStoreAttributes(t *testing.T) []string {
	t.Helper()
	attrs := tplMatches(tplSource(t, tplPlatformDir), regexp.MustCompile(`(?m)^\s*attr[A-Za-z]+\s*=\s*"([^"]+)"`))
	if len(attrs) < 5 {
		t.Fatalf("found attributes %v in %s; want the store's attrX = \"name\" constants", attrs, tplPlatformDir)
	}
	return attrs
}

// tplRoleGrants returns, for an IAM role's inline policies, each allowed
// action and the resources it is allowed on, and each action's condition.
func tplRoleGrants(t *testing.T, role any) (grants map[string][]string, conds map[string]any) {
	t.Helper()
	grants, conds = map[string][]string{}, map[string]any{}
	list := func(v any) []string {
		switch v := v.(type) {
		case string:
			return []string{v}
		case []any:
			var out []string
			for _, x := range v {
				out = append(out, x.(string))
			}
			return out
		}
		t.Fatalf("policy value %v is neither a string nor a list", v)
		return nil
	}
	for _, p := range tplPath(role, "Policies").([]any) {
		for _, st := range tplPath(p, "PolicyDocument", "Statement").([]any) {
			if tplPath(st, "Effect") != "Allow" {
				t.Errorf("statement %v: want only Allow statements", st)
				continue
			}
			for _, action := range list(tplPath(st, "Action")) {
				grants[action] = append(grants[action], list(tplPath(st, "Resource"))...)
				if c := tplPath(st, "Condition"); c != nil {
					conds[action] = c
				}
			}
		}
	}
	return grants, conds
}

// TestTemplatePlatform checks PlatformMode: off by default and in plain
// multi mode; on, the two functions from one bootstrap, their role (read
// the component secret, on the table only the calls the code makes), their
// log groups and outputs. The alarms are TestTemplatePlatformAlarms's.
func TestTemplatePlatform(t *testing.T) {
	platformOnly := []string{"PlatformTokenFunction", "PlatformRunsFunction", "PlatformTokenLogGroup",
		"PlatformRunsLogGroup", "PlatformTokenRole", "PlatformTicketMissingAlarm", "PlatformComponentTokenAlarm",
		"PlatformNeedsReauthAlarm", "PlatformRefreshFailedAlarm", "PlatformRunsErrorsAlarm"}
	platformOutputs := []string{"ComponentEventsUrl", "OnboardingPageUrl", "PlatformRunsFunctionName", "PlatformRunsFunctionArn"}
	tests := []struct {
		name             string
		params           map[string]string
		on, vpc          bool
		kmsKey, base     string
		public, runs     float64 // reserved concurrency
		schedule, logLvl string
	}{
		{name: "off by default"},
		{name: "multi-account, off", params: map[string]string{"AccountsMode": "multi"}},
		{name: "on", params: tplPlatformOn, on: true, public: 10, runs: 2, schedule: "rate(5 minutes)", logLvl: "INFO"},
		{name: "on, VPC, key, custom domain, tuned", params: tplWithPlatform(map[string]string{
			"SubnetIds": "subnet-0a,subnet-0b", "SecurityGroupIds": "sg-01", "SecretsKmsKeyArn": tplKMSKey,
			"PlatformPublicBaseUrl": "https://wx.example.com", "PlatformReservedConcurrency": "50",
			"PlatformRunsReservedConcurrency": "1", "PlatformSchedule": "rate(2 minutes)", "LogLevel": "DEBUG",
			"MetricsNamespace": "WeChat/Prod"}),
			on: true, vpc: true, kmsKey: tplKMSKey, base: "https://wx.example.com", public: 50, runs: 1,
			schedule: "rate(2 minutes)", logLvl: "DEBUG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _ := tplResolve(t, tt.params)
			res, outputs := tplMap(out["Resources"]), tplMap(out["Outputs"])
			for _, name := range platformOnly {
				if _, ok := res[name]; ok != tt.on {
					t.Errorf("resource %s present = %v; want %v", name, ok, tt.on)
				}
			}
			for _, name := range platformOutputs {
				if _, ok := outputs[name]; ok != tt.on {
					t.Errorf("output %s present = %v; want %v", name, ok, tt.on)
				}
			}
			for name, r := range res {
				if strings.HasPrefix(name, "Platform") && !slices.Contains(platformOnly, name) {
					t.Errorf("resource %s (%v) is not among the platform's known resources", name, tplMap(r)["Type"])
				}
			}
			if !tt.on {
				return
			}
			ns := tt.params["MetricsNamespace"]
			if ns == "" {
				ns = "GetIndustry"
			}
			common := map[string]any{
				"CodeUri": ".", "Handler": "bootstrap", "Runtime": "provided.al2023", "Architectures": []any{"arm64"},
				"Role": "getatt:PlatformTokenRole.Arn",
			}
			for _, fn := range []struct {
				name, group string
				reserved    float64
				env         map[string]any
			}{
				{"PlatformTokenFunction", "PlatformTokenLogGroup", tt.public, map[string]any{
					"WX_COMPONENT_SECRET_ID": tplComponentArn, "WX_TOKEN_TABLE": "ref:TokenTable",
					"WX_API_BASE_URL": "https://api.weixin.qq.com", "WX_HTTP_TIMEOUT": "3s", "WX_METRICS_NAMESPACE": ns,
					"WX_PUBLIC_BASE_URL": tt.base, "AWS_ENDPOINT_URL_SECRETS_MANAGER": "", "AWS_ENDPOINT_URL_DYNAMODB": ""}},
				{"PlatformRunsFunction", "PlatformRunsLogGroup", tt.runs, map[string]any{
					"WX_COMPONENT_SECRET_ID": tplComponentArn, "WX_TOKEN_TABLE": "ref:TokenTable",
					"WX_API_BASE_URL": "https://api.weixin.qq.com", "WX_HTTP_TIMEOUT": "3s", "WX_REFRESH_CONCURRENCY": "32",
					"WX_METRICS_NAMESPACE": ns, "AWS_ENDPOINT_URL_SECRETS_MANAGER": "", "AWS_ENDPOINT_URL_DYNAMODB": ""}},
			} {
				props := tplMap(tplPath(res, fn.name, "Properties"))
				for k, want := range common {
					if !reflect.DeepEqual(props[k], want) {
						t.Errorf("%s %s = %v; want %v", fn.name, k, props[k], want)
					}
				}
				if got := tplPath(res, fn.name, "Metadata", "BuildMethod"); got != "makefile" {
					t.Errorf("%s BuildMethod = %v; want makefile", fn.name, got)
				}
				if props["Policies"] != nil {
					t.Errorf("%s Policies = %v; want none besides its explicit role", fn.name, props["Policies"])
				}
				if props["ReservedConcurrentExecutions"] != fn.reserved {
					t.Errorf("%s ReservedConcurrentExecutions = %v; want %v", fn.name, props["ReservedConcurrentExecutions"], fn.reserved)
				}
				wantLog := map[string]any{"LogFormat": "JSON", "ApplicationLogLevel": tt.logLvl, "SystemLogLevel": "INFO",
					"LogGroup": "ref:" + fn.group}
				if !reflect.DeepEqual(props["LoggingConfig"], wantLog) {
					t.Errorf("%s LoggingConfig = %v; want %v", fn.name, props["LoggingConfig"], wantLog)
				}
				var wantVpc any
				if tt.vpc {
					wantVpc = map[string]any{"SubnetIds": []any{"subnet-0a", "subnet-0b"}, "SecurityGroupIds": []any{"sg-01"}}
				}
				if !reflect.DeepEqual(props["VpcConfig"], wantVpc) {
					t.Errorf("%s VpcConfig = %v; want %v", fn.name, props["VpcConfig"], wantVpc)
				}
				if got := tplPath(props, "Environment", "Variables"); !reflect.DeepEqual(got, fn.env) {
					t.Errorf("%s Environment = %v; want %v", fn.name, got, fn.env)
				}
				tplCheckPlatformEnv(t, fn.name, tplMap(tplPath(props, "Environment", "Variables")))
			}

			public := tplMap(tplPath(res, "PlatformTokenFunction", "Properties"))
			if got, want := public["FunctionUrlConfig"], map[string]any{"AuthType": "NONE"}; !reflect.DeepEqual(got, want) {
				t.Errorf("PlatformTokenFunction FunctionUrlConfig = %v; want %v (WeChat must reach it)", got, want)
			}
			for _, k := range []string{"Events", "EventInvokeConfig"} {
				if public[k] != nil {
					t.Errorf("PlatformTokenFunction %s = %v; want none (it answers HTTP)", k, public[k])
				}
			}
			runs := tplMap(tplPath(res, "PlatformRunsFunction", "Properties"))
			if runs["FunctionUrlConfig"] != nil {
				t.Errorf("PlatformRunsFunction FunctionUrlConfig = %v; want none (it is private)", runs["FunctionUrlConfig"])
			}
			if got, want := runs["EventInvokeConfig"], map[string]any{"MaximumRetryAttempts": 0.0}; !reflect.DeepEqual(got, want) {
				t.Errorf("PlatformRunsFunction EventInvokeConfig = %v; want %v", got, want)
			}
			// No Input: the Scheduled Event itself, which the code takes for {"action":"refresh"}.
			wantEvents := map[string]any{"Schedule": map[string]any{"Type": "Schedule",
				"Properties": map[string]any{"Schedule": tt.schedule}}}
			if !reflect.DeepEqual(runs["Events"], wantEvents) {
				t.Errorf("PlatformRunsFunction Events = %v; want %v", runs["Events"], wantEvents)
			}
			if src := tplSource(t, tplPlatformDir); !strings.Contains(src, `"Scheduled Event"`) || !strings.Contains(src, `"aws.events"`) {
				t.Errorf("%s no longer recognises an EventBridge Scheduled Event as a refresh run", tplPlatformDir)
			}

			tplCheckPlatformRole(t, tplPath(res, "PlatformTokenRole", "Properties"), tt.vpc, tt.kmsKey)

			const furl = "getatt:PlatformTokenFunctionUrl.FunctionUrl" // ends in "/"
			onboarding := furl + "component/authorize"
			if tt.base != "" {
				onboarding = tt.base + "/component/authorize"
			}
			wantOutputs := map[string]any{
				"ComponentEventsUrl":       furl + "component/events",
				"OnboardingPageUrl":        onboarding,
				"PlatformRunsFunctionName": "ref:PlatformRunsFunction",
				"PlatformRunsFunctionArn":  "getatt:PlatformRunsFunction.Arn",
			}
			for name, want := range wantOutputs {
				if got := tplPath(outputs, name, "Value"); got != want {
					t.Errorf("output %s = %v; want %v", name, got, want)
				}
			}
		})
	}
}

// tplCheckPlatformEnv checks a platform function's variables against its
// code: the required ones set, and every one read by functions/platformtoken
// (or, for the onboarding's, named by internal/onboard, which it mounts) or
// by the AWS SDK.
func tplCheckPlatformEnv(t *testing.T, fn string, env map[string]any) {
	t.Helper()
	wxVar := regexp.MustCompile(`"(WX_[A-Z0-9_]+)"`)
	read := tplMatches(tplSource(t, tplPlatformDir), wxVar)
	onboard := tplMatches(tplSource(t, tplOnboardDir), wxVar)
	for _, name := range []string{"WX_COMPONENT_SECRET_ID", "WX_TOKEN_TABLE"} {
		if !slices.Contains(read, name) {
			t.Errorf("%s does not read %s any more: update the template", tplPlatformDir, name)
		}
		if v, _ := env[name].(string); v == "" {
			t.Errorf("%s Environment %s is empty but required", fn, name)
		}
	}
	for name := range env {
		switch {
		case tplSDKEnv[name], slices.Contains(read, name):
		case slices.Contains(onboard, name):
			if !slices.Contains(read, name) {
				t.Logf("%s sets %s, which %s names; %s does not read it yet (the onboarding routes are not mounted)",
					fn, name, tplOnboardDir, tplPlatformDir)
			}
		default:
			t.Errorf("%s Environment sets %s, which neither %s nor %s nor the SDK reads", fn, name, tplPlatformDir, tplOnboardDir)
		}
	}
}

// tplCheckPlatformRole requires exactly: GetSecretValue on the component
// secret (no write), on the table's ARN the DynamoDB calls the code makes
// and nothing else, with a customer-managed key Decrypt on it through
// Secrets Manager only; the basic execution role, and the VPC execution
// role only in a VPC.
func tplCheckPlatformRole(t *testing.T, role any, vpc bool, kmsKey string) {
	t.Helper()
	grants, conds := tplRoleGrants(t, role)
	want := map[string][]string{"secretsmanager:GetSecretValue": {tplComponentArn}}
	for _, action := range tplTableActions(t) {
		want[action] = []string{"getatt:TokenTable.Arn"}
	}
	if kmsKey != "" {
		want["kms:Decrypt"] = []string{kmsKey}
	}
	if !reflect.DeepEqual(grants, want) {
		t.Errorf("PlatformTokenRole grants %v; want exactly %v", grants, want)
	}
	for action, c := range conds {
		if action != "kms:Decrypt" || !reflect.DeepEqual(c, tplKMSCondition) {
			t.Errorf("%s Condition = %v; want only kms:Decrypt's %v", action, c, tplKMSCondition)
		}
	}
	if kmsKey != "" && conds["kms:Decrypt"] == nil {
		t.Errorf("kms:Decrypt has no Condition; want %v", tplKMSCondition)
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
		t.Errorf("PlatformTokenRole managed policies %v; want %v", managed, wantManaged)
	}
}

// TestTemplatePlatformTableLayout proves, from the policy document and the
// store's item layout, that getindustry cannot read the platform service's
// state: its one grant (GetItem with dynamodb:Attributes) names appid,
// access_token and expires_at, and every other attribute the store writes
// (refresh token, lease, status, ticket, component token, ...) is outside
// it. The other half, that no item but an authorized account's holds
// access_token (the component's item is keyed "_component#..." and keeps its
// token as component_token), is the store's own test: (*env).wantLayout in
// functions/platformtoken/helpers_test.go, run after every push and run.
func TestTemplatePlatformTableLayout(t *testing.T) {
	out, _ := tplResolve(t, tplPlatformOn)
	policies, _ := tplPath(out["Resources"], "GetIndustryFunction", "Properties", "Policies").([]any)
	if !reflect.DeepEqual(policies, []any{map[string]any{"Statement": []any{tplTableRead}}}) {
		t.Fatalf("GetIndustryFunction Policies with PlatformMode on = %v; want only %v", policies, tplTableRead)
	}
	readable := map[string]bool{}
	for _, a := range tplPath(tplTableRead, "Condition", "ForAllValues:StringEquals", "dynamodb:Attributes").([]any) {
		readable[a.(string)] = true
	}
	attrs := tplStoreAttributes(t)
	for _, shared := range []string{"appid", "access_token", "expires_at"} {
		if !slices.Contains(attrs, shared) {
			t.Errorf("store.go does not declare %q; getindustry reads it", shared)
		}
	}
	var private []string
	for _, a := range attrs {
		switch {
		case a == "appid" || a == "access_token" || a == "expires_at":
		case readable[a]:
			t.Errorf("getindustry's policy lets it read %q, which is the platform service's own", a)
		default:
			private = append(private, a)
		}
	}
	t.Logf("getindustry may read appid, access_token, expires_at; not %v", private)
	if len(readable) != 3 {
		t.Errorf("getindustry's readable attributes = %v; want appid, access_token, expires_at", slices.Sorted(maps.Keys(readable)))
	}
	if src := tplSource(t, tplPlatformDir); !strings.Contains(src, `componentKeyPrefix = "_component#"`) {
		t.Errorf("store.go's component item key is no longer \"_component#\"+appid (never an appid getindustry accepts)")
	}
	if ttl := tplPath(out["Resources"], "TokenTable", "Properties", "TimeToLiveSpecification", "AttributeName"); ttl != "delete_after" || !slices.Contains(attrs, "delete_after") {
		t.Errorf("TokenTable's TTL attribute = %v; want delete_after, the claims' (claim.go)", ttl)
	}
}

// TestTemplatePlatformAlarms checks each platform alarm against the metrics
// functions/platformtoken/metrics.go writes: the names it declares, in
// MetricsNamespace, under the dimension Service = the function's name.
func TestTemplatePlatformAlarms(t *testing.T) {
	src := tplSource(t, tplPlatformDir)
	metrics := tplMatches(src, regexp.MustCompile(`\{Name: "([A-Za-z]+)", Unit: "[A-Za-z]+"\}`))
	if len(metrics) < 5 {
		t.Fatalf("found metrics %v in %s; want its emf.Metric{Name: ..., Unit: ...} declarations", metrics, tplPlatformDir)
	}
	t.Logf("%s writes %v", tplPlatformDir, metrics)
	if !strings.Contains(src, `[]string{"Service"}`) || !strings.Contains(src, `json:"Service"`) {
		t.Errorf("%s no longer writes its metrics under the one dimension Service", tplPlatformDir)
	}
	if !strings.Contains(src, `"AWS_LAMBDA_FUNCTION_NAME"`) {
		t.Errorf("%s no longer takes the Service dimension from AWS_LAMBDA_FUNCTION_NAME (Ref of the function)", tplPlatformDir)
	}
	if !strings.Contains(src, `"WX_METRICS_NAMESPACE"`) {
		t.Errorf("%s no longer reads its namespace from WX_METRICS_NAMESPACE", tplPlatformDir)
	}
	type alarm struct {
		ns, metric, stat      string
		period, evals, points float64
		threshold             float64
		op, missing           string
		dims                  map[string]any
	}
	service := []any{map[string]any{"Name": "Service", "Value": "ref:PlatformRunsFunction"}}
	for _, tc := range []struct {
		name    string
		params  map[string]string
		ns      string
		actions []any
	}{
		{"defaults", tplPlatformOn, "GetIndustry", nil},
		{"namespace, topic", tplWithPlatform(map[string]string{"MetricsNamespace": "WeChat/Prod", "AlarmTopicArn": tplPlatformTopic}),
			"WeChat/Prod", []any{tplPlatformTopic}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _ := tplResolve(t, tc.params)
			res := tplMap(out["Resources"])
			want := map[string]alarm{
				// WeChat pushes a ticket every 10 minutes; each run reports its age. No run: breaching.
				"PlatformTicketMissingAlarm": {tc.ns, "TicketAge", "Maximum", 900, 1, 0, 1800, "GreaterThanThreshold", "breaching", nil},
				"PlatformComponentTokenAlarm": {tc.ns, "ComponentTokenFailures", "Sum", 300, 1, 0, 1,
					"GreaterThanOrEqualToThreshold", "notBreaching", nil},
				"PlatformNeedsReauthAlarm": {tc.ns, "AwaitingReauth", "Maximum", 300, 1, 0, 0, "GreaterThanThreshold", "ignore", nil},
				"PlatformRefreshFailedAlarm": {tc.ns, "RefreshFailed", "Sum", 300, 3, 2, 0, "GreaterThanThreshold",
					"notBreaching", nil},
				"PlatformRunsErrorsAlarm": {"AWS/Lambda", "Errors", "Sum", 300, 2, 2, 0, "GreaterThanThreshold", "notBreaching",
					map[string]any{"Name": "FunctionName", "Value": "ref:PlatformRunsFunction"}},
			}
			for name, w := range want {
				p := tplMap(tplPath(res, name, "Properties"))
				if p == nil {
					t.Errorf("alarm %s is missing", name)
					continue
				}
				dims := service
				if w.dims != nil {
					dims = []any{w.dims}
				}
				got := map[string]any{"Namespace": p["Namespace"], "MetricName": p["MetricName"], "Statistic": p["Statistic"],
					"Period": p["Period"], "EvaluationPeriods": p["EvaluationPeriods"], "DatapointsToAlarm": p["DatapointsToAlarm"],
					"Threshold": p["Threshold"], "ComparisonOperator": p["ComparisonOperator"], "TreatMissingData": p["TreatMissingData"],
					"Dimensions": p["Dimensions"], "AlarmActions": p["AlarmActions"], "OKActions": p["OKActions"]}
				exp := map[string]any{"Namespace": w.ns, "MetricName": w.metric, "Statistic": w.stat, "Period": w.period,
					"EvaluationPeriods": w.evals, "DatapointsToAlarm": nil, "Threshold": w.threshold, "ComparisonOperator": w.op,
					"TreatMissingData": w.missing, "Dimensions": dims, "AlarmActions": nil, "OKActions": nil}
				if w.points != 0 {
					exp["DatapointsToAlarm"] = w.points
				}
				if tc.actions != nil {
					exp["AlarmActions"], exp["OKActions"] = tc.actions, tc.actions
				}
				if !reflect.DeepEqual(got, exp) {
					t.Errorf("alarm %s =\n  %v\nwant\n  %v", name, got, exp)
				}
				if d, _ := p["AlarmDescription"].(string); d == "" {
					t.Errorf("alarm %s has no AlarmDescription", name)
				}
				if w.ns != "AWS/Lambda" && !slices.Contains(metrics, w.metric) {
					t.Errorf("alarm %s watches %s, which %s/metrics.go does not write (it writes %v)", name, w.metric, tplPlatformDir, metrics)
				}
			}
		})
	}
}

// TestTemplatePlatformBuildTargets checks that every function the template
// deploys (all modes) has its own Makefile target building its package for
// linux/arm64, and that the two platform functions build the one bootstrap.
func TestTemplatePlatformBuildTargets(t *testing.T) {
	pkgs := map[string]string{
		"GetIndustryFunction":   "./functions/getindustry",
		"RefreshTokenFunction":  "./functions/refreshtoken",
		"PlatformTokenFunction": "./functions/platformtoken",
		"PlatformRunsFunction":  "./functions/platformtoken",
	}
	var fns []string
	for name, r := range tplMap(tplRaw(t)["Resources"]) {
		if tplMap(r)["Type"] == "AWS::Serverless::Function" {
			fns = append(fns, name)
		}
	}
	if got := slices.Sorted(slices.Values(fns)); !slices.Equal(got, slices.Sorted(maps.Keys(pkgs))) {
		t.Errorf("functions %v; want %v", got, slices.Sorted(maps.Keys(pkgs)))
	}
	dir := t.TempDir()
	for name, pkg := range pkgs {
		out := tplMake(t, "-n", "build-"+name, "ARTIFACTS_DIR="+dir)
		var build string
		for l := range strings.Lines(out) {
			if strings.Contains(l, " build ") {
				build = strings.TrimSpace(l)
			}
		}
		for _, want := range []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "-tags lambda.norpc", "-trimpath",
			`-ldflags "-s -w"`, "-o " + filepath.Join(dir, "bootstrap")} {
			if !strings.Contains(" "+build+" ", " "+want+" ") {
				t.Errorf("make -n build-%s: %q lacks %q", name, build, want)
			}
		}
		if !strings.HasSuffix(build, " "+pkg) {
			t.Errorf("make -n build-%s: %q does not build %s", name, build, pkg)
		}
	}
}

// TestTemplateReadme checks that README.md names every
// parameter, alarm and output the template declares, so that an operator
// can look each one up.
func TestTemplateReadme(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(tplRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	raw := tplRaw(t)
	names := slices.Collect(maps.Keys(tplMap(raw["Parameters"])))
	names = append(names, slices.Collect(maps.Keys(tplMap(raw["Outputs"])))...)
	for name, r := range tplMap(raw["Resources"]) {
		if tplMap(r)["Type"] == "AWS::CloudWatch::Alarm" {
			names = append(names, name)
		}
	}
	for _, name := range names {
		if !regexp.MustCompile(`\b` + name + `\b`).MatchString(readme) {
			t.Errorf("README.md does not name %s", name)
		}
	}
}
