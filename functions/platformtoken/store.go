package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The table's items (README, "Third-party platform"). Partition key
// appid (S).
//
// An account's item, keyed by the account's own appid:
//
//	access_token     S  the authorizer_access_token (getindustry reads it)
//	expires_at       S  RFC 3339 UTC, whole seconds, a minute before WeChat's expiry (getindustry reads it)
//	refresh_token    S  the latest authorizer_refresh_token WeChat returned
//	status           S  active | pending (authorized, token not fetched yet: due) | needs_reauth
//	lease_owner      S  the run refreshing it now
//	lease_until      N  Unix milliseconds the lease ends
//	func_info        NS permission set ids granted (funcscope_category)
//	auth_code_sha256 S  SHA-256 of the last authorization code exchanged (its claim item, claim.go, makes the exchange once)
//	auth_event_time  N  CreateTime of the last authorization push acted on (an older one is ignored)
//	authorized_at    N  auth_time from api_get_authorizer_list
//	updated_at       S  RFC 3339 of the last write
//
// The platform's item, keyed "_component#" + component_appid (never an
// appid: getindustry accepts only ^wx[0-9a-f]{16}$, and its policy reads
// only appid, access_token and expires_at):
//
//	ticket                      S  the last component_verify_ticket
//	ticket_at                   S  RFC 3339 when it was received
//	ticket_create_time          N  its push's CreateTime (an older push never overwrites a newer one)
//	component_token             S  component_access_token
//	component_token_expires_at  S  RFC 3339, a minute before WeChat's expiry
//
// Only an account's item ever holds access_token: the component token is
// stored under another name, and an account that needs re-authorization
// loses its access_token and expires_at.
const (
	attrAppID          = "appid"
	attrAccessToken    = "access_token"
	attrExpiresAt      = "expires_at"
	attrRefreshToken   = "refresh_token"
	attrStatus         = "status"
	attrLeaseOwner     = "lease_owner"
	attrLeaseUntil     = "lease_until"
	attrFuncInfo       = "func_info"
	attrAuthCode       = "auth_code_sha256"
	attrAuthEventTime  = "auth_event_time"
	attrAuthorizedAt   = "authorized_at"
	attrUpdatedAt      = "updated_at"
	attrTicket         = "ticket"
	attrTicketAt       = "ticket_at"
	attrTicketCreate   = "ticket_create_time"
	attrComponentToken = "component_token"
	attrComponentExp   = "component_token_expires_at"

	componentKeyPrefix = "_component#"
)

// Account statuses.
const (
	statusActive      = "active"
	statusPending     = "pending"
	statusNeedsReauth = "needs_reauth"
)

// The DynamoDB calls the store makes, one interface per need;
// *dynamodb.Client implements them all.
type (
	itemGetter interface {
		GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	}
	itemUpdater interface {
		UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	}
	itemDeleter interface {
		DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	}
	tableScanner interface {
		Scan(ctx context.Context, in *dynamodb.ScanInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	}
)

// tableAPI is what newStore needs.
type tableAPI interface {
	itemGetter
	itemUpdater
	itemDeleter
	tableScanner
}

// store reads and writes the table's items. It holds no state of its own
// and is safe for concurrent use.
type store struct {
	db    tableAPI
	table string
}

func newStore(db tableAPI, table string) *store { return &store{db: db, table: table} }

// accountItem is the part of an account's item the service acts on. It
// holds a refresh token: never log it.
type accountItem struct {
	AppID        string
	RefreshToken string
	Status       string
	HasToken     bool      // access_token present
	ExpiresAt    time.Time // zero when absent
}

// componentItem is the platform's item. It holds the ticket and the
// component token: never log it.
type componentItem struct {
	Ticket           string
	TicketAt         time.Time
	ComponentToken   string
	ComponentExpires time.Time
}

// authorization is what the service writes for an account after
// api_query_auth or api_authorizer_token.
type authorization struct {
	AppID        string
	AccessToken  string
	ExpiresAt    time.Time
	RefreshToken string
	FuncScopes   []int
	AuthCode     string // the code exchanged, when it came from a push; stored hashed
	EventTime    int64  // the push's CreateTime, when it came from a push
}

// errLost reports a conditional write that did not happen: the lease was
// lost, or a newer event was already applied.
var errLost = errors.New("condition not met")

// ts formats t as the table stores times: RFC 3339, UTC, whole seconds, so
// that strings compare as times do.
func ts(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// names maps "#x" to x for every attribute an expression names, so that no
// attribute name can collide with a DynamoDB reserved word (status, owner, …).
func names(attrs ...string) map[string]string {
	m := make(map[string]string, len(attrs))
	for _, a := range attrs {
		m["#"+a] = a
	}
	return m
}

func (st *store) key(appID string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrAppID: s(appID)}
}

// hashCode is what the table keeps of an authorization code.
func hashCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

func decodeAccount(item map[string]types.AttributeValue) accountItem {
	a := accountItem{AppID: str(item, attrAppID), RefreshToken: str(item, attrRefreshToken),
		Status: str(item, attrStatus)}
	a.HasToken = str(item, attrAccessToken) != ""
	a.ExpiresAt, _ = time.Parse(time.RFC3339, str(item, attrExpiresAt))
	return a
}

func str(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// component reads the platform's item (strongly consistent); a missing
// item is the zero componentItem.
func (st *store) component(ctx context.Context, componentAppID string) (componentItem, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table,
		Key: st.key(componentKeyPrefix + componentAppID), ConsistentRead: new(true)})
	if err != nil {
		return componentItem{}, fmt.Errorf("get component item: %w", err)
	}
	c := componentItem{Ticket: str(out.Item, attrTicket), ComponentToken: str(out.Item, attrComponentToken)}
	c.TicketAt, _ = time.Parse(time.RFC3339, str(out.Item, attrTicketAt))
	c.ComponentExpires, _ = time.Parse(time.RFC3339, str(out.Item, attrComponentExp))
	return c, nil
}

