package smtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/wxindustry/getindustry/internal/token/smtest"
)

// post sends a raw AWS JSON 1.1 request and returns status, headers and body.
func post(tb testing.TB, url, target, body string, auth bool) (int, http.Header, string) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if auth {
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/secretsmanager/aws4_request")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func TestWireProtocol(t *testing.T) {
	f, _, url := newFake(t)
	f.SetSecret(secretID, sentinel)
	tests := []struct {
		name, target, body string
		auth               bool
		wantStatus         int
		wantType           string
	}{
		{"ok", "secretsmanager.GetSecretValue", `{"SecretId":"wechat/token"}`, true, 200, ""},
		{"no authorization", "secretsmanager.GetSecretValue", `{"SecretId":"wechat/token"}`, false, 400, "MissingAuthenticationTokenException"},
		{"unknown target", "secretsmanager.DescribeSecret", `{"SecretId":"wechat/token"}`, true, 400, "UnknownOperationException"},
		{"no target", "", `{}`, true, 400, "UnknownOperationException"},
		{"bad body", "secretsmanager.GetSecretValue", `{bad`, true, 400, "SerializationException"},
		{"no secret id", "secretsmanager.GetSecretValue", `{}`, true, 400, "ValidationException"},
		{"not found", "secretsmanager.GetSecretValue", `{"SecretId":"nope"}`, true, 400, "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := post(t, url, tt.target, tt.body, tt.auth)
			if status != tt.wantStatus {
				t.Fatalf("status = %d; want %d (body %s)", status, tt.wantStatus, body)
			}
			if got := h.Get("Content-Type"); got != "application/x-amz-json-1.1" {
				t.Errorf("Content-Type = %q; want application/x-amz-json-1.1", got)
			}
			if h.Get("X-Amzn-RequestId") == "" {
				t.Error("X-Amzn-RequestId header missing")
			}
			if tt.wantType == "" {
				return
			}
			var e struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal([]byte(body), &e); err != nil || e.Type != tt.wantType || e.Message == "" {
				t.Errorf("body = %s; want __type %s and a message", body, tt.wantType)
			}
			if got := h.Get("X-Amzn-ErrorType"); got != tt.wantType {
				t.Errorf("X-Amzn-ErrorType = %q; want %q", got, tt.wantType)
			}
			if strings.Contains(body, sentinel) {
				t.Errorf("error body %s contains the secret value", body)
			}
		})
	}
}

func TestUnsupportedOperationThroughSDK(t *testing.T) {
	_, c, _ := newFake(t)
	_, err := c.DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(secretID)})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "UnknownOperationException" {
		t.Errorf("DescribeSecret err = %v; want UnknownOperationException", err)
	}
}

func TestPutSecretValue(t *testing.T) {
	f, c, _ := newFake(t)
	ctx := context.Background()
	f.SetSecret(secretID, "old")
	put := func(value, token string) (*secretsmanager.PutSecretValueOutput, error) {
		in := &secretsmanager.PutSecretValueInput{SecretId: aws.String(f.ARN(secretID)), SecretString: aws.String(value)}
		if token != "" {
			in.ClientRequestToken = aws.String(token)
		}
		return c.PutSecretValue(ctx, in)
	}
	out, err := put("new", "")
	if err != nil {
		t.Fatalf("PutSecretValue err = %v; want nil", err)
	}
	if aws.ToString(out.Name) != secretID || aws.ToString(out.ARN) != f.ARN(secretID) || aws.ToString(out.VersionId) == "" {
		t.Errorf("PutSecretValue = %+v; want Name, ARN and VersionId", out)
	}
	got, err := get(t, c, secretID)
	if err != nil || aws.ToString(got.SecretString) != "new" || aws.ToString(got.VersionId) != aws.ToString(out.VersionId) {
		t.Fatalf("GetSecretValue after put = %v, %v; want new value and version", got, err)
	}

	const token = "11111111-2222-4333-8444-555555555555"
	if _, err := put("v3", token); err != nil {
		t.Fatalf("PutSecretValue(token) err = %v", err)
	}
	if again, err := put("v3", token); err != nil || aws.ToString(again.VersionId) != token {
		t.Errorf("repeated PutSecretValue = %v, %v; want idempotent version %s", again, err, token)
	}
	var ae smithy.APIError
	if _, err := put("v4", token); !errors.As(err, &ae) || ae.ErrorCode() != "ResourceExistsException" {
		t.Errorf("PutSecretValue(same token, new value) err = %v; want ResourceExistsException", err)
	}

	f.Fail(secretID, smtest.Fault{Type: "AccessDeniedException", Op: "PutSecretValue"})
	if _, err := get(t, c, secretID); err != nil {
		t.Errorf("GetSecretValue err = %v; want nil (fault is for PutSecretValue)", err)
	}
	if _, err := put("v5", ""); !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" {
		t.Errorf("PutSecretValue err = %v; want AccessDeniedException", err)
	}
	f.DeleteSecret(secretID)
	if _, err := put("v6", ""); !errors.As(err, &ae) || ae.ErrorCode() != "ResourceNotFoundException" {
		t.Errorf("PutSecretValue(deleted) err = %v; want ResourceNotFoundException", err)
	}
	if got := f.Puts(secretID); got != 6 {
		t.Errorf("Puts = %d; want 6", got)
	}
}

func TestControlAPI(t *testing.T) {
	_, c, url := newFake(t)
	send := func(method, path, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, url+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	steps := []struct {
		name, method, path, body string
		want                     int
	}{
		{"set", "POST", "/_fake/secret", `{"id":"wechat/token","value":"ctl-token"}`, 204},
		{"fail", "POST", "/_fake/fail", `{"id":"wechat/token","faults":[{"type":"ThrottlingException"},{"status":500,"delay":"1ms"}]}`, 204},
		{"bad delay", "POST", "/_fake/fail", `{"id":"wechat/token","faults":[{"delay":"soon"}]}`, 400},
		{"no id", "POST", "/_fake/secret", `{"value":"x"}`, 400},
		{"no value", "POST", "/_fake/secret", `{"id":"x"}`, 400},
		{"unknown path", "POST", "/_fake/nope", `{"id":"x"}`, 404},
		{"stats wrong method", "POST", "/_fake/stats", ``, 405},
	}
	for _, s := range steps {
		if got, body := send(s.method, s.path, s.body); got != s.want {
			t.Errorf("%s: %s %s = %d %s; want %d", s.name, s.method, s.path, got, body, s.want)
		}
	}
	for i, wantErr := range []bool{true, true, false} {
		out, err := get(t, c, secretID)
		if (err != nil) != wantErr {
			t.Errorf("call %d: err = %v; want error %v", i, err, wantErr)
		}
		if err == nil && aws.ToString(out.SecretString) != "ctl-token" {
			t.Errorf("call %d: SecretString = %q; want ctl-token", i, aws.ToString(out.SecretString))
		}
	}
	status, body := send("GET", "/_fake/stats", "")
	var stats struct{ Calls, Puts map[string]int }
	if err := json.Unmarshal([]byte(body), &stats); status != 200 || err != nil || stats.Calls[secretID] != 3 {
		t.Errorf("stats = %d %s; want calls[%s] = 3", status, body, secretID)
	}
	if got, _ := send("POST", "/_fake/delete", `{"id":"wechat/token"}`); got != 204 {
		t.Errorf("delete status = %d; want 204", got)
	}
	if _, err := get(t, c, secretID); err == nil {
		t.Error("GetSecretValue after delete err = nil; want ResourceNotFoundException")
	}
}
