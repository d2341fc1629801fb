// Package lambdaenv is what every function of this module does the same way
// around its own handler: read its settings from the environment (Env),
// build itself once per cold start and log a failed one as a single JSON
// line (Run), and keep back part of each invoke's time to write the answer
// (WithAnswerReserve). See the README, "Configuration", and
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html.
package lambdaenv
