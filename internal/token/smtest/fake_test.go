package smtest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/wxindustry/getindustry/internal/token/smtest"
)

const (
	secretID = "wechat/token"
	sentinel = "SENTINEL-TOKEN-5f3c"
)

// newFake starts a fake server and returns the fake and an SDK client that
// does not retry.
func newFake(tb testing.TB) (*smtest.Fake, *secretsmanager.Client, string) {
	tb.Helper()
	f := smtest.NewFake()
	srv := smtest.NewServer(f)
	tb.Cleanup(srv.Close)
	noRetry := func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 }
	return f, smtest.NewClient(srv.URL, noRetry), srv.URL
}

func get(tb testing.TB, c *secretsmanager.Client, id string) (*secretsmanager.GetSecretValueOutput, error) {
	tb.Helper()
	return c.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
}

func TestGetSecretValueByNameAndARN(t *testing.T) {
	f, c, _ := newFake(t)
	f.SetSecret(secretID, `{"access_token":"abc"}`)
	tests := []struct{ name, id string }{
		{"name", secretID},
		{"full ARN", f.ARN(secretID)},
		{"other ARN suffix", "arn:aws:secretsmanager:eu-west-1:111111111111:secret:wechat/token-XyZ123"},
		{"partial ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:wechat/token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := get(t, c, tt.id)
			if err != nil {
				t.Fatalf("GetSecretValue(%q) err = %v; want nil", tt.id, err)
			}
			if got := aws.ToString(out.SecretString); got != `{"access_token":"abc"}` {
				t.Errorf("SecretString = %q; want the stored value", got)
			}
			if got := aws.ToString(out.Name); got != secretID {
				t.Errorf("Name = %q; want %q", got, secretID)
			}
			if got := aws.ToString(out.ARN); got != f.ARN(secretID) {
				t.Errorf("ARN = %q; want %q", got, f.ARN(secretID))
			}
			if aws.ToString(out.VersionId) == "" || out.CreatedDate == nil || out.CreatedDate.IsZero() {
				t.Errorf("VersionId = %q, CreatedDate = %v; want both set", aws.ToString(out.VersionId), out.CreatedDate)
			}
			if len(out.VersionStages) != 1 || out.VersionStages[0] != "AWSCURRENT" {
				t.Errorf("VersionStages = %v; want [AWSCURRENT]", out.VersionStages)
			}
		})
	}
	if got := f.Calls(secretID); got != len(tests) {
		t.Errorf("Calls(%q) = %d; want %d", secretID, got, len(tests))
	}
}

func TestSecretBinary(t *testing.T) {
	f, c, _ := newFake(t)
	f.SetSecretBinary(secretID, []byte("bin-token"))
	out, err := get(t, c, secretID)
	if err != nil {
		t.Fatalf("GetSecretValue err = %v; want nil", err)
	}
	if out.SecretString != nil || string(out.SecretBinary) != "bin-token" {
		t.Errorf("SecretString = %v, SecretBinary = %q; want nil and %q", out.SecretString, out.SecretBinary, "bin-token")
	}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name       string
		fault      smtest.Fault
		wantCode   string
		wantStatus int
	}{
		{"not found", smtest.Fault{Type: "ResourceNotFoundException"}, "ResourceNotFoundException", 400},
		{"access denied", smtest.Fault{Type: "AccessDeniedException"}, "AccessDeniedException", 400},
		{"decryption", smtest.Fault{Type: "DecryptionFailure"}, "DecryptionFailure", 400},
		{"marked for deletion", smtest.Fault{Type: "InvalidRequestException"}, "InvalidRequestException", 400},
		{"throttled", smtest.Fault{Type: "ThrottlingException"}, "ThrottlingException", 400},
		{"internal", smtest.Fault{Type: "InternalServiceError"}, "InternalServiceError", 500},
		{"status only 503", smtest.Fault{Status: 503}, "ServiceUnavailable", 503},
		{"custom status", smtest.Fault{Type: "ThrottlingException", Status: 429}, "ThrottlingException", 429},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c, _ := newFake(t)
			f.SetSecret(secretID, sentinel)
			f.Fail(secretID, tt.fault)
			_, err := get(t, c, secretID)
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tt.wantCode {
				t.Fatalf("GetSecretValue err = %v; want API error %s", err, tt.wantCode)
			}
			var re *smithyhttp.ResponseError
			if !errors.As(err, &re) || re.HTTPStatusCode() != tt.wantStatus {
				t.Errorf("GetSecretValue err = %v; want HTTP status %d", err, tt.wantStatus)
			}
			if strings.Contains(err.Error(), sentinel) {
				t.Errorf("error %q contains the secret value", err)
			}
			if _, err := get(t, c, secretID); err != nil {
				t.Errorf("second GetSecretValue err = %v; want nil (fault used once)", err)
			}
			if got := f.Calls(secretID); got != 2 {
				t.Errorf("Calls = %d; want 2", got)
			}
		})
	}
}

func TestMissingAndDeletedSecret(t *testing.T) {
	f, c, _ := newFake(t)
	f.SetSecret(secretID, "x")
	f.DeleteSecret(secretID)
	for _, id := range []string{secretID, "other"} {
		_, err := get(t, c, id)
		var nf interface{ ErrorCode() string }
		if !errors.As(err, &nf) || nf.ErrorCode() != "ResourceNotFoundException" {
			t.Errorf("GetSecretValue(%q) err = %v; want ResourceNotFoundException", id, err)
		}
	}
	if got := f.Calls(""); got != 2 {
		t.Errorf(`Calls("") = %d; want 2`, got)
	}
}

func TestSDKRetriesThroughFaults(t *testing.T) {
	f := smtest.NewFake()
	srv := smtest.NewServer(f)
	defer srv.Close()
	c := smtest.NewClient(srv.URL)
	f.SetSecret(secretID, "tok")
	f.Fail(secretID, smtest.Fault{Type: "ThrottlingException"}, smtest.Fault{Type: "InternalServiceError"})
	out, err := get(t, c, secretID)
	if err != nil || aws.ToString(out.SecretString) != "tok" {
		t.Fatalf("GetSecretValue = %v, %v; want tok after SDK retries", out, err)
	}
	if got := f.Calls(secretID); got != 3 {
		t.Errorf("Calls = %d; want 3", got)
	}
}

func TestDelay(t *testing.T) {
	f, c, _ := newFake(t)
	f.SetSecret(secretID, "tok")
	f.Fail(secretID, smtest.Fault{Delay: time.Minute}, smtest.Fault{Delay: time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretID)})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow GetSecretValue err = %v; want context.DeadlineExceeded", err)
	}
	out, err := get(t, c, secretID)
	if err != nil || aws.ToString(out.SecretString) != "tok" {
		t.Errorf("delayed GetSecretValue = %v, %v; want tok", out, err)
	}
}
