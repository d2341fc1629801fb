package wxcrypt

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// Signature returns msg_signature for a push: the lower-case hex SHA-1 of
// token, timestamp, nonce and encrypt, sorted as byte strings and
// concatenated.
func Signature(token, timestamp, nonce, encrypt string) string {
	parts := []string{token, timestamp, nonce, encrypt}
	slices.Sort(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// VerifySignature reports, as an error wrapping ErrSignature, whether
// signature is not the msg_signature of the other arguments. The
// comparison takes the same time wherever the first difference lies; hex
// case is ignored. An empty signature is always wrong.
func VerifySignature(token, timestamp, nonce, encrypt, signature string) error {
	if len(signature) != sha1.Size*2 {
		return fmt.Errorf("wxcrypt: %w", ErrSignature)
	}
	want := Signature(token, timestamp, nonce, encrypt)
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(signature)), []byte(want)) != 1 {
		return fmt.Errorf("wxcrypt: %w", ErrSignature)
	}
	return nil
}