// putTicket stores a ticket received now from a push created at
// createTime, unless a push created later was stored already (then it
// returns errLost): a replayed old push never replaces a newer ticket.
func (st *store) putTicket(ctx context.Context, componentAppID, ticket string, createTime int64, now time.Time) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &st.table,
		Key:                      st.key(componentKeyPrefix + componentAppID),
		UpdateExpression:         new("SET #ticket = :t, #ticket_at = :at, #ticket_create_time = :ct"),
		ConditionExpression:      new("attribute_not_exists(#ticket_create_time) OR #ticket_create_time <= :ct"),
		ExpressionAttributeNames: names(attrTicket, attrTicketAt, attrTicketCreate),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":t": s(ticket), ":at": s(ts(now)), ":ct": n(createTime)},
	})
	return conditional(err, "put ticket")
}

// putComponentToken stores a new component_access_token.
func (st *store) putComponentToken(ctx context.Context, componentAppID, token string, expires time.Time) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &st.table,
		Key:                       st.key(componentKeyPrefix + componentAppID),
		UpdateExpression:          new("SET #component_token = :t, #component_token_expires_at = :e"),
		ExpressionAttributeNames:  names(attrComponentToken, attrComponentExp),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": s(token), ":e": s(ts(expires))},
	})
	if err != nil {
		return fmt.Errorf("put component token: %w", err)
	}
	return nil
}

// conditional turns a failed condition into errLost and wraps other errors
// with op.
func conditional(err error, op string) error {
	var cf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return nil
	case errors.As(err, &cf):
		return fmt.Errorf("%s: %w", op, errLost)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// tokenUpdate is the SET part shared by every write of an account's token.
const tokenUpdate = "SET #access_token = :tok, #expires_at = :exp, #refresh_token = :rt, #status = :active, #updated_at = :now"

func tokenValues(a authorization, now time.Time) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{":tok": s(a.AccessToken), ":exp": s(ts(a.ExpiresAt)),
		":rt": s(a.RefreshToken), ":active": s(statusActive), ":now": s(ts(now))}
}

var tokenNames = []string{attrAccessToken, attrExpiresAt, attrRefreshToken, attrStatus, attrUpdatedAt}

// putAuthorization writes an account's item from an authorization push
// (api_query_auth's answer). It clears any lease, so that a refresh in
// flight with the old refresh token cannot overwrite it, and it returns
// errLost, writing nothing, when a later authorization push was applied.
func (st *store) putAuthorization(ctx context.Context, a authorization, now time.Time) error {
	vals := tokenValues(a, now)
	vals[":code"], vals[":et"] = s(hashCode(a.AuthCode)), n(a.EventTime)
	update := tokenUpdate + ", #auth_code_sha256 = :code, #auth_event_time = :et"
	if ids := funcIDs(a.FuncScopes); ids != nil {
		vals[":funcs"] = ids
		update += ", #func_info = :funcs"
	}
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           &st.table,
		Key:                 st.key(a.AppID),
		UpdateExpression:    new(update + " REMOVE #lease_owner, #lease_until"),
		ConditionExpression: new("attribute_not_exists(#auth_event_time) OR #auth_event_time <= :et"),
		ExpressionAttributeNames: names(append(tokenNames, attrAuthCode, attrAuthEventTime, attrFuncInfo,
			attrLeaseOwner, attrLeaseUntil)...),
		ExpressionAttributeValues: vals,
	})
	return conditional(err, "put authorization "+a.AppID)
}

// markPending records an authorization push that could not be completed
// (WeChat too slow or failing): an account with no token yet gets an item
// with status pending and no refresh token, which the next refresh run
// finds (it is due: no expires_at) and completes through
// api_get_authorizer_list. An account that has a token keeps it (errLost):
// its refresh token still works, or the run recovers it through the list.
func (st *store) markPending(ctx context.Context, appID string, eventTime int64, now time.Time) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &st.table,
		Key:                      st.key(appID),
		UpdateExpression:         new("SET #status = :pending, #auth_event_time = :et, #updated_at = :now"),
		ConditionExpression:      new("attribute_not_exists(#access_token) AND (attribute_not_exists(#auth_event_time) OR #auth_event_time <= :et)"),
		ExpressionAttributeNames: names(attrStatus, attrAuthEventTime, attrUpdatedAt, attrAccessToken),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pending": s(statusPending), ":et": n(eventTime), ":now": s(ts(now))},
	})
	return conditional(err, "mark pending "+appID)
}

// deleteAccount deletes an account's item for an unauthorized push created
// at eventTime, unless a later authorization push was applied (errLost).
// Deleting an absent item succeeds.
func (st *store) deleteAccount(ctx context.Context, appID string, eventTime int64) error {
	_, err := st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 &st.table,
		Key:                       st.key(appID),
		ConditionExpression:       new("attribute_not_exists(#auth_event_time) OR #auth_event_time <= :et"),
		ExpressionAttributeNames:  names(attrAuthEventTime),
		ExpressionAttributeValues: map[string]types.AttributeValue{":et": n(eventTime)},
	})
	return conditional(err, "delete account "+appID)
}

// isAccountKey reports whether an item key is an account's (not the
// platform's item).
func isAccountKey(k string) bool { return !strings.HasPrefix(k, "_") }

// isLost reports whether err is a conditional write that did not happen.
func isLost(err error) bool { return errors.Is(err, errLost) }
