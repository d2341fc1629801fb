package awsenv

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wxindustry/getindustry/internal/ddbtest"
)

func TestDynamoDBRejectsWhatSecretsManagerRejects(t *testing.T) {
	for _, env := range []map[string]string{
		{"AWS_ACCESS_KEY_ID": "AKID"},
		{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKID"},
		{"AWS_REGION": "us-east-1"},
	} {
		getenv := func(k string) string { return env[k] }
		_, smErr := SecretsManager(getenv)
		_, err := DynamoDB(getenv)
		if err == nil || smErr == nil || err.Error() != smErr.Error() {
			t.Errorf("env %v: DynamoDB() err = %v; want SecretsManager's %v", env, err, smErr)
		}
	}
}

// TestDynamoDBAgainstDynalite reads an item back through the client that
// DynamoDB builds, pointed at dynalite by the SDK's own endpoint variables:
// the service's variable wins over AWS_ENDPOINT_URL, which serves when alone.
func TestDynamoDBAgainstDynalite(t *testing.T) {
	s := ddbtest.Start(t)
	s.CreateTable(t, "accounts")
	key := map[string]types.AttributeValue{"appid": &types.AttributeValueMemberS{Value: "wx0123456789abcdef"}}
	item := map[string]types.AttributeValue{"appid": key["appid"], "access_token": &types.AttributeValueMemberS{Value: "TOKEN-1"}}
	if _, err := s.Client().PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String("accounts"), Item: item}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	creds := map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s"}
	for name, endpoints := range map[string]map[string]string{
		"service variable": {"AWS_ENDPOINT_URL_DYNAMODB": s.URL, "AWS_ENDPOINT_URL": "http://127.0.0.1:1"},
		"global variable":  {"AWS_ENDPOINT_URL": s.URL, "AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://127.0.0.1:1"},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := DynamoDB(func(k string) string {
				if v, ok := endpoints[k]; ok {
					return v
				}
				return creds[k]
			})
			if err != nil {
				t.Fatalf("DynamoDB() err = %v", err)
			}
			out, err := c.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String("accounts"), Key: key, ConsistentRead: aws.Bool(true)})
			if err != nil {
				t.Fatalf("GetItem: %v", err)
			}
			if tok, ok := out.Item["access_token"].(*types.AttributeValueMemberS); !ok || tok.Value != "TOKEN-1" {
				t.Errorf("access_token = %#v; want TOKEN-1", out.Item["access_token"])
			}
		})
	}
}

func TestDynamoDBDefaultEndpoint(t *testing.T) {
	c, err := DynamoDB(func(k string) string {
		return map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s"}[k]
	})
	if err != nil {
		t.Fatalf("DynamoDB() err = %v", err)
	}
	if o := c.Options(); o.BaseEndpoint != nil || o.Region != "us-east-1" || o.Retryer.MaxAttempts() != 3 {
		t.Errorf("options = endpoint %v region %q attempts %d; want the SDK's endpoint for us-east-1, 3 attempts", o.BaseEndpoint, o.Region, o.Retryer.MaxAttempts())
	}
}
