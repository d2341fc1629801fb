package ddbtest

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Region is the region clients of a Server use; dynalite accepts any.
const Region = "us-east-1"

// Server is a running dynalite, private to one test.
type Server struct {
	// URL is the server's base URL, http://127.0.0.1:PORT: the value for
	// AWS_ENDPOINT_URL_DYNAMODB or a client's BaseEndpoint.
	URL string
}

// Start launches dynalite for tb and stops it in tb.Cleanup. When node or
// tools/dynalite/node_modules is missing, it fails tb under CI=true (where
// `make tools` must have run) and skips it otherwise, with a one-line message
// saying to run `make tools`; any other problem fails tb.
func Start(tb testing.TB) *Server {
	tb.Helper()
	dir, err := ToolDir()
	if err == nil {
		var url string
		var stop func()
		if url, stop, err = Launch(tb.Context(), dir); err == nil {
			tb.Cleanup(stop)
			return &Server{URL: url}
		}
	}
	if errors.Is(err, ErrNotInstalled) && os.Getenv("CI") != "true" {
		tb.Skip(err)
	}
	tb.Fatal(err)
	return nil
}

// Client returns a real DynamoDB client pointed at the server, with static
// fake credentials.
func (s *Server) Client() *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDDDBTEST", "ddbtest-secret", ""),
		BaseEndpoint: aws.String(s.URL),
	})
}

// CreateTable creates the table name as the accounts table is made (partition
// key appid, a string; on-demand billing) and waits until it is ACTIVE. It
// fails tb on any error.
func (s *Server) CreateTable(tb testing.TB, name string) {
	tb.Helper()
	ctx, c := tb.Context(), s.Client()
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("appid"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("appid"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		tb.Fatalf("ddbtest: create table %q: %v", name, err)
	}
	waiter := dynamodb.NewTableExistsWaiter(c, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 100*time.Millisecond
	})
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, time.Minute); err != nil {
		tb.Fatalf("ddbtest: wait for table %q: %v", name, err)
	}
}
