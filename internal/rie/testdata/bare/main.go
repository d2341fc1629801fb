// Command bare is the smallest aws-lambda-go function: it answers a constant.
// It is the floor the benchmark compares getindustry against, and the
// emulator test's subject.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context) (string, error) { return "ok", nil })
}
