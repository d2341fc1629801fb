package main

import (
	"context"
	"io"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/wxindustry/getindustry/internal/lambdaenv"
)

// run is the function's cold start as main runs it, with the environment,
// stdout and lambda.Start the test gives.
func run(ctx context.Context, getenv func(string) string, stdout io.Writer, start func(lambda.Handler)) error {
	return lambdaenv.Run(ctx, getenv, stdout, start, build)
}
