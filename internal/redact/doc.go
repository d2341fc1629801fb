// Package redact scrubs secrets from text that is printed: log lines, error
// strings, panic values. It removes access tokens by pattern (an
// access_token query parameter or JSON field, whoever's token it is) and the
// exact secrets a caller knows, in any letter case and as URLs escape them.
// It imports nothing of this module, so that every package, the logger
// included, can use it. See the README, "Logs".
package redact
