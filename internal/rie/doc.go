// Package rie runs a Lambda bootstrap under the AWS Lambda Runtime Interface
// Emulator (aws-lambda-rie) on loopback ports, so the real aws-lambda-go
// runtime loop can be driven end to end without Docker or an AWS account.
// The local stack (cmd/localstack), the end-to-end tests and the benchmark
// command share it. Build and Bootstrap compile the functions as SAM does
// and share each build between the test binaries of one `go test ./...`.
//
// See https://github.com/aws/aws-lambda-runtime-interface-emulator.
package rie
