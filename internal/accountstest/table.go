package accountstest

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// batchSize is the most items one BatchWriteItem takes.
const batchSize = 25

// Item is an account's item as the platform token service writes it.
func Item(a Account) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"appid":        &types.AttributeValueMemberS{Value: a.AppID},
		"access_token": &types.AttributeValueMemberS{Value: a.AccessToken},
		"expires_at":   &types.AttributeValueMemberS{Value: a.ExpiresAt.Format(time.RFC3339)},
	}
}

// Put writes the accounts' items into table with BatchWriteItem, 25 items
// a call, workers calls at a time, sending again what DynamoDB leaves
// unprocessed.
func Put(ctx context.Context, c *dynamodb.Client, table string, accounts []Account, workers int) error {
	batches := (len(accounts) + batchSize - 1) / batchSize
	return parallel(ctx, batches, workers, func(ctx context.Context, i int) error {
		var reqs []types.WriteRequest
		for _, a := range accounts[i*batchSize : min((i+1)*batchSize, len(accounts))] {
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: Item(a)}})
		}
		for try := 0; len(reqs) > 0; try++ {
			if try == 10 {
				return fmt.Errorf("accountstest: batch write: %d items still unprocessed", len(reqs))
			}
			select { // DynamoDB leaves items unprocessed when throttled: wait a little
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(try) * 50 * time.Millisecond):
			}
			out, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs}})
			if err != nil {
				return fmt.Errorf("accountstest: batch write: %w", err)
			}
			reqs = out.UnprocessedItems[table]
		}
		return nil
	})
}
