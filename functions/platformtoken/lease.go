package main

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The refresh protocol. A run finds due accounts with a Scan, then for each
// takes a lease with one conditional UpdateItem that also re-checks that
// the account is still due (so a run that scanned before another run's
// write skips it), refreshes, and writes the token with an UpdateItem
// conditional on still holding the lease, which it clears. A run that
// fails releases its lease; a run that dies leaves it to expire after
// leaseTTL. A run takes no lease and calls WeChat no later than
// leaseTTL-leaseSlack after it starts (refresh bounds its work), so a lease
// never expires while the run that holds it may still use it; leaseSlack
// also covers the runs' clock skew (lease times are each run's own clock;
// Lambda's are NTP-synced).

// leaseTTL is how long a lease holds before another run may take it: one
// schedule period, so an account a dead run leased is retried by the run
// after next, well inside the 20 minutes a due token has left.
const leaseTTL = 5 * time.Minute

// leaseSlack is the part of leaseTTL a run never works into.
const leaseSlack = time.Minute

// writeReserve is the time kept, before the invoke's deadline, for the
// writes that follow the last WeChat call.
const writeReserve = 2 * time.Second

// dueAccounts scans the table for the accounts whose token must be
// refreshed: no expires_at (pending) or expires_at before cutoff, not
// needing re-authorization, not the platform's item; and counts those that
// need re-authorization (they have no expires_at, so the filter returns
// them too). It pages through the whole table.
//
// Cost: a Scan is charged for every item it reads, whatever the filter
// and projection: with 10,000 items of about 600 bytes, 6 MB or about 730
// eventually consistent read units per run (0.5 per 4 KB); every 5
// minutes, about 6.3 million a month, $0.80 at on-demand's $0.125 per
// million (us-east-1). The refreshes themselves cost two writes each
// (lease, token), about 8.6 million a month for 10,000 accounts, which
// dominates. A sparse index on a due-time attribute would read only due
// items, at the price of a third write per refresh; at this size the Scan
// is the cheaper and simpler of the two.
func (st *store) dueAccounts(ctx context.Context, cutoff time.Time) (due []string, needsReauth int, err error) {
	in := &dynamodb.ScanInput{
		TableName:                &st.table,
		ProjectionExpression:     new("#appid, #status"),
		FilterExpression:         new("(attribute_not_exists(#expires_at) OR #expires_at < :cutoff) AND NOT begins_with(#appid, :meta)"),
		ExpressionAttributeNames: names(attrAppID, attrExpiresAt, attrStatus),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":cutoff": s(ts(cutoff)), ":meta": s("_")},
	}
	for {
		out, err := st.db.Scan(ctx, in)
		if err != nil {
			return due, needsReauth, fmt.Errorf("scan for due accounts: %w", err)
		}
		for _, item := range out.Items {
			switch k := str(item, attrAppID); {
			case !isAccountKey(k):
			case str(item, attrStatus) == statusNeedsReauth:
				needsReauth++
			default:
				due = append(due, k)
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return due, needsReauth, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// lease takes the refresh lease of appID for owner until now+leaseTTL,
// if the account is still due at cutoff and no other run holds an
// unexpired lease, and returns the item as it is now. It returns errLost
// when it could not.
func (st *store) lease(ctx context.Context, appID, owner string, now, cutoff time.Time) (accountItem, error) {
	out, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        &st.table,
		Key:              st.key(appID),
		UpdateExpression: new("SET #lease_owner = :me, #lease_until = :until"),
		ConditionExpression: new("attribute_exists(#appid) AND (attribute_not_exists(#lease_until) OR #lease_until < :now) AND " +
			"(attribute_not_exists(#expires_at) OR #expires_at < :cutoff) AND (attribute_not_exists(#status) OR #status <> :reauth)"),
		ExpressionAttributeNames: names(attrAppID, attrLeaseOwner, attrLeaseUntil, attrExpiresAt, attrStatus),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":me": s(owner), ":until": n(now.Add(leaseTTL).UnixMilli()), ":now": n(now.UnixMilli()),
			":cutoff": s(ts(cutoff)), ":reauth": s(statusNeedsReauth)},
		ReturnValues: types.ReturnValueAllNew,
	})
	if err := conditional(err, "lease "+appID); err != nil {
		return accountItem{}, err
	}
	return decodeAccount(out.Attributes), nil
}

