package accountstest

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wxindustry/getindustry/internal/ddbtest"
	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// staticToken is a wx.TokenSource with one token.
type staticToken string

func (s staticToken) Token(context.Context) (string, error) { return string(s), nil }

// industryWith asks the simulator at url for the industry with tok.
func industryWith(t *testing.T, url, tok string) (wx.Industry, error) {
	t.Helper()
	c, err := wx.NewClient(url, staticToken(tok), wx.Options{MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	ind, err := c.GetIndustry(t.Context())
	if err != nil {
		return wx.Industry{}, err
	}
	return *ind, nil
}

func TestAccountsAnswerTheirOwnIndustry(t *testing.T) {
	sim := wxtest.NewSimulator()
	srv := wxtest.NewServer(sim)
	t.Cleanup(srv.Close)
	p, err := NewPlatform(t.Context(), sim, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := p.Authorize(t.Context(), 30, 4)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range accounts {
		if seen[a.AppID] || a.AccessToken == "" {
			t.Fatalf("account %v repeated or without a token", a)
		}
		seen[a.AppID] = true
		if got, err := industryWith(t, srv.URL, a.AccessToken); err != nil || got != wxtest.AccountIndustry(a.AppID) {
			t.Errorf("industry with %s's token = %+v, %v; want its own", a.AppID, got, err)
		}
	}

	rotated, err := p.Rotate(t.Context(), accounts[0].AppID)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.AccessToken == accounts[0].AccessToken {
		t.Fatal("Rotate kept the token")
	}
	sim.Advance(wxtest.ForceOverlap)
	if _, err := industryWith(t, srv.URL, accounts[0].AccessToken); !isCode(err, wx.CodeInvalidCredential) {
		t.Errorf("old token after the overlap: err = %v; want errcode 40001", err)
	}
	if got, err := industryWith(t, srv.URL, rotated.AccessToken); err != nil || got != wxtest.AccountIndustry(rotated.AppID) {
		t.Errorf("new token: %+v, %v; want the account's industry", got, err)
	}
	if _, err := p.Rotate(t.Context(), "wxffffffffffffffff"); err == nil {
		t.Error("Rotate(unknown) = nil error")
	}
}

func isCode(err error, code int) bool {
	var e *wx.Error
	return errors.As(err, &e) && e.Code == code
}

func TestPutWritesEveryItem(t *testing.T) {
	s := ddbtest.Start(t)
	c := s.Client()
	if err := ddbtest.CreateTable(t.Context(), c, "tokens"); err != nil {
		t.Fatal(err)
	}
	var accounts []Account
	for i := range 60 { // three batches, the last short
		accounts = append(accounts, Account{AppID: fmt.Sprintf("wx%016x", i), AccessToken: fmt.Sprintf("TOKEN-%d", i)})
	}
	if err := Put(t.Context(), c, "tokens", accounts, 3); err != nil {
		t.Fatal(err)
	}
	out, err := c.Scan(t.Context(), &dynamodb.ScanInput{TableName: aws.String("tokens"), Select: types.SelectCount})
	if err != nil || out.Count != 60 {
		t.Fatalf("Scan count = %v, %v; want 60", out, err)
	}
	got, err := c.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String("tokens"),
		Key: map[string]types.AttributeValue{"appid": &types.AttributeValueMemberS{Value: accounts[59].AppID}}})
	if err != nil {
		t.Fatal(err)
	}
	if tok := got.Item["access_token"].(*types.AttributeValueMemberS).Value; tok != "TOKEN-59" {
		t.Errorf("access_token = %q; want TOKEN-59", tok)
	}
	if exp := got.Item["expires_at"].(*types.AttributeValueMemberS).Value; !strings.HasSuffix(exp, "Z") {
		t.Errorf("expires_at = %q; want RFC 3339 in UTC", exp)
	}
}

func TestAccountPrintsNoToken(t *testing.T) {
	a := Account{AppID: "wx0123456789abcdef", AccessToken: "SENTINEL-TOKEN"}
	for _, s := range []string{a.String(), fmt.Sprintf("%v %+v %#v", a, a, a)} {
		if strings.Contains(s, "SENTINEL") {
			t.Errorf("printed %q", s)
		}
	}
}

func TestMaxInWindow(t *testing.T) {
	at := func(secs ...int) []time.Time {
		var ts []time.Time
		for _, s := range secs {
			ts = append(ts, time.Unix(int64(s), 0))
		}
		return ts
	}
	tests := []struct {
		name string
		ts   []time.Time
		want int
	}{
		{"none", nil, 0},
		{"one", at(5), 1},
		{"a window apart", at(0, 60, 120), 1},
		{"two within", at(0, 59, 120), 2},
		{"three within", at(0, 10, 20, 100), 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MaxInWindow(tt.ts, time.Minute); got != tt.want {
				t.Errorf("MaxInWindow() = %d; want %d", got, tt.want)
			}
		})
	}
}

