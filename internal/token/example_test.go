package token_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/wxindustry/getindustry/internal/token"
	"github.com/wxindustry/getindustry/internal/token/smtest"
)

// ExampleSource reads the token from a Secrets Manager fake through the real
// SDK client: a second call is served from the cache, and after WeChat
// rejects the token, Invalidate makes the next call read the rotated secret.
func ExampleSource() {
	fake := smtest.NewFake()
	srv := smtest.NewServer(fake)
	defer srv.Close()
	fake.SetSecret("wechat/token", `{"access_token":"token-v1","expires_at":"2099-01-01T00:00:00Z"}`)

	src, err := token.NewSource(smtest.NewClient(srv.URL), token.Options{
		SecretID:          fake.ARN("wechat/token"),
		MinRereadInterval: time.Minute, // at most one read a minute caused by rejections of the same token
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	first, _ := src.Token(ctx)
	second, _ := src.Token(ctx)
	fmt.Println("same token:", first == second, "reads:", fake.Reads("wechat/token"))

	fake.SetSecret("wechat/token", `{"access_token":"token-v2","expires_at":"2099-01-01T00:00:00Z"}`)
	src.Invalidate(first) // WeChat answered 40001 for first
	third, _ := src.Token(ctx)
	fmt.Println("new token:", third != first, "reads:", fake.Reads("wechat/token"))

	src.Invalidate(third) // a flood of 40001s: read again less than a second ago, so kept
	fourth, _ := src.Token(ctx)
	fmt.Println("kept:", fourth == third, "reads:", fake.Reads("wechat/token"))

	missing, err := token.NewSource(smtest.NewClient(srv.URL), token.Options{SecretID: "no/such/secret"})
	if err != nil {
		log.Fatal(err)
	}
	_, err = missing.Token(ctx)
	var te *token.Error
	if errors.As(err, &te) {
		fmt.Println("reason:", te.Reason, "transient:", te.Transient)
	}
	// Output:
	// same token: true reads: 1
	// new token: true reads: 2
	// kept: true reads: 2
	// reason: secret not found transient: false
}
