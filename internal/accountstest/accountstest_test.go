package accountstest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

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
	if err := CreateTable(t.Context(), c, "tokens"); err != nil {
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
