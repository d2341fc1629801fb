// Package ddbtest runs dynalite, an in-memory implementation of DynamoDB, for
// tests and local runs, as net/http/httptest runs an HTTP server: the real
// AWS SDK for Go talks to it over loopback HTTP, so tests exercise the SDK's
// own requests, signing, checksums and errors rather than a fake of ours.
//
// Start gives a test its own server, stopped when the test ends; Launch is
// the same for a program (cmd/localstack). dynalite is pinned in
// tools/dynalite and installed there by `make tools` (npm ci); it needs
// Node.js 20 or later.
package ddbtest
