package wx_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/wxindustry/getindustry/internal/wx"
	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// exampleToken is a TokenSource that always returns the same token.
type exampleToken string

func (t exampleToken) Token(context.Context) (string, error) { return string(t), nil }

func ExampleClient_GetIndustry() {
	sim := wxtest.NewSimulator("ACCESS_TOKEN")
	srv := wxtest.NewServer(sim)
	defer srv.Close()

	client, err := wx.NewClient(srv.URL, exampleToken("ACCESS_TOKEN"), wx.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ind, err := client.GetIndustry(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ind.PrimaryIndustry.FirstClass, "/", ind.PrimaryIndustry.SecondClass)
	fmt.Println(ind.SecondaryIndustry.FirstClass, "/", ind.SecondaryIndustry.SecondClass)
	// Output:
	// 运输与仓储 / 快递
	// IT科技 / 互联网|电子商务
}

func ExampleError() {
	sim := wxtest.NewSimulator("ACCESS_TOKEN")
	sim.Script(wxtest.Fault{Errcode: wx.CodeDailyQuota})
	srv := wxtest.NewServer(sim)
	defer srv.Close()

	client, err := wx.NewClient(srv.URL, exampleToken("ACCESS_TOKEN"), wx.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = client.GetIndustry(context.Background())
	var e *wx.Error
	if errors.As(err, &e) {
		fmt.Println("errcode:", e.Code, "daily quota:", e.Code == wx.CodeDailyQuota, "token rejected:", e.TokenRejected())
		fmt.Println("has rid:", e.RID != "")
	}
	// Output:
	// errcode: 45009 daily quota: true token rejected: false
	// has rid: true
}

func ExampleWithTrace() {
	sim := wxtest.NewSimulator("ACCESS_TOKEN")
	sim.Script(wxtest.Fault{Errcode: wx.CodeBusy}) // one transient failure, then success
	srv := wxtest.NewServer(sim)
	defer srv.Close()

	client, err := wx.NewClient(srv.URL, exampleToken("ACCESS_TOKEN"), wx.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	var tr wx.Trace
	if _, err := client.GetIndustry(wx.WithTrace(context.Background(), &tr)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("attempts:", tr.Attempts, "token retried:", tr.TokenRetried)
	// Output:
	// attempts: 2 token retried: false
}
