package wx_test

import (
	"testing"
	"time"

	"github.com/wxindustry/getindustry/internal/wx/wxtest"
)

// Copies made by WithTokens call WeChat with their own tokens, and a token
// rejection in one is retried with that copy's source only.
func TestWithTokens(t *testing.T) {
	sim := wxtest.NewSimulator()
	later := sim.Now().Add(time.Hour)
	sim.SetAccountToken("wx000000000000000a", "tok-a", later)
	sim.SetAccountToken("wx000000000000000b", "tok-b2", later)
	srv := newServer(t, sim)
	base := newClient(t, srv.URL, nil, fast())
	srcB := &rotatingSource{tokens: []string{"tok-b1", "tok-b2"}}
	srcA := &rotatingSource{tokens: []string{"tok-a"}}
	a, b := base.WithTokens(srcA), base.WithTokens(srcB)

	got, err := b.GetIndustry(t.Context())
	if err != nil || *got != wxtest.AccountIndustry("wx000000000000000b") {
		t.Fatalf("b.GetIndustry() = %+v, %v; want b's industry", got, err)
	}
	if inv := srcB.Invalidated(); len(inv) != 1 || inv[0] != "tok-b1" {
		t.Errorf("b's source invalidated %v; want [tok-b1]", inv)
	}
	got, err = a.GetIndustry(t.Context())
	if err != nil || *got != wxtest.AccountIndustry("wx000000000000000a") {
		t.Fatalf("a.GetIndustry() = %+v, %v; want a's industry", got, err)
	}
	if inv := srcA.Invalidated(); len(inv) != 0 {
		t.Errorf("a's source invalidated %v; want nothing", inv)
	}
	if _, err := base.GetIndustry(t.Context()); err == nil {
		t.Error("the original client, built without a TokenSource, answered; want it unchanged")
	}
}
