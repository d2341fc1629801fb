package accountstest

import (
	"context"
	"net/http/httptest"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/wxindustry/getindustry/internal/ddbtest"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// Stack is multi-account mode's fakes for a local run: dynalite (started
// with ddbtest.Launch) behind a ReadCounter, the token table, and a
// Platform whose accounts have their items in it.
type Stack struct {
	URL      string // the ReadCounter's address: the function's AWS_ENDPOINT_URL_DYNAMODB
	Table    string
	Reads    *ReadCounter
	DB       *dynamodb.Client // a client of URL, for writing items (its reads are counted too)
	Platform *Platform
	Accounts []Account
	stop     func()
}

// Start launches dynalite, creates table, has sim (served at simURL)
// authorize n accounts of a new Platform and writes their items, workers
// requests at a time. Its error matches ddbtest.ErrNotInstalled when
// Node.js or dynalite is missing. Close stops it.
func Start(ctx context.Context, sim *wxtest.Simulator, simURL, table string, n, workers int) (*Stack, error) {
	dir, err := ddbtest.ToolDir()
	if err != nil {
		return nil, err
	}
	url, stop, err := ddbtest.Launch(ctx, dir)
	if err != nil {
		return nil, err
	}
	s := &Stack{Table: table, stop: stop}
	if s.Reads, err = NewReadCounter(url); err != nil {
		stop()
		return nil, err
	}
	front := httptest.NewServer(s.Reads)
	s.URL, s.stop = front.URL, func() { front.Close(); stop() }
	s.DB = (&ddbtest.Server{URL: s.URL}).Client()
	if err := s.seed(ctx, sim, simURL, n, workers); err != nil {
		s.Close()
		return nil, err
	}
	s.Reads.Reset() // reads of the seeding itself, if any, are not the function's
	return s, nil
}

func (s *Stack) seed(ctx context.Context, sim *wxtest.Simulator, simURL string, n, workers int) error {
	if err := ddbtest.CreateTable(ctx, s.DB, s.Table); err != nil {
		return err
	}
	var err error
	if s.Platform, err = NewPlatform(ctx, sim, simURL); err != nil {
		return err
	}
	if s.Accounts, err = s.Platform.Authorize(ctx, n, workers); err != nil {
		return err
	}
	return Put(ctx, s.DB, s.Table, s.Accounts, workers)
}

// Put writes the accounts' items into the stack's table, as Put does.
func (s *Stack) Put(ctx context.Context, accounts ...Account) error {
	return Put(ctx, s.DB, s.Table, accounts, 1)
}

// Close stops the proxy and dynalite.
func (s *Stack) Close() { s.stop() }
