package ddbtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
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

// Need skips tb when dynalite cannot run here (node, or
// tools/dynalite/node_modules, missing), except under CI=true, where `make
// tools` must have installed it; then, and for any other problem, it fails
// tb, as Start does. It is for tests that start dynalite through the code
// under test (make local's stack, the benchmark) rather than with Start.
func Need(tb testing.TB) {
	tb.Helper()
	_, err := ToolDir()
	if _, lookErr := exec.LookPath("node"); err == nil && lookErr != nil {
		err = fmt.Errorf("%w: %v", ErrNotInstalled, lookErr)
	}
	if errors.Is(err, ErrNotInstalled) && os.Getenv("CI") != "true" {
		tb.Skip(err)
	}
	if err != nil {
		tb.Fatal(err)
	}
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
	if err := CreateTable(tb.Context(), s.Client(), name); err != nil {
		tb.Fatal(err)
	}
}

// CreateTable creates the token table name with c (partition key appid, a
// string; on-demand billing), as template.yaml does, and waits until it is
// ACTIVE.
func CreateTable(ctx context.Context, c *dynamodb.Client, name string) error {
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("appid"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("appid"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		return fmt.Errorf("ddbtest: create table %q: %w", name, err)
	}
	waiter := dynamodb.NewTableExistsWaiter(c, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 100*time.Millisecond
	})
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, time.Minute); err != nil {
		return fmt.Errorf("ddbtest: wait for table %q: %w", name, err)
	}
	return nil
}