func TestCountersSeeTheFakes(t *testing.T) {
	s := ddbtest.Start(t)
	rc, err := NewReadCounter(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(rc)
	t.Cleanup(front.Close)
	c := (&ddbtest.Server{URL: front.URL}).Client()
	if err := ddbtest.CreateTable(t.Context(), c, "tokens"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"wx0000000000000001", "wx0000000000000001", "wx0000000000000002"} {
		if _, err := c.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String("tokens"),
			Key: map[string]types.AttributeValue{"appid": &types.AttributeValueMemberS{Value: id}}}); err != nil {
			t.Fatal(err)
		}
	}
	if reads, ids := rc.Total(); reads != 3 || ids != 2 || rc.Reads("wx0000000000000001") != 2 {
		t.Errorf("Total() = %d, %d; Reads = %d; want 3 reads of 2 appids, 2 of the first", reads, ids, rc.Reads("wx0000000000000001"))
	}
	if most, id := rc.MaxPerWindow(time.Hour); most != 2 || id != "wx0000000000000001" {
		t.Errorf("MaxPerWindow() = %d, %s; want 2 for the first appid", most, id)
	}

	sim := wxtest.NewSimulator("GOOD")
	log := NewCallLog(sim)
	wxSrv := httptest.NewServer(log)
	t.Cleanup(wxSrv.Close)
	_, _ = industryWith(t, wxSrv.URL, "GOOD")
	_, _ = industryWith(t, wxSrv.URL, "BAD")
	calls := log.Since(0)
	if len(calls) != 2 || calls[0].Token != "GOOD" || calls[0].Errcode != 0 || calls[1].Errcode != wx.CodeInvalidCredential {
		t.Errorf("calls = %+v; want GOOD answered, then BAD with 40001", calls)
	}
	if log.Len() != 2 || len(log.Since(1)) != 1 {
		t.Errorf("Len() = %d, Since(1) = %d calls; want 2 and 1", log.Len(), len(log.Since(1)))
	}
}

func TestStartSeedsTheTableAndTheSimulator(t *testing.T) {
	ddbtest.Start(t) // skips, or fails under CI=true, without dynalite
	sim := wxtest.NewSimulator()
	srv := wxtest.NewServer(sim)
	t.Cleanup(srv.Close)
	s, err := Start(t.Context(), sim, srv.URL, "tokens", 5, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if len(s.Accounts) != 5 {
		t.Fatalf("%d accounts; want 5", len(s.Accounts))
	}
	if reads, _ := s.Reads.Total(); reads != 0 {
		t.Errorf("%d reads counted after seeding; want none", reads)
	}
	a := s.Accounts[2]
	get := func() string {
		out, err := s.DB.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String("tokens"),
			Key: map[string]types.AttributeValue{"appid": &types.AttributeValueMemberS{Value: a.AppID}}})
		if err != nil || out.Item == nil {
			t.Fatalf("GetItem(%s) = %v, %v", a.AppID, out, err)
		}
		return out.Item["access_token"].(*types.AttributeValueMemberS).Value
	}
	if get() != a.AccessToken {
		t.Error("the item does not hold the account's token")
	}
	if got, err := industryWith(t, srv.URL, a.AccessToken); err != nil || got != wxtest.AccountIndustry(a.AppID) {
		t.Errorf("industry = %+v, %v; want the account's own", got, err)
	}
	fresh, err := s.Platform.Rotate(t.Context(), a.AppID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(t.Context(), fresh); err != nil {
		t.Fatal(err)
	}
	if get() != fresh.AccessToken {
		t.Error("Put did not write the rotated token")
	}
	if s.Reads.Reads(a.AppID) != 2 || s.Platform.AppID(fresh.AccessToken) != a.AppID || s.Platform.AppID(a.AccessToken) != a.AppID {
		t.Errorf("reads of %s = %d; want 2, and both tokens known as its", a.AppID, s.Reads.Reads(a.AppID))
	}
}
