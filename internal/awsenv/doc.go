// Package awsenv builds AWS SDK clients from the environment Lambda gives a
// function, instead of config.LoadDefaultConfig: Lambda never uses the
// shared-config files, SSO, STS or IMDS support that LoadDefaultConfig links
// in, and leaving them out saves about 2 MB of the arm64 bootstrap and 3 ms
// of cold start (BENCHMARKS.md).
//
// See https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime.
package awsenv
