package main

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

// accountsPath is multi-account mode's path as openapi.yaml and the
// template name it (README, "Many accounts").
const accountsPath = "/accounts/{appid}/industry"

// TestOpenAPIAccountsPath checks what openapi.yaml documents for
// multi-account mode: the appid parameter and its pattern, the same methods
// and statuses as /industry, and 400 and 404 of their own
// (invalid_request for a malformed appid, account_not_found).
func TestOpenAPIAccountsPath(t *testing.T) {
	spec := loadOpenAPI(t)
	paths := spec.resolve(t, spec["paths"])
	single, multi := spec.resolve(t, paths[industryPath]), spec.resolve(t, paths[accountsPath])
	if !strings.Contains(single["description"].(string), "Single-account mode only") ||
		!strings.Contains(multi["description"].(string), "Multi-account mode only") {
		t.Errorf("path descriptions %q, %q; want each to say which mode serves it", single["description"], multi["description"])
	}

	params := asSlice(multi["parameters"])
	if len(params) != 1 {
		t.Fatalf("%s parameters = %v; want appid only", accountsPath, params)
	}
	appid := spec.resolve(t, params[0])
	if appid["name"] != "appid" || appid["in"] != "path" || appid["required"] != true {
		t.Errorf("appid parameter = %v; want name appid, in path, required", appid)
	}
	schema := spec.resolve(t, appid["schema"])
	if schema["pattern"] != `^wx[0-9a-f]{16}$` {
		t.Errorf("appid pattern = %v; want README's ^wx[0-9a-f]{16}$", schema["pattern"])
	}
	for value, ok := range map[string]bool{
		"wx0123456789abcdef": true, "wxffffffffffffffff": true,
		"WX0123456789abcdef": false, "wx0123456789ABCDEF": false, "wx0123456789abcde": false,
		"wx0123456789abcdef0": false, "wx0123456789abcdeg": false, "gh_0123456789ab": false, "": false,
	} {
		if problems := spec.validate(t, schema, value, "appid"); (len(problems) == 0) != ok {
			t.Errorf("appid %q: accepted = %v (%v); want %v", value, len(problems) == 0, problems, ok)
		}
	}

	methods := func(item map[string]any) []string {
		return slices.DeleteFunc(slices.Sorted(maps.Keys(item)), func(k string) bool { return k == "description" || k == "parameters" })
	}
	if got, want := methods(multi), methods(single); !slices.Equal(got, want) {
		t.Fatalf("%s methods %v; want /industry's %v", accountsPath, got, want)
	}
	own := map[string]string{ // status: the response of its own on GET
		"400": "#/components/responses/BadAppID",
		"404": "#/components/responses/AccountNotFound",
	}
	for _, method := range methods(single) {
		want := spec.resolve(t, spec.resolve(t, single[method])["responses"])
		got := spec.resolve(t, spec.resolve(t, multi[method])["responses"])
		if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want))) {
			t.Errorf("%s %s statuses %v; want /industry's %v", method, accountsPath, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
		}
		for status, w := range want {
			g, _ := got[status].(map[string]any)
			wantRef := w.(map[string]any)["$ref"]
			if ref, ok := own[status]; ok && method == "get" {
				wantRef = ref
			}
			if g["$ref"] != wantRef {
				t.Errorf("%s %s %s = %v; want %v", method, accountsPath, status, g["$ref"], wantRef)
			}
		}
	}

	for ref, code := range map[string]string{"AccountNotFound": "account_not_found", "BadAppID": "invalid_request"} {
		resp := spec.resolve(t, spec.resolve(t, spec.resolve(t, spec["components"])["responses"])[ref])
		if !strings.Contains(resp["description"].(string), "`"+code+"`") {
			t.Errorf("response %s description %q does not name %s", ref, resp["description"], code)
		}
	}
	body := `{"error":{"code":"account_not_found","message":"no account wx0123456789abcdef","request_id":"r-1"}}`
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	media := spec.resolve(t, spec.resolve(t, spec.responseAt(t, accountsPath, "GET", 404)["content"])["application/json"])
	for _, p := range spec.validate(t, media["schema"], v, "body") {
		t.Error(p)
	}
}

// TestOpenAPIPathsAreTheTemplateRoutes checks that openapi.yaml documents
// exactly the paths the template routes, in one mode or the other.
func TestOpenAPIPathsAreTheTemplateRoutes(t *testing.T) {
	spec := loadOpenAPI(t)
	routed := map[string]bool{}
	for _, mode := range []string{"single", "multi"} {
		out, _ := tplResolve(t, map[string]string{"AccountsMode": mode})
		paths := tplMap(tplPath(out["Resources"], "IndustryApi", "Properties", "DefinitionBody", "paths"))
		if len(paths) != 1 {
			t.Errorf("AccountsMode %s routes %v; want one path", mode, slices.Sorted(maps.Keys(paths)))
		}
		for p := range paths {
			routed[p] = true
		}
	}
	documented := slices.Sorted(maps.Keys(spec.resolve(t, spec["paths"])))
	if got := slices.Sorted(maps.Keys(routed)); !slices.Equal(got, documented) {
		t.Errorf("template routes %v; openapi.yaml documents %v", got, documented)
	}
}
