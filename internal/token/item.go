package token

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Attributes of an account's item that a Source reads; every other
// attribute belongs to the table's writer.
const (
	itemKey     = "appid"
	itemToken   = "access_token"
	itemExpires = "expires_at"
)

// itemProjection is the one projection read: the IAM policy of the reader
// allows these attributes (and the key) only.
const itemProjection = itemToken + ", " + itemExpires

// ItemGetter is the one DynamoDB method a Source made by NewItemSource
// needs. It is satisfied by *dynamodb.Client.
type ItemGetter interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// NewItemSource returns a Source of one account's token, read from its item
// in a DynamoDB table (partition key appid, a string): GetItem with
// ConsistentRead and the projection "access_token, expires_at". The item's
// access_token is a string and its expires_at, if present, an RFC 3339
// string. The Source caches, shares reads, invalidates and serves stale
// tokens as NewSource's does, with these differences: no item is an *Error
// wrapping ErrAccountNotFound, never answered from the cache; an item
// without access_token, or past its expires_at, is a transient *Error (the
// writer is behind). opts.SecretID and opts.Field are ignored. It returns an
// error if table or appid is empty or a duration is negative.
func NewItemSource(db ItemGetter, table, appid string, opts Options) (*Source, error) {
	if db == nil {
		return nil, errors.New("token: new item source: nil ItemGetter")
	}
	if table == "" || appid == "" {
		return nil, errors.New("token: new item source: table and appid are required")
	}
	ident := Error{Table: table, AppID: appid}
	s, err := newSource(&itemReader{db: db, ident: ident}, ident, "item", opts)
	if err != nil {
		return nil, err
	}
	s.expired = true
	return s, nil
}

// itemReader reads an account's token from its item.
type itemReader struct {
	db    ItemGetter
	ident Error // Table and AppID
}

// read makes one GetItem call and reads the item's two attributes.
func (r *itemReader) read(ctx context.Context) (string, time.Time, error) {
	out, err := r.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:            aws.String(r.ident.Table),
		Key:                  map[string]types.AttributeValue{itemKey: &types.AttributeValueMemberS{Value: r.ident.AppID}},
		ConsistentRead:       aws.Bool(true),
		ProjectionExpression: aws.String(itemProjection),
	})
	if err != nil {
		e := dynamoDB.classify(err)
		e.Table, e.AppID = r.ident.Table, r.ident.AppID
		return "", time.Time{}, e
	}
	if len(out.Item) == 0 {
		return "", time.Time{}, r.ident.with("no item for the appid", false, ErrAccountNotFound)
	}
	tok, ok := out.Item[itemToken].(*types.AttributeValueMemberS)
	if !ok || tok.Value == "" {
		return "", time.Time{}, r.ident.with("item has no access_token", true, nil)
	}
	var exp time.Time
	if v, present := out.Item[itemExpires]; present {
		s, ok := v.(*types.AttributeValueMemberS)
		if !ok {
			return "", time.Time{}, r.ident.with(reasonExpiresAt, false, nil)
		}
		if exp, ok = parseTime(s.Value); !ok {
			return "", time.Time{}, r.ident.with(reasonExpiresAt, false, nil)
		}
	}
	return tok.Value, exp, nil
}
