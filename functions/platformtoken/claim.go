package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// An authorization code is exchanged (api_query_auth) once, by whichever
// of the authorized push and the onboarding callback claims it first: the
// claim is a conditional write of the code's item, keyed "_authcode#" and
// the code's SHA-256 (never an appid, so no account's and never due):
//
//	claim_owner       S   the claimant (a random id per exchange)
//	claimed_at        N   Unix milliseconds of the claim
//	authorizer_appid  S   the account the code was exchanged for, once done
//	func_info         NS  the permission set ids it granted, once done
//	delete_after      N   Unix seconds after which the item serves no one
//	                      (a push is fresh for 5 minutes, a code for an hour);
//	                      a table TTL on this attribute removes it
//
// A claim that is not done after claimTTL is taken to have died with its
// claimant, and may be taken again.
const (
	claimKeyPrefix   = "_authcode#"
	attrClaimOwner   = "claim_owner"
	attrClaimedAt    = "claimed_at"
	attrClaimAppID   = "authorizer_appid"
	attrDeleteAfter  = "delete_after"
	claimTTL         = 30 * time.Second
	claimKeep        = 24 * time.Hour
	claimPollEvery   = 100 * time.Millisecond
	maxAuthorizeWait = 5 * time.Second
)

// codeClaim is a code's item as read.
type codeClaim struct {
	Owner      string
	ClaimedAt  time.Time
	AppID      string // set once the exchange is done
	FuncScopes []int
}

// done reports whether the code was exchanged.
func (c codeClaim) done() bool { return c.AppID != "" }

func (st *store) claimKey(hash string) map[string]types.AttributeValue {
	return st.key(claimKeyPrefix + hash)
}

// claimCode claims the code whose hash is given for owner, unless it is
// done or claimed less than claimTTL ago (then errLost).
func (st *store) claimCode(ctx context.Context, hash, owner string, now time.Time) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        &st.table,
		Key:              st.claimKey(hash),
		UpdateExpression: new("SET #claim_owner = :me, #claimed_at = :now, #delete_after = :del"),
		ConditionExpression: new("attribute_not_exists(#appid) OR " +
			"(attribute_not_exists(#authorizer_appid) AND #claimed_at < :stale)"),
		ExpressionAttributeNames: names(attrAppID, attrClaimOwner, attrClaimedAt, attrDeleteAfter, attrClaimAppID),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":me": s(owner), ":now": n(now.UnixMilli()), ":stale": n(now.Add(-claimTTL).UnixMilli()),
			":del": n(now.Add(claimKeep).Unix())},
	})
	return conditional(err, "claim authorization code")
}

// claim reads a code's item (strongly consistent); found is false when
// there is none.
func (st *store) claim(ctx context.Context, hash string) (c codeClaim, found bool, err error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: st.claimKey(hash), ConsistentRead: new(true)})
	if err != nil {
		return codeClaim{}, false, fmt.Errorf("get authorization code claim: %w", err)
	}
	if len(out.Item) == 0 {
		return codeClaim{}, false, nil
	}
	c = codeClaim{Owner: str(out.Item, attrClaimOwner), AppID: str(out.Item, attrClaimAppID)}
	if v, ok := out.Item[attrClaimedAt].(*types.AttributeValueMemberN); ok {
		ms, _ := strconv.ParseInt(v.Value, 10, 64)
		c.ClaimedAt = time.UnixMilli(ms)
	}
	if v, ok := out.Item[attrFuncInfo].(*types.AttributeValueMemberNS); ok {
		for _, id := range v.Value {
			if i, err := strconv.Atoi(id); err == nil {
				c.FuncScopes = append(c.FuncScopes, i)
			}
		}
	}
	return c, true, nil
}

// finishClaim records what the code was exchanged for. It is not
// conditional: whoever exchanged the code, this is what it granted.
func (st *store) finishClaim(ctx context.Context, hash, appID string, scopes []int) error {
	update := "SET #authorizer_appid = :a"
	vals := map[string]types.AttributeValue{":a": s(appID)}
	if ids := funcIDs(scopes); ids != nil {
		update += ", #func_info = :funcs"
		vals[":funcs"] = ids
	}
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &st.table,
		Key:                       st.claimKey(hash),
		UpdateExpression:          new(update),
		ExpressionAttributeNames:  names(attrClaimAppID, attrFuncInfo),
		ExpressionAttributeValues: vals,
	})
	if err != nil {
		return fmt.Errorf("finish authorization code claim: %w", err)
	}
	return nil
}

// releaseClaim deletes owner's claim that is not done, so that the code
// can be claimed again at once (WeChat refused it, or did not answer);
// a claim already gone or taken over is not an error.
func (st *store) releaseClaim(ctx context.Context, hash, owner string) error {
	_, err := st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 &st.table,
		Key:                       st.claimKey(hash),
		ConditionExpression:       new("#claim_owner = :me AND attribute_not_exists(#authorizer_appid)"),
		ExpressionAttributeNames:  names(attrClaimOwner, attrClaimAppID),
		ExpressionAttributeValues: map[string]types.AttributeValue{":me": s(owner)},
	})
	if err := conditional(err, "release authorization code claim"); err != nil && !isLost(err) {
		return err
	}
	return nil
}

// funcIDs is scopes as a DynamoDB number set, nil when empty (a set
// cannot be empty).
func funcIDs(scopes []int) types.AttributeValue {
	if len(scopes) == 0 {
		return nil
	}
	ids := make([]string, len(scopes))
	for i, id := range scopes {
		ids[i] = strconv.Itoa(id)
	}
	return &types.AttributeValueMemberNS{Value: ids}
}
