// Package lambdahttp serves AWS Lambda invocations with an ordinary http.Handler, as
// aws-lambda-go's lambdaurl does, for API Gateway REST and HTTP APIs, Function URLs and ALB
// target groups alike, through the aws-lambda-go events types; other payloads go to a
// DirectFunc. The README's "Event sources and answers" says why it is not algnhsa or
// aws-lambda-go-api-proxy. See https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway.html,
// https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html and
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html.
package lambdahttp
