// Package lambdahttp serves AWS Lambda invocations with an ordinary http.Handler. Wrap
// recognises the event shapes that carry an HTTP request (API Gateway REST proxy events,
// API Gateway HTTP API payload 2.0, Lambda Function URLs and ALB target groups), decodes
// each into its aws-lambda-go events type, turns it into an *http.Request, records the
// handler's answer and returns it in the response type that event source expects; any
// other payload (another Lambda, a Step Functions task) goes to a separate DirectFunc
// untouched. It plays the role of aws-lambda-go's lambdaurl package for every HTTP event
// source, with buffered responses; the README's "Event sources and answers" says why it
// is not algnhsa or aws-lambda-go-api-proxy.
// See https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway.html,
// https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html and
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html.
package lambdahttp