// writeToken stores a refreshed token if owner still holds the lease, and
// clears the lease; errLost when it does not (the item was deleted, or
// re-authorized, meanwhile).
func (st *store) writeToken(ctx context.Context, a authorization, owner string, now time.Time) error {
	vals := tokenValues(a, now)
	vals[":me"] = s(owner)
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &st.table,
		Key:                       st.key(a.AppID),
		UpdateExpression:          new(tokenUpdate + " REMOVE #lease_owner, #lease_until"),
		ConditionExpression:       new("#lease_owner = :me"),
		ExpressionAttributeNames:  names(append(tokenNames, attrLeaseOwner, attrLeaseUntil)...),
		ExpressionAttributeValues: vals,
	})
	return conditional(err, "write token "+a.AppID)
}

// markNeedsReauth records, under owner's lease, that appID's refresh token
// is refused and none better is known: the access token goes (getindustry
// then answers token_unavailable), the refresh token stays for the record,
// the lease is cleared, and refresh runs skip the account until an
// authorization push or a sync brings a new refresh token.
func (st *store) markNeedsReauth(ctx context.Context, appID, owner string, now time.Time) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &st.table,
		Key:                      st.key(appID),
		UpdateExpression:         new("SET #status = :reauth, #updated_at = :now REMOVE #access_token, #expires_at, #lease_owner, #lease_until"),
		ConditionExpression:      new("#lease_owner = :me"),
		ExpressionAttributeNames: names(attrStatus, attrUpdatedAt, attrAccessToken, attrExpiresAt, attrLeaseOwner, attrLeaseUntil),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":reauth": s(statusNeedsReauth), ":now": s(ts(now)), ":me": s(owner)},
	})
	return conditional(err, "mark needs_reauth "+appID)
}

// release gives up owner's lease on appID without changing anything else,
// so that the next run tries again; a lease already gone is not an error.
func (st *store) release(ctx context.Context, appID, owner string) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &st.table,
		Key:                       st.key(appID),
		UpdateExpression:          new("REMOVE #lease_owner, #lease_until"),
		ConditionExpression:       new("#lease_owner = :me"),
		ExpressionAttributeNames:  names(attrLeaseOwner, attrLeaseUntil),
		ExpressionAttributeValues: map[string]types.AttributeValue{":me": s(owner)},
	})
	if err := conditional(err, "release "+appID); err != nil && !isLost(err) {
		return err
	}
	return nil
}

// syncResult says what syncAccount did.
type syncResult int

const (
	syncUnchanged syncResult = iota // the item already held this refresh token
	syncCreated                     // a new item, pending (due)
	syncUpdated                     // the refresh token was replaced
)

// syncAccount makes appID's item hold the refresh token api_get_authorizer_list
// shows. A new item is pending: the next refresh run fetches its token,
// under a lease, so a new account costs one api_authorizer_token in all.
// An item that already holds this refresh token is not written. An account
// marked needs_reauth that the list shows with another refresh token
// becomes pending again.
func (st *store) syncAccount(ctx context.Context, appID, refreshToken string, authTime int64, now time.Time) (syncResult, error) {
	out, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &st.table,
		Key:                      st.key(appID),
		UpdateExpression:         new("SET #refresh_token = :rt, #authorized_at = :at, #updated_at = :now, #status = if_not_exists(#status, :pending)"),
		ConditionExpression:      new("attribute_not_exists(#refresh_token) OR #refresh_token <> :rt"),
		ExpressionAttributeNames: names(attrRefreshToken, attrAuthorizedAt, attrUpdatedAt, attrStatus),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":rt": s(refreshToken), ":at": n(authTime), ":now": s(ts(now)), ":pending": s(statusPending)},
		ReturnValues: types.ReturnValueAllOld,
	})
	if err := conditional(err, "sync "+appID); err != nil {
		if isLost(err) {
			return syncUnchanged, nil
		}
		return syncUnchanged, err
	}
	if len(out.Attributes) == 0 {
		return syncCreated, nil
	}
	if str(out.Attributes, attrStatus) == statusNeedsReauth {
		_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                &st.table,
			Key:                      st.key(appID),
			UpdateExpression:         new("SET #status = :pending"),
			ConditionExpression:      new("#status = :reauth"),
			ExpressionAttributeNames: names(attrStatus),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pending": s(statusPending), ":reauth": s(statusNeedsReauth)},
		})
		if err := conditional(err, "sync "+appID); err != nil && !isLost(err) {
			return syncUpdated, err
		}
	}
	return syncUpdated, nil
}
