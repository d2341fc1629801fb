package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wxindustry/getindustry/internal/wx"
)

// TestSync rebuilds a lost table from api_get_authorizer_list: new items
// are pending and the next refresh run fetches their tokens, one
// api_authorizer_token per account in all; a second sync writes nothing;
// an account needing re-authorization that the list shows with a new
// refresh token is due again.
func TestSync(t *testing.T) {
	e := newEnv(t)
	e.pushTicket(t)
	ids := []string{e.authorize(t), e.authorize(t), e.authorize(t)}
	for _, id := range ids { // data loss
		if _, err := e.db.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: new(table),
			Key: map[string]types.AttributeValue{attrAppID: s(id)}}); err != nil {
			t.Fatal(err)
		}
	}
	e.sim.Reset()
	r := e.mustRun(t, e.h, `{"action":"sync"}`)
	if r.Listed != 3 || r.Created != 3 || r.Updated != 0 {
		t.Fatalf("sync = %+v; want 3 listed and created", r)
	}
	for _, id := range ids {
		if item := e.item(t, id); str(item, attrStatus) != statusPending || item[attrAccessToken] != nil {
			t.Fatalf("synced account %s: status %q, access_token %v; want pending, none", id, str(item, attrStatus), item[attrAccessToken] != nil)
		}
	}
	if r := e.mustRun(t, e.h, `{"action":"sync"}`); r.Unchanged != 3 || r.Created+r.Updated != 0 {
		t.Fatalf("second sync = %+v; want 3 unchanged", r)
	}
	if r := e.mustRun(t, e.h, `{"action":"refresh"}`); r.Refreshed != 3 || r.Recovered != 0 {
		t.Fatalf("refresh after sync = %+v; want 3 refreshed", r)
	}
	for _, id := range ids {
		e.wantServing(t, id)
	}
	if n := e.sim.ComponentCalls("api_authorizer_token"); n != 3 {
		t.Errorf("api_authorizer_token calls = %d; want 3, one per new account", n)
	}

	e.sim.Revoke(ids[0]) // needs_reauth at the next refresh...
	e.clock.Advance(untilDue)
	e.pushTicket(t)
	if r := e.mustRun(t, e.h, `{"action":"refresh"}`); r.NeedsReauth != 1 {
		t.Fatalf("refresh = %+v; want 1 needs_reauth", r)
	}
	// ...then the admin authorizes again, and the code is exchanged but the
	// item never written (the simulator lists an account once its code is).
	code, err := e.sim.Reauthorize(ids[0])
	if err != nil {
		t.Fatal(err)
	}
	ct, _, f := e.svc.componentToken(lambdaCtx(t), e.creds(t), 0)
	if f != nil {
		t.Fatal(f.Message)
	}
	if _, err := e.svc.wechat.QueryAuth(lambdaCtx(t), ct, componentAppID, code); err != nil {
		t.Fatal(err)
	}
	if r := e.mustRun(t, e.h, `{"action":"sync"}`); r.Updated != 1 {
		t.Fatalf("sync = %+v; want 1 updated", r)
	}
	if r := e.mustRun(t, e.h, `{"action":"refresh"}`); r.Refreshed != 1 {
		t.Fatalf("refresh = %+v; want the re-authorized account refreshed", r)
	}
	e.wantServing(t, ids[0])
	e.wantLayout(t)
	e.noSecretIn(t, "logs", e.logs.String(), ids...)
}

// pagedLister serves api_get_authorizer_list from a slice, pages of at
// most size; its other WeChat calls are nil.
type pagedLister struct {
	componentAPI
	all   []wx.Authorizer
	size  int
	calls int
}

func (p *pagedLister) AuthorizerList(_ context.Context, _, _ string, offset, count int) (*wx.AuthorizerListPage, error) {
	p.calls++
	end := min(offset+min(count, p.size), len(p.all))
	return &wx.AuthorizerListPage{TotalCount: len(p.all), List: p.all[min(offset, end):end]}, nil
}

func TestListAuthorizersPages(t *testing.T) {
	for _, n := range []int{0, 1, 499, 500, 501, 1234} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			p := &pagedLister{size: wx.MaxAuthorizerListCount}
			for i := range n {
				p.all = append(p.all, wx.Authorizer{AppID: fmt.Sprintf("wx%016x", i), RefreshToken: "rt"})
			}
			s := &service{wechat: p}
			seen := map[string]bool{}
			got, err := s.listAuthorizers(context.Background(), "ct", componentAppID, func(a wx.Authorizer) error {
				seen[a.AppID] = true
				return nil
			})
			wantCalls := max(1, (n+wx.MaxAuthorizerListCount-1)/wx.MaxAuthorizerListCount)
			if err != nil || got != n || len(seen) != n || p.calls != wantCalls {
				t.Errorf("listAuthorizers = %d, %v, %d distinct, %d calls; want %d, nil, %d, %d", got, err, len(seen), p.calls, n, n, wantCalls)
			}
		})
	}
}
