package token_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/wxindustry/getindustry/internal/clocktest"
	"github.com/wxindustry/getindustry/internal/ddbtest"
	"github.com/wxindustry/getindustry/internal/jsonlog/jsonlogtest"
	"github.com/wxindustry/getindustry/internal/token"
)

const (
	table = "accounts"
	appID = "wx0123456789abcdef"
)

// countingGetter counts the GetItem calls that reach the real client and
// keeps the last input.
type countingGetter struct {
	db    token.ItemGetter
	calls atomic.Int64
	last  atomic.Pointer[dynamodb.GetItemInput]
}

func (c *countingGetter) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.calls.Add(1)
	c.last.Store(in)
	return c.db.GetItem(ctx, in, optFns...)
}

// itemEnv is an item Source on dynalite through the real SDK client.
type itemEnv struct {
	db    *dynamodb.Client
	get   *countingGetter
	src   *token.Source
	clock *clocktest.Clock
	logs  *jsonlogtest.Buffer
}

func newItemEnv(tb testing.TB) *itemEnv {
	tb.Helper()
	srv := ddbtest.Start(tb)
	srv.CreateTable(tb, table)
	e := &itemEnv{db: srv.Client(), clock: clocktest.New(t0), logs: &jsonlogtest.Buffer{}}
	e.get = &countingGetter{db: e.db}
	src, err := token.NewItemSource(e.get, table, appID, token.Options{
		Now:    e.clock.Now,
		Logger: slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		tb.Fatal(err)
	}
	e.src = src
	return e
}

// put writes the account's item with the given attributes (strings) and an
// attribute of the writer's own that the Source must never read.
func (e *itemEnv) put(tb testing.TB, attrs map[string]string) {
	tb.Helper()
	item := map[string]types.AttributeValue{
		"appid":         &types.AttributeValueMemberS{Value: appID},
		"refresh_token": &types.AttributeValueMemberS{Value: "writer-only"},
	}
	for k, v := range attrs {
		item[k] = &types.AttributeValueMemberS{Value: v}
	}
	if _, err := e.db.PutItem(tb.Context(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		tb.Fatal(err)
	}
}

func (e *itemEnv) remove(tb testing.TB) {
	tb.Helper()
	_, err := e.db.DeleteItem(tb.Context(), &dynamodb.DeleteItemInput{TableName: aws.String(table),
		Key: map[string]types.AttributeValue{"appid": &types.AttributeValueMemberS{Value: appID}}})
	if err != nil {
		tb.Fatal(err)
	}
}

func TestItemSourceReads(t *testing.T) {
	later := t0.Add(2 * time.Hour).Format(time.RFC3339)
	tests := []struct {
		name          string
		item          map[string]string // nil: no item
		wantToken     string
		wantReason    string
		wantTransient bool
		wantNotFound  bool
	}{
		{name: "token and expiry", item: map[string]string{"access_token": sentinel, "expires_at": later}, wantToken: sentinel},
		{name: "token without expiry", item: map[string]string{"access_token": sentinel}, wantToken: sentinel},
		{name: "no item", wantReason: "no item for the appid", wantNotFound: true},
		{name: "item without access_token", item: map[string]string{"expires_at": later},
			wantReason: "item has no access_token", wantTransient: true},
		{name: "empty access_token", item: map[string]string{"access_token": "", "expires_at": later},
			wantReason: "item has no access_token", wantTransient: true},
		{name: "expired", item: map[string]string{"access_token": sentinel, "expires_at": t0.Add(-time.Second).Format(time.RFC3339)},
			wantReason: "token in item has expired", wantTransient: true},
		{name: "expires_at not RFC 3339", item: map[string]string{"access_token": sentinel, "expires_at": "tomorrow"},
			wantReason: "expires_at is not RFC 3339"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newItemEnv(t)
			if tt.item != nil {
				e.put(t, tt.item)
			}
			got, err := e.src.Token(t.Context())
			if tt.wantReason == "" {
				if err != nil || got != tt.wantToken {
					t.Fatalf("Token() = %q, %v; want the item's token", got, err)
				}
			} else {
				var te *token.Error
				if !errors.As(err, &te) || te.Reason != tt.wantReason || te.Transient != tt.wantTransient ||
					te.Table != table || te.AppID != appID {
					t.Fatalf("Token() = %q, %#v; want *Error %q transient=%v naming the item", got, err, tt.wantReason, tt.wantTransient)
				}
				if errors.Is(err, token.ErrAccountNotFound) != tt.wantNotFound {
					t.Errorf("errors.Is(%v, ErrAccountNotFound) = %v; want %v", err, !tt.wantNotFound, tt.wantNotFound)
				}
				if strings.Contains(err.Error(), sentinel) {
					t.Errorf("error %q holds the token", err)
				}
			}
			in := e.get.last.Load()
			if in == nil || !aws.ToBool(in.ConsistentRead) || aws.ToString(in.ProjectionExpression) != "access_token, expires_at" ||
				aws.ToString(in.TableName) != table {
				t.Errorf("GetItem input = %+v; want a consistent read of access_token and expires_at", in)
			}
			if strings.Contains(e.logs.String(), sentinel) {
				t.Errorf("logs hold the token:\n%s", e.logs)
			}
		})
	}
}

// A cached token is served for the TTL with one read; an item deleted
// meanwhile (authorization withdrawn) is not answered from the cache, even
// before the token's expires_at.
func TestItemSourceCachesAndForgetsADeletedAccount(t *testing.T) {
	e := newItemEnv(t)
	e.put(t, map[string]string{"access_token": sentinel, "expires_at": t0.Add(2 * time.Hour).Format(time.RFC3339)})
	for range 3 {
		if got, err := e.src.Token(t.Context()); err != nil || got != sentinel {
			t.Fatalf("Token() = %q, %v", got, err)
		}
	}
	if n := e.get.calls.Load(); n != 1 {
		t.Errorf("%d GetItem calls for 3 Token calls within the TTL; want 1", n)
	}
	e.remove(t)
	e.clock.Advance(token.DefaultTTL)
	if got, err := e.src.Token(t.Context()); !errors.Is(err, token.ErrAccountNotFound) {
		t.Fatalf("Token() after the item was deleted = %q, %v; want ErrAccountNotFound", got, err)
	}
}

// Invalidate drops exactly the rejected token and the next Token reads the
// item afresh.
func TestItemSourceInvalidate(t *testing.T) {
	e := newItemEnv(t)
	e.put(t, map[string]string{"access_token": "old"})
	if got, _ := e.src.Token(t.Context()); got != "old" {
		t.Fatalf("Token() = %q; want old", got)
	}
	e.put(t, map[string]string{"access_token": "new"})
	e.src.Invalidate("other")
	if got, _ := e.src.Token(t.Context()); got != "old" {
		t.Errorf("Token() after Invalidate(other) = %q; want old, still cached", got)
	}
	e.src.Invalidate("old")
	if got, _ := e.src.Token(t.Context()); got != "new" {
		t.Errorf("Token() after Invalidate(old) = %q; want new", got)
	}
	if n := e.get.calls.Load(); n != 2 {
		t.Errorf("%d GetItem calls; want 2", n)
	}
}

func TestItemSourceMissingTable(t *testing.T) {
	srv := ddbtest.Start(t)
	src, err := token.NewItemSource(srv.Client(), "nope", appID, token.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Token(t.Context())
	var te *token.Error
	if !errors.As(err, &te) || te.Reason != "table not found" || te.Transient || errors.Is(err, token.ErrAccountNotFound) {
		t.Errorf("Token() err = %#v; want a lasting \"table not found\"", err)
	}
}

// getterFunc is a one-method fake of the DynamoDB client, for failures
// dynalite cannot produce.
type getterFunc func(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)

func (f getterFunc) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return f(ctx, in, optFns...)
}

func TestItemSourceClassifiesDynamoDBErrors(t *testing.T) {
	tests := []struct {
		code          string
		wantReason    string
		wantTransient bool
	}{
		{"ProvisionedThroughputExceededException", "dynamodb throttled", true},
		{"ThrottlingException", "dynamodb throttled", true},
		{"RequestLimitExceeded", "dynamodb throttled", true},
		{"InternalServerError", "dynamodb unavailable", true},
		{"AccessDeniedException", "access denied", false},
		{"ResourceNotFoundException", "table not found", false},
		{"SomethingNew", "dynamodb error SomethingNew", false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			db := getterFunc(func(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
				return nil, &smithy.GenericAPIError{Code: tt.code, Message: "m"}
			})
			src, err := token.NewItemSource(db, table, appID, token.Options{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = src.Token(t.Context())
			var te *token.Error
			if !errors.As(err, &te) || te.Reason != tt.wantReason || te.Transient != tt.wantTransient {
				t.Errorf("Token() err = %#v; want %q transient=%v", err, tt.wantReason, tt.wantTransient)
			}
		})
	}
}
