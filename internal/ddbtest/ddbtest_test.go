package ddbtest

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestCreateTable(t *testing.T) {
	s := Start(t)
	s.CreateTable(t, "accounts")
	out, err := s.Client().DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String("accounts")})
	if err != nil {
		t.Fatalf("DescribeTable: %v", err)
	}
	tbl := out.Table
	if tbl.TableStatus != types.TableStatusActive {
		t.Errorf("TableStatus = %s; want ACTIVE", tbl.TableStatus)
	}
	if len(tbl.KeySchema) != 1 || aws.ToString(tbl.KeySchema[0].AttributeName) != "appid" || tbl.KeySchema[0].KeyType != types.KeyTypeHash {
		t.Errorf("KeySchema = %+v; want appid HASH", tbl.KeySchema)
	}
	if len(tbl.AttributeDefinitions) != 1 || tbl.AttributeDefinitions[0].AttributeType != types.ScalarAttributeTypeS {
		t.Errorf("AttributeDefinitions = %+v; want appid S", tbl.AttributeDefinitions)
	}
	if tbl.BillingModeSummary == nil || tbl.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("BillingModeSummary = %+v; want PAY_PER_REQUEST", tbl.BillingModeSummary)
	}
}

func TestPutGetRoundTrip(t *testing.T) {
	s := Start(t)
	s.CreateTable(t, "accounts")
	c := s.Client()
	item := map[string]types.AttributeValue{
		"appid":         &types.AttributeValueMemberS{Value: "wx0123456789abcdef"},
		"access_token":  &types.AttributeValueMemberS{Value: "TOKEN-1"},
		"expires_at":    &types.AttributeValueMemberS{Value: "2030-01-01T00:00:00Z"},
		"refresh_token": &types.AttributeValueMemberS{Value: "not for getindustry"},
	}
	if _, err := c.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String("accounts"), Item: item}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	out, err := c.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName:            aws.String("accounts"),
		Key:                  map[string]types.AttributeValue{"appid": &types.AttributeValueMemberS{Value: "wx0123456789abcdef"}},
		ConsistentRead:       aws.Bool(true),
		ProjectionExpression: aws.String("access_token, expires_at"),
	})
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	if len(out.Item) != 2 {
		t.Errorf("item has %d attributes; want the 2 projected", len(out.Item))
	}
	if tok, ok := out.Item["access_token"].(*types.AttributeValueMemberS); !ok || tok.Value != "TOKEN-1" {
		t.Errorf("access_token = %#v; want TOKEN-1", out.Item["access_token"])
	}

	missing, err := c.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName: aws.String("accounts"),
		Key:       map[string]types.AttributeValue{"appid": &types.AttributeValueMemberS{Value: "wxffffffffffffffff"}},
	})
	if err != nil || missing.Item != nil {
		t.Errorf("GetItem(unknown appid) = %v, %v; want no item and no error", missing.Item, err)
	}
}

// TestMissingTableIsTheSDKError checks that dynalite answers as DynamoDB
// does, so that code under test sees the SDK's own typed errors.
func TestMissingTableIsTheSDKError(t *testing.T) {
	s := Start(t)
	_, err := s.Client().GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName: aws.String("nope"),
		Key:       map[string]types.AttributeValue{"appid": &types.AttributeValueMemberS{Value: "wx0123456789abcdef"}},
	})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("GetItem on a missing table: err = %v; want *types.ResourceNotFoundException", err)
	}
}

// TestServersAreSeparate checks that each Start gets its own, empty store.
func TestServersAreSeparate(t *testing.T) {
	a, b := Start(t), Start(t)
	if a.URL == b.URL {
		t.Fatalf("two servers share %s", a.URL)
	}
	a.CreateTable(t, "accounts")
	out, err := b.Client().ListTables(t.Context(), &dynamodb.ListTablesInput{})
	if err != nil || len(out.TableNames) != 0 {
		t.Errorf("second server's tables = %v, %v; want none", out, err)
	}
}

// TestStopEndsTheServer checks that stop kills the server: nothing answers
// at its URL afterwards.
func TestStopEndsTheServer(t *testing.T) {
	dir, err := ToolDir()
	if errors.Is(err, ErrNotInstalled) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	url, stop, err := Launch(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(url); err != nil {
		t.Fatalf("GET %s before stop: %v", url, err)
	}
	stop()
	stop() // safe twice
	if resp, err := http.Get(url); err == nil {
		resp.Body.Close()
		t.Errorf("GET %s after stop answered %s; want a refused connection", url, resp.Status)
	}
}

// TestToolDirFromElsewhere checks that ToolDir finds the module's
// tools/dynalite from any directory inside the module, and reports one
// outside it.
func TestToolDirFromElsewhere(t *testing.T) {
	here, err := ToolDir()
	if errors.Is(err, ErrNotInstalled) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(here, "..", "..", "functions"))
	if got, err := ToolDir(); err != nil || got != here {
		t.Errorf("ToolDir() from functions/ = %q, %v; want %q", got, err, here)
	}
	t.Chdir(t.TempDir())
	if _, err := ToolDir(); err == nil || errors.Is(err, ErrNotInstalled) {
		t.Errorf("ToolDir() outside the module: err = %v; want one saying it found no %s", err, ToolPath)
	}
}
