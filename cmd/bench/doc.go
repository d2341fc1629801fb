// Command bench measures the getindustry function the way Lambda runs it:
// each variant's bootstrap runs under the real Runtime Interface Emulator
// (internal/rie) against a WeChat simulator and a Secrets Manager fake of
// its own on loopback, next to the bare aws-lambda-go function as the
// floor. The variants' warm invokes, and their fresh emulators after the
// first, are interleaved, round-robin (one of each variant in turn), so that
// their ratios to bare are taken side by side. It reports the median init duration, the first-invoke and
// warm latencies (p50, p99, client-side), the bootstrap's peak memory, the
// upstream calls per 1,000 invokes and the arm64 binary size as one
// Markdown table. It needs nothing off this machine and stops by itself.
//
// Usage:
//
//	go run ./cmd/bench [-n 1000] [-inits 5] [-accounts 10000] [-o FILE]
//
// See https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
// for the init and invoke phases it measures.
package main
